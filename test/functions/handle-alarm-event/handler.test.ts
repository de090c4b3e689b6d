import { DeleteVirtualNodeCommand, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../../functions/shared/domain/errors';
import { handler } from '../../../functions/handle-alarm-event/handler';
import {
  activeRolloutItems,
  aws,
  colorApp,
  describeRouteOutput,
  ecsService,
  executionArn,
  expectNoAwsCall,
  lambdaContext,
  loadEvent,
  policyTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutItem,
  rolloutRecord,
  routeLeaseKey,
  routeSpec,
  simulateRoute,
  split,
  stableOnly,
  stubEcsService,
  stubVirtualNode,
  tableName,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-handle-alarm-event');
const alarmReason = 'Threshold Crossed: 1 out of the last 1 datapoints [42.0 (20/11/26 12:40:00)] was greater than the threshold (5.0).';

/**
 * A second rollout watching the same alarm: colorteller-green, on another route, to its own canary
 * node; it keeps its canary service and never created the node.
 */
const otherRoute = 'colorteller-route-2';
const otherService = 'colorteller-green';
const otherCanaryNode = 'colorteller-green-v2';
const otherRolloutId = 'default-colorteller-green-2222222222222222222';
const otherExecutionArn = `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${otherRolloutId}`;
const otherSplit = [
  { virtualNode: colorApp.stableNode, weight: 90, port: 9080 },
  { virtualNode: otherCanaryNode, weight: 10, port: 9080 },
];

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
});

describe('handle-alarm-event handler', () => {
  it('rolls back every active rollout watching colorteller-5xx when it goes into ALARM (cloudwatch-alarm-to-alarm.json)', async () => {
    // Prepare
    table.seed(
      ...activeRolloutItems(rolloutRecord({ phase: 'SHIFTING', lastWrittenTargets: { [colorApp.route]: split(25) }, stepIndex: 1, canaryWeight: 25 })),
      ...activeRolloutItems(
        rolloutRecord({
          rolloutId: otherRolloutId,
          executionArn: otherExecutionArn,
          service: otherService,
          taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-green:2',
          deploymentId: 'ecs-svc/2222222222222222222',
          canaryNode: otherCanaryNode,
          routes: [otherRoute],
          originalTargets: { [otherRoute]: stableOnly },
          lastWrittenTargets: { [otherRoute]: otherSplit },
          canaryNodeCreated: false,
          rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: false },
        }),
      ),
      // An ended rollout still indexed under the alarm: left alone.
      rolloutItem(rolloutRecord({ rolloutId: 'default-colorteller-1111111111111111111', phase: 'PROMOTED' })),
      { pk: `ALARM#${colorApp.alarm}`, sk: 'ROLLOUT#default-colorteller-1111111111111111111', rolloutId: 'default-colorteller-1111111111111111111' },
    );
    // Each route reads shifted until restored.
    const route = simulateRoute(split(25));
    const other = simulateRoute(otherSplit, otherRoute);
    stubVirtualNode(colorApp.stableNode, colorApp.stableService);
    stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);
    stubVirtualNode(otherCanaryNode, otherService);
    aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});
    stubEcsService(ecsService(), [policyTag]);
    aws.ecs.on(UpdateServiceCommand).resolves({});
    aws.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    // Act
    const result = await handler(loadEvent('cloudwatch-alarm-to-alarm'), context);

    // Assess
    expect([...result.rolledBack].sort()).toEqual([rolloutId, otherRolloutId].sort());
    expect(aws.dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ALARM#${colorApp.alarm}` },
    });
    // Each route goes back to its snapshot; everything else in the spec is kept.
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 2);
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, {
      meshName: colorApp.mesh,
      virtualRouterName: colorApp.virtualRouter,
      routeName: colorApp.route,
      spec: routeSpec(stableOnly),
    });
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, { routeName: otherRoute, spec: routeSpec(stableOnly, otherRoute) });
    expect(route.targets).toEqual(stableOnly);
    expect(other.targets).toEqual(stableOnly);
    // Canary cleanup follows the policy of each rollout.
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: colorApp.canaryService, desiredCount: 0 });
    expect(aws.appMesh).toHaveReceivedCommandTimes(DeleteVirtualNodeCommand, 1);
    expect(aws.appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { meshName: colorApp.mesh, virtualNodeName: colorApp.canaryNode });
    // Both executions are stopped with AlarmBreachedError and a readable cause.
    expect(aws.sfn).toHaveReceivedCommandTimes(StopExecutionCommand, 2);
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn,
      error: 'AlarmBreachedError',
      cause: `Rolled back: alarm colorteller-5xx went into ALARM: ${alarmReason}`,
    });
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: otherExecutionArn, error: 'AlarmBreachedError' });
    // Leases are freed and the records say what happened.
    expect(aws.dynamo).toHaveReceivedCommandWith(DeleteCommand, { Key: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE' }, ExpressionAttributeValues: { ':rolloutId': rolloutId } });
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    expect(table.rollout()).toMatchObject({ phase: 'ROLLED_BACK', outcome: `alarm colorteller-5xx went into ALARM: ${alarmReason}` });
    expect(table.rollout()).not.toHaveProperty('gsi1pk');
    expect(table.rollout(otherRolloutId)).toMatchObject({ phase: 'ROLLED_BACK' });
    expect(table.rollout('default-colorteller-1111111111111111111')).toMatchObject({ phase: 'PROMOTED' });
    expect(aws.sfn).not.toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: expect.stringContaining('1111111111111111111') });
  });

  it('restores the route before it stops the execution', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(10) }, rollbackOptions: { deleteCanaryNode: false, scaleCanaryServiceToZero: false } })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(10)));
    aws.appMesh.on(UpdateRouteCommand).resolves({});
    aws.sfn.on(StopExecutionCommand).resolves({});

    // Act
    await handler(loadEvent('cloudwatch-alarm-to-alarm'), context);

    // Assess
    const [rollingBack] = aws.dynamo.commandCalls(UpdateCommand);
    const [restore] = aws.appMesh.commandCalls(UpdateRouteCommand);
    const [stop] = aws.sfn.commandCalls(StopExecutionCommand);
    expect(rollingBack?.args[0].input.ExpressionAttributeValues).toMatchObject({ ':phase': 'ROLLING_BACK' });
    expect(rollingBack?.calledBefore(restore!)).toBe(true);
    expect(restore?.calledBefore(stop!)).toBe(true);
  });

  it('does nothing when no rollout watches the alarm', async () => {
    // Prepare
    const event = loadEvent('cloudwatch-alarm-to-alarm');

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ rolledBack: [] });
    expect(aws.dynamo).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(aws.appMesh).not.toHaveReceivedAnyCommand();
    expect(aws.sfn).not.toHaveReceivedAnyCommand();
  });

  it('does nothing at all when the alarm goes back to OK (cloudwatch-alarm-to-ok.json)', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord()));

    // Act
    const result = await handler(loadEvent('cloudwatch-alarm-to-ok'), context);

    // Assess
    expect(result).toEqual({ rolledBack: [] });
    expectNoAwsCall();
  });

  describe('malformed alarm events', () => {
    const withDetail = (changes: Record<string, unknown>) => {
      const event = loadEvent('cloudwatch-alarm-to-alarm');
      return { ...event, detail: { ...event.detail, ...changes } };
    };

    it.each([
      ['detail.alarmName missing', () => withDetail({ alarmName: undefined }), 'event.detail.alarmName'],
      ['an empty alarmName', () => withDetail({ alarmName: '' }), 'event.detail.alarmName'],
      ['detail.state missing', () => withDetail({ state: undefined }), 'event.detail.state'],
      ['an unknown state value', () => withDetail({ state: { value: 'ON_FIRE', reason: 'x' } }), 'event.detail.state.value'],
      ['a wrong source', () => ({ ...loadEvent('cloudwatch-alarm-to-alarm'), source: 'aws.ecs' }), 'event.source'],
      ['a wrong detail-type', () => ({ ...loadEvent('cloudwatch-alarm-to-alarm'), 'detail-type': 'ECS Deployment State Change' }), 'event.detail-type'],
      ['a number instead of an event', () => 42, 'event: '],
    ])('rejects %s with InvalidInputError naming the field, and calls nothing', async (_case, build, field) => {
      // Prepare
      const event = build();

      // Act
      const result = handler(event, context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(InvalidInputError);
      await expect(result).rejects.toThrow(/^Invalid CloudWatch alarm event: /);
      await expect(result).rejects.toMatchObject({ message: expect.stringContaining(field) });
      expectNoAwsCall();
    });
  });
});
