import { DeleteVirtualNodeCommand, DescribeVirtualNodeCommand, ResourceInUseException } from '@aws-sdk/client-app-mesh';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/retire-stable/handler';
import { AlarmBreachedError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  awsError,
  deployingIndexKey,
  colorApp,
  describeVirtualNodeOutput,
  ecsService,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
  routeLeaseKey,
  canaryOnly,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-retire-stable');

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: canaryOnly }, stepIndex: 4, canaryWeight: 100 })));
  aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.stableNode }).resolves(describeVirtualNodeOutput(colorApp.stableNode, colorApp.stableService));
  aws.ecs.on(DescribeServicesCommand, { services: [colorApp.stableService] }).resolves({ services: [ecsService({}, colorApp.stableService)] });
});

describe('retire-stable handler', () => {
  it('marks the rollout PROMOTED, scales the stable service to zero, deletes the stable node and frees the lease', async () => {
    // Prepare
    aws.ecs.on(UpdateServiceCommand).resolves({});
    aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});

    // Act
    const report = await handler({ rollout: rolloutInput({ stepIndex: 4 }) }, context);

    // Assess
    expect(report).toEqual({ deletedNodes: ['colorteller-v1'], keptNodes: [], scaledDownServices: ['colorteller-blue'] });
    expect(awsCalls()).toEqual([
      'dynamo.UpdateCommand',
      'dynamo.DeleteCommand',
      'dynamo.DeleteCommand',
      'appMesh.DescribeVirtualNodeCommand',
      'ecs.DescribeServicesCommand',
      'ecs.UpdateServiceCommand',
      'appMesh.DeleteVirtualNodeCommand',
      'dynamo.DeleteCommand',
    ]);
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1)',
      UpdateExpression: expect.stringContaining('REMOVE gsi1pk, gsi1sk'),
      ExpressionAttributeValues: expect.objectContaining({ ':phase': 'PROMOTED', ':outcome': 'promoted', ':allowed0': 'SHIFTING', ':allowed1': 'PROMOTED' }),
    });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller-blue'] });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller-blue', desiredCount: 0 });
    expect(aws.appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { meshName: 'colorapp', virtualNodeName: 'colorteller-v1' });
    expect(aws.dynamo).toHaveReceivedCommandWith(DeleteCommand, { Key: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE' }, ExpressionAttributeValues: { ':rolloutId': rolloutId } });
    expect(table.rollout()).toMatchObject({ phase: 'PROMOTED', outcome: 'promoted' });
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    expect(table.item(deployingIndexKey().pk, deployingIndexKey().sk)).toBeUndefined();
  });

  it('keeps the stable node and service when the policy says so', async () => {
    // Prepare
    const rollout = rolloutInput({ promotion: { deleteStableNode: false, scaleStableServiceToZero: false, drainSeconds: 10 } });

    // Act
    const report = await handler({ rollout }, context);

    // Assess
    expect(report).toEqual({ deletedNodes: [], keptNodes: ['colorteller-v1'], scaledDownServices: [] });
    expect(aws.ecs).not.toHaveReceivedAnyCommand();
    expect(aws.appMesh).toHaveReceivedCommandTimes(DeleteVirtualNodeCommand, 0);
  });

  it('keeps a stable node another route still names', async () => {
    // Prepare
    aws.ecs.on(UpdateServiceCommand).resolves({});
    aws.appMesh.on(DeleteVirtualNodeCommand).rejects(awsError(ResourceInUseException, 'VirtualNode is referenced by route other-route'));

    // Act
    const report = await handler({ rollout: rolloutInput() }, context);

    // Assess
    expect(report).toMatchObject({ deletedNodes: [], keptNodes: ['colorteller-v1'] });
  });

  it('refuses to retire anything once a rollback began during the drain', async () => {
    // Prepare
    table.patch(`ROLLOUT#${rolloutId}`, 'ROLLOUT', { phase: 'ROLLING_BACK' });

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AlarmBreachedError);
    await expect(result).rejects.toThrow(`Rollout ${rolloutId} began rolling back before the stable version was retired`);
    expect(awsCalls()).toEqual(['dynamo.UpdateCommand']);
    expect(table.rollout()).toMatchObject({ phase: 'ROLLING_BACK' });
    expect(aws.appMesh).not.toHaveReceivedAnyCommand();
  });
});
