import { DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AlarmBreachedError, RouteEditedError } from '../../../functions/shared/domain/errors';
import { handler } from '../../../functions/shift-traffic/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  colorApp,
  describeRouteOutput,
  expectNoMutatingCall,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
  routeSpec,
  simulateRoute,
  split,
  stableOnly,
  tableName,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-shift-traffic');

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  aws.appMesh.on(UpdateRouteCommand).resolves({});
});

describe('shift-traffic handler', () => {
  it('writes the first step (10 %) over the route, keeping the rest of its spec, and records what it wrote', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'WAITING_FOR_CANARY' })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(stableOnly));
    const rollout = rolloutInput({ stepIndex: 0 });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toEqual(rollout);
    expect(awsCalls()).toEqual(['dynamo.GetCommand', 'appMesh.DescribeRouteCommand', 'appMesh.UpdateRouteCommand', 'dynamo.UpdateCommand']);
    expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' }, ConsistentRead: true });
    expect(aws.appMesh).toHaveReceivedCommandWith(DescribeRouteCommand, { meshName: 'colorapp', virtualRouterName: 'colorteller-vr', routeName: 'colorteller-route' });
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 1);
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, {
      meshName: 'colorapp',
      virtualRouterName: 'colorteller-vr',
      routeName: 'colorteller-route',
      spec: routeSpec([
        { virtualNode: 'colorteller-v1', weight: 90, port: 9080 },
        { virtualNode: 'colorteller-v2', weight: 10, port: 9080 },
      ]),
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1, :allowed2)',
      ExpressionAttributeValues: expect.objectContaining({
        ':phase': 'SHIFTING',
        ':stepIndex': 0,
        ':canaryWeight': 10,
        ':lastWrittenTargets': { 'colorteller-route': split(10) },
        ':allowed0': 'PREPARING',
        ':allowed1': 'WAITING_FOR_CANARY',
        ':allowed2': 'SHIFTING',
      }),
    });
    expect(table.rollout()).toMatchObject({ phase: 'SHIFTING', canaryWeight: 10, lastWrittenTargets: { 'colorteller-route': split(10) } });
  });

  it('moves from the last written step to the next one (25 % to 50 %)', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(25) }, stepIndex: 1, canaryWeight: 25 })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(25)));

    // Act
    await handler({ rollout: rolloutInput({ stepIndex: 2 }) }, context);

    // Assess
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, { spec: routeSpec(split(50)) });
    expect(table.rollout()).toMatchObject({ stepIndex: 2, canaryWeight: 50 });
  });

  it('writes nothing on a retry after its write landed', async () => {
    // Prepare: the route already holds 10 %, but the registry update was lost.
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'WAITING_FOR_CANARY' })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(10)));

    // Act
    await handler({ rollout: rolloutInput() }, context);

    // Assess
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    expect(table.rollout()).toMatchObject({ phase: 'SHIFTING', lastWrittenTargets: { 'colorteller-route': split(10) } });
  });

  it('stops with RouteEditedError and does not write when a person edited the route', async () => {
    // Prepare: meshshift last wrote 90/10, someone put 50 % on another node.
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(10) }, stepIndex: 0, canaryWeight: 10 })));
    aws.appMesh.on(DescribeRouteCommand).resolves(
      describeRouteOutput([
        { virtualNode: 'colorteller-v1', weight: 50, port: 9080 },
        { virtualNode: 'colorteller-v3', weight: 50, port: 9080 },
      ]),
    );

    // Act
    const result = handler({ rollout: rolloutInput({ stepIndex: 1 }) }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(RouteEditedError);
    await expect(result).rejects.toThrow(
      'Route colorteller-route was changed outside meshshift: it holds colorteller-v1=50, colorteller-v3=50, but meshshift last wrote colorteller-v1=90, colorteller-v2=10.',
    );
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    expectNoMutatingCall();
  });

  it('also treats a changed weight between our own nodes as a person’s edit', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(10) } })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(40)));

    // Act
    const result = handler({ rollout: rolloutInput({ stepIndex: 1 }) }, context);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RouteEditedError' });
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
  });

  it('moves no traffic once a rollback has begun, only checking that no earlier write of its own outlived the restore', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'ROLLING_BACK' })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(stableOnly));

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AlarmBreachedError);
    await expect(result).rejects.toThrow(`Rollout ${rolloutId} is ROLLING_BACK; no traffic moved`);
    expect(aws.appMesh).toHaveReceivedCommandTimes(DescribeRouteCommand, 1);
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
  });

  it('undoes its own write when a rollback began while it wrote', async () => {
    // Prepare: the alarm handler marks the rollout ROLLING_BACK right after our read of the route.
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'WAITING_FOR_CANARY', rollbackOptions: { deleteCanaryNode: false, scaleCanaryServiceToZero: false } })));
    let reads = 0;
    const route = simulateRoute(stableOnly, colorApp.route, () => {
      reads += 1;
      if (reads === 1) table.patch(`ROLLOUT#${rolloutId}`, 'ROLLOUT', { phase: 'ROLLING_BACK' });
    });

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toThrow(`Rollout ${rolloutId} began rolling back during the shift; the route is restored`);
    const writes = aws.appMesh.commandCalls(UpdateRouteCommand).map((call) => call.args[0].input.spec);
    expect(writes).toEqual([routeSpec(split(10)), routeSpec(stableOnly)]);
    expect(route.targets).toEqual(stableOnly);
    // The rollback that began finishes the cleanup (and Roll back follows this error): shifting never retires anything.
    expect(table.rollout()).toMatchObject({ phase: 'ROLLING_BACK' });
  });
});
