import { DeleteVirtualNodeCommand, DescribeRouteCommand, DescribeVirtualNodeCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/roll-back/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  colorApp,
  deployingIndexKey,
  canaryDeployment,
  describeRouteOutput,
  ecsService,
  firstDeployment,
  guardedCleanupCalls,
  mutatingCalls,
  lambdaContext,
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

const context = lambdaContext('meshshift-roll-back');
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at checkHealth (/var/task/index.js:1:2)'] });

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
});

/**
 * The color app mid-rollout: the route shifted to `current`, the canary node meshshift made
 * selecting colorteller, which runs this rollout's deployment (unless `canaryService` says otherwise).
 */
function stubRollbackTargets(current = split(25), canaryService = ecsService(), stableService: string = colorApp.stableService) {
  const route = simulateRoute(current);
  stubVirtualNode(colorApp.stableNode, stableService);
  stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);
  aws.appMesh.on(DeleteVirtualNodeCommand).resolves({});
  stubEcsService(canaryService, [policyTag]);
  aws.ecs.on(UpdateServiceCommand).resolves({});
  return route;
}

describe('roll-back handler', () => {
  it('restores the route snapshot, retires the canary, frees the lease and explains why', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(25) }, stepIndex: 1, canaryWeight: 25 })));
    stubRollbackTargets(split(25));
    const event = {
      rolloutId,
      failure: { Error: 'AlarmBreachedError', Cause: lambdaCause('AlarmBreachedError', 'Health check at 25 % failed: alarm(s) in ALARM: colorteller-5xx') },
    };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.error).toBe('AlarmBreachedError');
    expect(result.cause).toBe(
      `Rollout ${rolloutId} rolled back. AlarmBreachedError: Health check at 25 % failed: alarm(s) in ALARM: colorteller-5xx. Routes restored: colorteller-route.`,
    );
    expect(result).toMatchObject({
      report: { rolloutId, outcome: 'rolled-back', restoredRoutes: [colorApp.route], untouchedRoutes: [], editedRoutes: [], keptInUse: [], phase: 'ROLLED_BACK' },
    });
    expect(awsCalls()).toEqual([
      'dynamo.GetCommand',
      'dynamo.UpdateCommand',
      'appMesh.DescribeRouteCommand',
      'appMesh.UpdateRouteCommand',
      // The canary service, then the canary node, each once the cleanup guard read that nothing uses it.
      ...guardedCleanupCalls.scaleDown,
      ...guardedCleanupCalls.deleteNode,
      'dynamo.DeleteCommand',
      'dynamo.UpdateCommand',
      'dynamo.DeleteCommand',
      'dynamo.DeleteCommand',
    ]);
    expect(aws.dynamo).toHaveReceivedNthCommandWith(2, UpdateCommand, {
      TableName: tableName,
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1, :allowed2, :allowed3)',
      ExpressionAttributeValues: expect.objectContaining({ ':phase': 'ROLLING_BACK' }),
    });
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, {
      meshName: colorApp.mesh,
      virtualRouterName: colorApp.virtualRouter,
      routeName: colorApp.route,
      spec: routeSpec(stableOnly),
    });
    expect(aws.appMesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: colorApp.mesh, virtualNodeName: colorApp.stableNode });
    expect(aws.dynamo).toHaveReceivedCommandWith(QueryCommand, { TableName: tableName, IndexName: 'active-rollouts', ExpressionAttributeValues: { ':partition': 'ACTIVE' } });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller'] });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller', desiredCount: 0 });
    expect(aws.appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { meshName: colorApp.mesh, virtualNodeName: colorApp.canaryNode });
    expect(aws.dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE' },
      ConditionExpression: 'rolloutId = :rolloutId',
      ExpressionAttributeValues: { ':rolloutId': rolloutId },
    });
    expect(table.rollout()).toMatchObject({
      phase: 'ROLLED_BACK',
      outcome: 'AlarmBreachedError: Health check at 25 % failed: alarm(s) in ALARM: colorteller-5xx',
    });
    expect(table.item(deployingIndexKey().pk, deployingIndexKey().sk)).toBeUndefined();
  });

  describe('keeps what something still uses, and says why', () => {
    const event = { rolloutId, failure: { Error: 'AlarmBreachedError', Cause: 'alarm colorteller-5xx went into ALARM' } };

    beforeEach(() => {
      table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(25) }, stepIndex: 1, canaryWeight: 25 })));
    });

    it('keeps colorteller running when it also serves the stable node the route goes back to', async () => {
      // Prepare: one ECS service behind both nodes; scaling it down would take the stable version with it.
      const route = stubRollbackTargets(split(25), ecsService(), colorApp.canaryService);

      // Act
      const result = await handler(event, context);

      // Assess
      expect(route.targets).toEqual(stableOnly);
      expect(result.report?.keptInUse).toEqual(['service colorteller: route colorteller-route still sends weight 100 to node colorteller-v1, which selects colorteller']);
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(aws.appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { virtualNodeName: colorApp.canaryNode });
      expect(table.rollout()).toMatchObject({ phase: 'ROLLED_BACK' });
    });

    it('keeps colorteller running when ECS already deploys a newer version of it than this rollout’s', async () => {
      // Prepare
      const newer = { ...canaryDeployment, id: 'ecs-svc/2222222222222222222', createdAt: new Date('2026-11-20T12:40:00Z') };
      stubRollbackTargets(split(25), ecsService({ deployments: [newer, { ...canaryDeployment, status: 'ACTIVE' }, firstDeployment] }));

      // Act
      const result = await handler(event, context);

      // Assess
      expect(result.report?.keptInUse).toEqual([
        `service colorteller: ECS service colorteller now runs deployment ecs-svc/2222222222222222222 (${canaryDeployment.taskDefinition}), not this rollout's`,
      ]);
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    });

    it('keeps the canary node and service another active rollout still uses', async () => {
      // Prepare: a rollout of the same service on another route began since, with the same canary node.
      const otherRoute = 'colorteller-route-2';
      const other = rolloutRecord({ rolloutId: 'default-colorteller-2222222222222222222', deploymentId: 'ecs-svc/2222222222222222222', routes: [otherRoute], startedAt: '2026-11-20T12:40:00Z' });
      table.seed(...activeRolloutItems(other));
      stubRollbackTargets(split(25));

      // Act
      const result = await handler(event, context);

      // Assess
      expect(result.report?.keptInUse).toEqual([
        `service colorteller: rollout ${other.rolloutId} is deploying colorteller`,
        `node colorteller-v2: rollout ${other.rolloutId} still uses node colorteller-v2`,
      ]);
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(aws.appMesh).not.toHaveReceivedCommand(DeleteVirtualNodeCommand);
      expect(table.rollout(other.rolloutId)).toMatchObject({ phase: 'SHIFTING' });
    });
  });

  it('with no registry record (preparation failed) names the original failure and changes nothing', async () => {
    // Prepare
    const event = {
      rolloutId,
      failure: { Error: 'PolicyInvalidError', Cause: lambdaCause('PolicyInvalidError', 'Invalid policy /meshshift/colorteller: policy /meshshift/colorteller.version: Invalid input: expected 1') },
    };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({
      error: 'PolicyInvalidError',
      cause: `Rollout ${rolloutId} did not start, nothing was changed. PolicyInvalidError: Invalid policy /meshshift/colorteller: policy /meshshift/colorteller.version: Invalid input: expected 1`,
    });
    expect(aws.appMesh).not.toHaveReceivedAnyCommand();
    expect(aws.dynamo).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(awsCalls()).toEqual(['dynamo.GetCommand']);
  });

  it('turns a Lambda-style JSON Cause into its message', async () => {
    // Prepare
    const event = { rolloutId, failure: { Error: 'X', Cause: '{"errorType":"X","errorMessage":"msg"}' } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.cause).toBe(`Rollout ${rolloutId} did not start, nothing was changed. X: msg`);
    expect(result.cause).not.toContain('errorType');
  });

  it('keeps a plain-text Cause and names a missing one', async () => {
    // Prepare
    const plain = { rolloutId, failure: { Error: 'States.Timeout', Cause: 'Task timed out after 900.00 seconds' } };
    const bare = { rolloutId, failure: {} };

    // Act
    const first = await handler(plain, context);
    const second = await handler(bare, context);

    // Assess
    expect(first).toEqual({ error: 'States.Timeout', cause: `Rollout ${rolloutId} did not start, nothing was changed. States.Timeout: Task timed out after 900.00 seconds` });
    expect(second).toEqual({ error: 'RolloutFailedError', cause: `Rollout ${rolloutId} did not start, nothing was changed. RolloutFailedError: no cause given` });
  });

  it('leaves a route a person rewrote to other nodes alone and says so', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ canaryNodeCreated: false, rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: false } })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput([{ virtualNode: 'colorteller-v0', weight: 100, port: 9080 }]));
    const event = { rolloutId, failure: { Error: 'CanaryDeploymentFailedError', Cause: lambdaCause('CanaryDeploymentFailedError', 'ECS deployment ecs-svc/1 failed') } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.cause).toBe(
      `Rollout ${rolloutId} rolled back. CanaryDeploymentFailedError: ECS deployment ecs-svc/1 failed. Routes restored: none needed. Left as a person edited them: colorteller-route.`,
    );
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    expect(aws.appMesh).toHaveReceivedCommandTimes(DeleteVirtualNodeCommand, 0);
    expect(aws.ecs).not.toHaveReceivedAnyCommand();
  });

  it('does not write a route that still holds its snapshot', async () => {
    // Prepare: rolled back before any shift, scale-down not wanted, the canary node came from elsewhere.
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'WAITING_FOR_CANARY', canaryNodeCreated: false, rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: false } })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(stableOnly));

    // Act
    const result = await handler({ rolloutId, failure: { Error: 'CanaryDeploymentFailedError', Cause: 'failed' } }, context);

    // Assess
    expect(result.cause).toContain('rolled back');
    expect(result.cause).toContain('Routes restored: none needed.');
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
  });

  it('changes nothing for a rollout that already ended', async () => {
    // Prepare
    table.seed(rolloutItem(rolloutRecord({ phase: 'ROLLED_BACK', outcome: 'alarm colorteller-5xx went into ALARM' })));
    const before = table.rollout();

    // Act
    const result = await handler({ rolloutId, failure: { Error: 'AlarmBreachedError', Cause: 'Execution stopped' } }, context);

    // Assess: the only write is the phase-conditioned one, which DynamoDB refuses for an ended rollout.
    expect(result).toMatchObject({ error: 'AlarmBreachedError', report: { outcome: 'already-ended', phase: 'ROLLED_BACK' } });
    expect((result as { cause: string }).cause).toBe(`Rollout ${rolloutId} had already ended ROLLED_BACK; nothing was rolled back. AlarmBreachedError: Execution stopped`);
    expect(mutatingCalls()).toEqual(['dynamo.UpdateCommand']);
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, { ConditionExpression: expect.stringContaining('#phase IN') });
    expect(table.rollout()).toEqual(before);
    expect(aws.appMesh).not.toHaveReceivedAnyCommand();
    expect(aws.ecs).not.toHaveReceivedAnyCommand();
  });
});
