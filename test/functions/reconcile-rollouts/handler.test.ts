import { DeleteVirtualNodeCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { handler } from '../../../functions/reconcile-rollouts/handler';
import { InvalidInputError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  colorApp,
  ecsService,
  executionArn,
  expectNoAwsCall,
  lambdaContext,
  policyTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutRecord,
  routeLeaseKey,
  simulateRoute,
  split,
  stableOnly,
  stubEcsService,
  stubVirtualNode,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-reconcile-rollouts');
const scheduled = { version: '0', id: 'tick', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '111122223333', time: '2026-11-20T12:40:00Z', region: 'us-west-2', resources: [], detail: {} };

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
});

describe('reconcile-rollouts handler', () => {
  it('rolls back a rollout whose execution was stopped by hand, restoring the route and freeing the lease', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'SHIFTING', lastWrittenTargets: { [colorApp.route]: split(10) }, stepIndex: 0, canaryWeight: 10 })));
    aws.sfn.on(DescribeExecutionCommand, { executionArn }).resolves({ status: 'ABORTED' } as never);
    aws.sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const route = simulateRoute(split(10));
    stubVirtualNode(colorApp.stableNode, colorApp.stableService);
    stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);
    aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});
    stubEcsService(ecsService(), [policyTag]);
    aws.ecs.on(UpdateServiceCommand).resolves({});

    // Act
    const report = await handler(scheduled, context);

    // Assess
    expect(report).toEqual({ actions: [{ rolloutId, action: 'rolled back: its execution ended' }], needAttention: [] });
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 1);
    expect(aws.appMesh.commandCalls(UpdateRouteCommand)[0]?.args[0].input.spec?.httpRoute?.action?.weightedTargets).toEqual(stableOnly);
    expect(aws.cloudWatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    expect(table.rollout()?.phase).toBe('ROLLED_BACK');
    expect(route.targets).toEqual(stableOnly);
    // The canary is retired as the policy says, nothing else using it.
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller', desiredCount: 0 });
    expect(aws.appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { virtualNodeName: colorApp.canaryNode });
  });

  it('refuses an event that is neither its schedule nor a Step Functions status change, calling nothing', async () => {
    // Act
    const result = handler({ ...scheduled, source: 'aws.ecs' }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidInputError);
    await expect(result).rejects.toThrow('event.source');
    expectNoAwsCall();
  });
});
