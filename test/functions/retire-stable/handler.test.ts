import { DeleteVirtualNodeCommand, ResourceInUseException } from '@aws-sdk/client-app-mesh';
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
  guardedCleanupCalls,
  lambdaContext,
  pairTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
  routeLeaseKey,
  canaryOnly,
  settledEcsService,
  simulateRoute,
  split,
  stubEcsService,
  stubVirtualNode,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-retire-stable');

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: canaryOnly }, stepIndex: 4, canaryWeight: 100 })));
  // The route sends everything to the canary; blue has run the same settled deployment since long before the rollout.
  simulateRoute(canaryOnly);
  stubVirtualNode(colorApp.stableNode, colorApp.stableService);
  stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);
  stubEcsService(settledEcsService(), [pairTag]);
});

describe('retire-stable handler', () => {
  it('marks the rollout PROMOTED, scales the stable service to zero, deletes the stable node and frees the lease', async () => {
    // Prepare
    aws.ecs.on(UpdateServiceCommand).resolves({});
    aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});

    // Act
    const report = await handler({ rollout: rolloutInput({ stepIndex: 4 }) }, context);

    // Assess
    expect(report).toEqual({ deletedNodes: ['colorteller-v1'], keptNodes: [], scaledDownServices: ['colorteller-blue'], keptInUse: [] });
    expect(awsCalls()).toEqual([
      'dynamo.UpdateCommand',
      'dynamo.DeleteCommand',
      'dynamo.DeleteCommand',
      'appMesh.DescribeVirtualNodeCommand',
      // Blue, then the stable node, each once the cleanup guard read that nothing uses it.
      ...guardedCleanupCalls.scaleDown,
      ...guardedCleanupCalls.deleteNode,
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
    expect(report).toEqual({ deletedNodes: [], keptNodes: ['colorteller-v1'], scaledDownServices: [], keptInUse: [] });
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
    expect(report).toMatchObject({ deletedNodes: [], keptNodes: ['colorteller-v1'], keptInUse: [] });
  });

  describe('keeps what something still uses, and says why', () => {
    beforeEach(() => {
      aws.ecs.on(UpdateServiceCommand).resolves({});
      aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});
    });

    it('keeps blue running when ECS began a newer deployment of it after the rollout started', async () => {
      // Prepare: someone deployed blue again at 12:50, after colorteller's rollout began (12:31:10).
      stubEcsService(settledEcsService(colorApp.stableService, { id: 'ecs-svc/3333333333333333333', createdAt: new Date('2026-11-20T12:50:00Z') }), [pairTag]);

      // Act
      const report = await handler({ rollout: rolloutInput() }, context);

      // Assess
      expect(report.keptInUse).toEqual([
        'service colorteller-blue: ECS service colorteller-blue got deployment ecs-svc/3333333333333333333 at 2026-11-20T12:50:00.000Z, after this rollout began',
      ]);
      expect(report.scaledDownServices).toEqual([]);
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    });

    it('keeps blue running while ECS is still deploying it', async () => {
      // Prepare
      stubEcsService(settledEcsService(colorApp.stableService, { rolloutState: 'IN_PROGRESS' }), [pairTag]);

      // Act
      const report = await handler({ rollout: rolloutInput() }, context);

      // Assess
      expect(report.keptInUse).toEqual(['service colorteller-blue: ECS service colorteller-blue is deploying ecs-svc/1000000000000000001']);
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    });

    it('keeps the stable node and blue while a person has sent the route back to them', async () => {
      // Prepare: during the drain, a person put 20 % back on the stable node.
      simulateRoute(split(80));

      // Act
      const report = await handler({ rollout: rolloutInput() }, context);

      // Assess
      expect(report).toEqual({
        deletedNodes: [],
        keptNodes: ['colorteller-v1'],
        scaledDownServices: [],
        keptInUse: [
          'service colorteller-blue: route colorteller-route still sends weight 20 to node colorteller-v1, which selects colorteller-blue',
          'node colorteller-v1: route colorteller-route still sends node colorteller-v1 weight 20',
        ],
      });
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(aws.appMesh).not.toHaveReceivedCommand(DeleteVirtualNodeCommand);
      expect(table.rollout()).toMatchObject({ phase: 'PROMOTED' });
    });
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
