import { DescribeRouteCommand, DescribeVirtualNodeCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ClientException, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/prepare-rollout/handler';
import { InvalidInputError, NoMeshProxyError, PolicyInvalidError, ResourceMissingError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  awsError,
  canaryServiceArn,
  canaryTaskDefinitionArn,
  colorApp,
  defaultColorAppPolicy,
  deploymentId,
  describeRouteOutput,
  describeVirtualNodeOutput,
  ecsService,
  executionArn,
  expectNoAwsCall,
  expectNoMutatingCall,
  lambdaContext,
  leaseItem,
  mutatingCalls,
  notFound,
  policyDocument,
  policyTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutItem,
  rolloutRecord,
  routeLeaseKey,
  routeSpec,
  simulateRoute,
  split,
  stableOnly,
  tableName,
  taskDefinition,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-prepare-rollout');
const execution = { name: rolloutId, arn: executionArn, startTime: '2026-11-20T12:31:11.204Z' };
const deploymentRequest = { cluster: colorApp.cluster, service: colorApp.canaryService, deploymentId, deploymentStartedAt: '2026-11-20T12:31:10Z' };

let table: RegistryTable;

/** The color app as it stands when a deployment of `colorteller` starts: everything a rollout needs exists. */
function stubHealthyColorApp() {
  aws.ecs.on(DescribeServicesCommand).resolves({ services: [ecsService()], failures: [] });
  aws.ecs.on(ListTagsForResourceCommand).resolves({ tags: [policyTag] });
  aws.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition() });
  aws.ssm.on(GetParameterCommand).resolves({ Parameter: { Name: colorApp.policyParameter, Type: 'String', Value: JSON.stringify(defaultColorAppPolicy), Version: 1 } });
  aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(stableOnly));
  aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.stableNode }).resolves(describeVirtualNodeOutput(colorApp.stableNode, colorApp.stableService));
  aws.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: colorApp.alarm, StateValue: 'OK' }], CompositeAlarms: [] });
}

function storedPolicy(document: unknown) {
  aws.ssm.on(GetParameterCommand).resolves({ Parameter: { Name: colorApp.policyParameter, Type: 'String', Value: typeof document === 'string' ? document : JSON.stringify(document) } });
}

beforeEach(() => {
  table = resetAws();
  stubHealthyColorApp();
});

describe('prepare-rollout handler', () => {
  it('validates everything, takes the route lease and snapshots the route for a tagged service (deployment event)', async () => {
    // Prepare
    const event = { request: deploymentRequest, execution };

    // Act
    const rollout = await handler(event, context);

    // Assess
    expect(rollout).toEqual(rolloutInput());
    expect(awsCalls()).toEqual([
      'ecs.DescribeServicesCommand',
      'ecs.ListTagsForResourceCommand',
      'ssm.GetParameterCommand',
      'ecs.DescribeTaskDefinitionCommand',
      'appMesh.DescribeRouteCommand',
      'cloudWatch.DescribeAlarmsCommand',
      'appMesh.DescribeVirtualNodeCommand',
      'dynamo.GetCommand',
      'dynamo.PutCommand',
      'appMesh.DescribeRouteCommand',
      'dynamo.PutCommand',
      'dynamo.PutCommand',
      'dynamo.PutCommand',
      'dynamo.GetCommand',
    ]);
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller'] });
    expect(aws.ecs).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: canaryServiceArn });
    expect(aws.ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/meshshift/colorteller', WithDecryption: true });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: canaryTaskDefinitionArn });
    expect(aws.appMesh).toHaveReceivedCommandWith(DescribeRouteCommand, { meshName: 'colorapp', virtualRouterName: 'colorteller-vr', routeName: 'colorteller-route' });
    expect(aws.appMesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: 'colorapp', virtualNodeName: 'colorteller-v1' });
    expect(aws.cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['colorteller-5xx'], MaxRecords: 100 });
    expect(aws.dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: tableName,
      Item: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE', gsi1pk: 'LEASE', gsi1sk: routeLeaseKey, routeKey: routeLeaseKey, rolloutId, startedAt: '2026-11-20T12:31:10.000Z' },
      ConditionExpression: 'attribute_not_exists(pk) OR rolloutId = :rolloutId',
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({
        pk: `ROLLOUT#${rolloutId}`,
        sk: 'ROLLOUT',
        gsi1pk: 'ACTIVE',
        gsi1sk: `2026-11-20T12:31:10.000Z#${rolloutId}`,
        phase: 'PREPARING',
        executionArn,
        deploymentId,
        taskDefinitionArn: canaryTaskDefinitionArn,
        canaryNode: 'colorteller-v2',
        canaryNodeCreated: false,
        stableNode: 'colorteller-v1',
        originalTargets: { 'colorteller-route': stableOnly },
        lastWrittenTargets: { 'colorteller-route': stableOnly },
        stepIndex: -1,
        canaryWeight: 0,
        rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
      }),
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(PutCommand, { Item: { pk: 'ALARM#colorteller-5xx', sk: `ROLLOUT#${rolloutId}`, rolloutId } });
    expect(aws.dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: tableName,
      Item: { pk: 'DEPLOYING#default/colorteller', sk: `TASKDEF#${canaryTaskDefinitionArn}`, rolloutId },
    });
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    expect(mutatingCalls()).toEqual(['dynamo.PutCommand', 'dynamo.PutCommand', 'dynamo.PutCommand', 'dynamo.PutCommand']);
  });

  it('runs a manual rollout of a task definition with an inline policy without reading SSM', async () => {
    // Prepare
    const policy = policyDocument({ schedule: { type: 'linear', stepPercent: 30, everySeconds: 120 } });
    const event = { request: { cluster: 'default', service: 'colorteller', taskDefinition: 'colorteller:2', policy }, execution: { ...execution, name: 'manual-colorteller-1' } };

    // Act
    const rollout = await handler(event, context);

    // Assess
    expect(rollout).toEqual(
      rolloutInput({ rolloutId: 'manual-colorteller-1', deploymentId: undefined, deployTaskDefinition: true, weights: [30, 60, 90, 100], bakeSeconds: 120 }),
    );
    expect(aws.ssm).not.toHaveReceivedAnyCommand();
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'colorteller:2' });
    // Without a deploymentStartedAt, the execution's start orders competing rollouts.
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toMatchObject({ rolloutId: 'manual-colorteller-1', startedAt: execution.startTime });
  });

  it('on a retry returns the first snapshot and writes nothing', async () => {
    // Prepare: the first attempt stored its record, then the route moved to 10 %.
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'PREPARING' })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(10)));

    // Act
    const rollout = await handler({ request: deploymentRequest, execution }, context);

    // Assess
    expect(rollout).toEqual(rolloutInput());
    expectNoMutatingCall();
  });

  // Source bug: rollBackRollout() releases the older rollout's lease, so the conditional
  // takeOverRoute() that follows (rolloutId = <older id>) finds no item and fails; prepare
  // then throws TransientAwsError "changed hands" although nobody else took the route.
  it('rolls back and stops an older active rollout of the route, then takes the route over', async () => {
    // Prepare
    const olderId = 'default-colorteller-1111111111111111111';
    const olderArn = `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${olderId}`;
    table.seed(
      ...activeRolloutItems(
        rolloutRecord({
          rolloutId: olderId,
          executionArn: olderArn,
          startedAt: '2026-11-20T11:00:00Z',
          taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:1',
          lastWrittenTargets: { [colorApp.route]: split(25) },
          rollbackOptions: { deleteCanaryNode: false, scaleCanaryServiceToZero: false },
        }),
      ),
    );
    const route = simulateRoute(split(25));
    aws.sfn.on(StopExecutionCommand).resolves({});

    // Act
    const rollout = await handler({ request: deploymentRequest, execution }, context);

    // Assess
    expect(rollout).toEqual(rolloutInput());
    expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 1);
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, { routeName: colorApp.route, spec: routeSpec(stableOnly) });
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn: olderArn,
      error: 'RolloutSupersededError',
      cause: `Rolled back: superseded by newer rollout ${rolloutId}`,
    });
    expect(table.rollout(olderId)).toMatchObject({ phase: 'ROLLED_BACK' });
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toMatchObject({ rolloutId });
    expect(table.rollout()).toMatchObject({ phase: 'PREPARING', originalTargets: { [colorApp.route]: stableOnly } });
    expect(route.targets).toEqual(stableOnly);
  });

  describe('bad inputs: a clear error and no mutating call', () => {
    const stored = (document: unknown) => () => storedPolicy(document);
    const inline = (policy: unknown) => ({ request: { ...deploymentRequest, policy }, execution });
    const byDeployment = { request: deploymentRequest, execution };
    const noStubChange = () => undefined;

    it.each<[string, unknown, () => void, new (...args: never[]) => Error, string | RegExp]>([
      // Malformed manual input
      ['missing service', { request: { cluster: 'default', taskDefinition: 'colorteller:2' }, execution }, noStubChange, InvalidInputError, 'input.service'],
      ['a bad deploymentId', { request: { ...deploymentRequest, deploymentId: '0123456789' }, execution }, noStubChange, InvalidInputError, 'input.deploymentId: must look like ecs-svc/<digits>'],
      [
        'both taskDefinition and deploymentId',
        { request: { ...deploymentRequest, taskDefinition: 'colorteller:2' }, execution },
        noStubChange,
        InvalidInputError,
        'input.taskDefinition: give either taskDefinition',
      ],
      ['an unknown field', { request: { ...deploymentRequest, colour: 'green' }, execution }, noStubChange, InvalidInputError, /^Invalid rollout input: input: .*"colour"/],
      ['a bad deploymentStartedAt', { request: { ...deploymentRequest, deploymentStartedAt: 'noon' }, execution }, noStubChange, InvalidInputError, 'input.deploymentStartedAt'],
      ['no request at all', { request: null, execution }, noStubChange, InvalidInputError, 'Invalid rollout input: input: '],
      // Service
      [
        'a service that does not exist',
        byDeployment,
        () => aws.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: canaryServiceArn, reason: 'MISSING' }] }),
        ResourceMissingError,
        'ECS service colorteller was not found in cluster default',
      ],
      ['a service not opted in, without inline policy', byDeployment, () => aws.ecs.on(ListTagsForResourceCommand).resolves({ tags: [] }), InvalidInputError, 'is not opted in: it has no meshshift:policy tag'],
      [
        'a policy tag outside the policy prefix',
        byDeployment,
        () => aws.ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'meshshift:policy', value: '/other-team/colorteller' }] }),
        InvalidInputError,
        'outside the policy prefix /meshshift/',
      ],
      [
        'a deployment the service does not have',
        { request: { ...deploymentRequest, deploymentId: 'ecs-svc/999' }, execution },
        noStubChange,
        InvalidInputError,
        'ECS service colorteller has no deployment ecs-svc/999',
      ],
      // Inline policy mistakes
      ['an inline policy that is not JSON', inline('{"version": 1,'), noStubChange, PolicyInvalidError, 'input.policy is not valid JSON'],
      ['an inline policy of the wrong version', inline(policyDocument({ version: 2 })), noStubChange, PolicyInvalidError, 'input.policy.version'],
      [
        'inline steps not ending at 100',
        inline(policyDocument({ schedule: { type: 'steps', steps: [10, 50] } })),
        noStubChange,
        PolicyInvalidError,
        'input.policy.schedule.steps: must end at 100',
      ],
      ['an unknown inline policy field', inline({ ...defaultColorAppPolicy, bakeSecs: 60 }), noStubChange, PolicyInvalidError, /input\.policy: .*"bakeSecs"/],
      [
        'a bad inline route name',
        inline(policyDocument({ routes: ['colorteller route'] })),
        noStubChange,
        PolicyInvalidError,
        'input.policy.routes[0]: must use only letters, digits, - and _',
      ],
      // SSM-stored policy mistakes
      ['bad JSON text in SSM', byDeployment, stored('version: 1\nmesh: colorapp'), PolicyInvalidError, 'policy /meshshift/colorteller is not valid JSON'],
      ['a stored policy of the wrong version', byDeployment, stored(policyDocument({ version: 2 })), PolicyInvalidError, 'policy /meshshift/colorteller.version'],
      [
        'stored steps not ending at 100',
        byDeployment,
        stored(policyDocument({ schedule: { type: 'steps', steps: [10, 25, 50] } })),
        PolicyInvalidError,
        'policy /meshshift/colorteller.schedule.steps: must end at 100',
      ],
      ['an unknown stored policy field', byDeployment, stored({ ...defaultColorAppPolicy, alarm: 'colorteller-5xx' }), PolicyInvalidError, /policy \/meshshift\/colorteller: .*"alarm"/],
      [
        'a bad stored route name',
        byDeployment,
        stored(policyDocument({ routes: ['colorteller/route'] })),
        PolicyInvalidError,
        'policy /meshshift/colorteller.routes[0]: must use only letters, digits, - and _',
      ],
      [
        'a stored policy for another mesh than MESH_NAME',
        byDeployment,
        stored(policyDocument({ mesh: 'othermesh' })),
        InvalidInputError,
        'Policy names mesh othermesh, but this meshshift deployment may only change mesh colorapp',
      ],
      ['an inline policy for another mesh', inline(policyDocument({ mesh: 'othermesh' })), noStubChange, InvalidInputError, 'Policy names mesh othermesh'],
      [
        'a missing SSM parameter (ParameterNotFound)',
        byDeployment,
        () => aws.ssm.on(GetParameterCommand).rejects(awsError(ParameterNotFound, 'Parameter /meshshift/colorteller not found.')),
        ResourceMissingError,
        'GetParameter /meshshift/colorteller',
      ],
      // Task definition
      [
        'a task definition without App Mesh proxy',
        byDeployment,
        () => aws.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...taskDefinition(), proxyConfiguration: undefined } }),
        NoMeshProxyError,
        `${canaryTaskDefinitionArn} has no App Mesh proxy`,
      ],
      [
        'a task definition for another mesh',
        byDeployment,
        () => {
          const definition = taskDefinition();
          const envoy = definition.containerDefinitions[1];
          if (envoy) envoy.environment = [{ name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:111122223333:mesh/othermesh/virtualNode/colorteller-v2' }];
          aws.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition });
        },
        InvalidInputError,
        'serves mesh othermesh, but the policy names mesh colorapp',
      ],
      [
        'a task definition that does not exist',
        { request: { cluster: 'default', service: 'colorteller', taskDefinition: 'colorteller:99' }, execution },
        () => aws.ecs.on(DescribeTaskDefinitionCommand).rejects(awsError(ClientException, 'Unable to describe task definition.')),
        ResourceMissingError,
        'DescribeTaskDefinition colorteller:99',
      ],
      // Mesh and alarms
      [
        'a missing route (NotFoundException)',
        byDeployment,
        () => aws.appMesh.on(DescribeRouteCommand).rejects(notFound('Route not found')),
        ResourceMissingError,
        'DescribeRoute route colorteller-route of virtual router colorteller-vr in mesh colorapp',
      ],
      [
        'a route that already sends everything to the canary',
        byDeployment,
        () => aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }])),
        InvalidInputError,
        'Route colorteller-route cannot be shifted to colorteller-v2',
      ],
      [
        'a missing alarm (DescribeAlarms returns nothing)',
        byDeployment,
        () => aws.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] }),
        ResourceMissingError,
        'CloudWatch alarm(s) not found: colorteller-5xx',
      ],
    ])('rejects %s', async (_case, event, arrange, ErrorClass, message) => {
      // Prepare
      arrange();

      // Act
      const result = handler(event as Parameters<typeof handler>[0], context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(ErrorClass);
      await expect(result).rejects.toThrow(message);
      expectNoMutatingCall();
      expect(table.rollout()).toBeUndefined();
      expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    });

    it('rejects malformed input before any AWS call', async () => {
      // Prepare
      const event = { request: { cluster: 'default', service: 'colorteller', deploymentId: 'nope', unknown: true }, execution };

      // Act
      const result = handler(event, context);

      // Assess
      await expect(result).rejects.toThrow(/input\.deploymentId: must look like ecs-svc\/<digits>.*"unknown"|"unknown".*input\.deploymentId/);
      expectNoAwsCall();
    });

    it('rejects a missing stable node, naming it, without touching the mesh or ECS', async () => {
      // Prepare
      aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.stableNode }).rejects(notFound('VirtualNode not found'));

      // Act
      const result = handler(byDeployment, context);

      // Assess
      await expect(result).rejects.toThrow("Virtual node colorteller-v1, a target of the rollout's routes, does not exist in mesh colorapp");
      expect(mutatingCalls().filter((call) => !call.startsWith('dynamo.'))).toEqual([]);
      expect(table.rollout()).toBeUndefined();
    });

    // Source bug: prepare-rollout checks the stable node only after takeRoutes() has put the
    // route lease, and does not give the lease back when the check fails (roll-back finds no
    // rollout record and returns without releasing it either).
    it('rejects a missing stable node without leaving a route lease behind', async () => {
      // Prepare
      aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.stableNode }).rejects(notFound('VirtualNode not found'));

      // Act
      await handler(byDeployment, context).catch(() => undefined);

      // Assess
      expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
      expectNoMutatingCall();
    });

    it('rejects a route held by a newer rollout, giving back nothing it did not take', async () => {
      // Prepare
      const newerId = 'default-colorteller-9999999999999999999';
      table.seed(rolloutItem(rolloutRecord({ rolloutId: newerId, startedAt: '2026-11-20T13:00:00Z', taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:3' })));
      table.seed(leaseItem(routeLeaseKey, newerId, '2026-11-20T13:00:00Z'));

      // Act
      const result = handler(byDeployment, context);

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'RolloutSupersededError', message: expect.stringContaining(`belongs to newer rollout ${newerId}`) });
      expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toMatchObject({ rolloutId: newerId });
      expect(aws.dynamo).toHaveReceivedCommandTimes(DeleteCommand, 0);
      expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE' } });
      expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
    });
  });
});
