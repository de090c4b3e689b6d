import { DescribeRouteCommand, DescribeVirtualNodeCommand, ListTagsForResourceCommand as ListMeshTagsCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ClientException, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/prepare-rollout/handler';
import { InvalidInputError, NoMeshProxyError, PolicyInvalidError, ResourceMissingError, RolloutSupersededError, RouteNotOwnedError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  awsError,
  canaryDeployment,
  canaryServiceArn,
  canaryTaskDefinitionArn,
  colorApp,
  defaultColorAppPolicy,
  deploymentId,
  describeRouteOutput,
  ecsService,
  ecsServiceArn,
  executionArn,
  expectNoAwsCall,
  expectNoMutatingCall,
  firstDeployment,
  lambdaContext,
  leaseItem,
  mutatingCalls,
  notFound,
  policyDocument,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutItem,
  rolloutRecord,
  routeArn,
  routeLeaseKey,
  routeSpec,
  settledEcsService,
  sharedWithTag,
  simulateRoute,
  split,
  stableOnly,
  stableServiceArn,
  stubColorAppServices,
  stubEcsService,
  stubRouteTags,
  stubVirtualNode,
  tableName,
  taskDefinition,
  virtualRouterArn,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-prepare-rollout');
const execution = { name: rolloutId, arn: executionArn, startTime: '2026-11-20T12:31:11.204Z' };
/** What the deployment event handler sends: which deployment, never when it began (Prepare reads that from ECS). */
const deploymentRequest = { cluster: colorApp.cluster, service: colorApp.canaryService, deploymentId };

let table: RegistryTable;

/** The color app as it stands when a deployment of `colorteller` starts: everything a rollout needs exists. */
function stubHealthyColorApp() {
  stubColorAppServices();
  aws.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition() });
  aws.ssm.on(GetParameterCommand).resolves({ Parameter: { Name: colorApp.policyParameter, Type: 'String', Value: JSON.stringify(defaultColorAppPolicy), Version: 1 } });
  aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(stableOnly));
  stubVirtualNode(colorApp.stableNode, colorApp.stableService);
  // The canary node does not exist yet: Ensure canary node makes it after Prepare.
  stubVirtualNode(colorApp.canaryNode);
  aws.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: colorApp.alarm, StateValue: 'OK' }], CompositeAlarms: [] });
}

function storedPolicy(document: unknown) {
  aws.ssm.on(GetParameterCommand).resolves({ Parameter: { Name: colorApp.policyParameter, Type: 'String', Value: typeof document === 'string' ? document : JSON.stringify(document) } });
}

/** Nothing was written: no mutating AWS call, no rollout record, no route lease. */
function expectNothingChanged() {
  expectNoMutatingCall();
  expect(table.rollout()).toBeUndefined();
  expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
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
      // Ownership: the stable node selects colorteller-blue, whose pair tag names colorteller; the canary node is not made yet.
      'appMesh.DescribeVirtualNodeCommand',
      'ecs.DescribeServicesCommand',
      'ecs.ListTagsForResourceCommand',
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
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller-blue'] });
    expect(aws.ecs).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: stableServiceArn });
    expect(aws.appMesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: 'colorapp', virtualNodeName: 'colorteller-v2' });
    // The pair tag proves ownership, so the platform's grants on the route are not read.
    expect(aws.appMesh).not.toHaveReceivedCommand(ListMeshTagsCommand);
    expect(aws.cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['colorteller-5xx'], MaxRecords: 100 });
    // The rollout began when ECS created the deployment (12:31:10), not when its execution started (12:31:11.204).
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
      rolloutInput({ rolloutId: 'manual-colorteller-1', deploymentId: undefined, deployTaskDefinition: true, weights: [30, 60, 90, 100], bakeSeconds: 120, bakeWaitSeconds: 120 }),
    );
    expect(aws.ssm).not.toHaveReceivedAnyCommand();
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'colorteller:2' });
    // A rollout that deploys its own task definition began with its execution.
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toMatchObject({ rolloutId: 'manual-colorteller-1', startedAt: execution.startTime });
  });

  it('on a retry returns the first snapshot and writes nothing', async () => {
    // Prepare: the first attempt stored its record, then the route moved to 10 % of the canary node, which selects colorteller.
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'PREPARING' })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(10)));
    stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);

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
    const olderId = 'default-colorteller-1010101010101010101';
    const olderArn = `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${olderId}`;
    const olderDeployment = {
      id: 'ecs-svc/1010101010101010101',
      status: 'ACTIVE',
      taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:1',
      rolloutState: 'IN_PROGRESS' as const,
      createdAt: new Date('2026-11-20T11:00:00Z'),
    };
    table.seed(
      ...activeRolloutItems(
        rolloutRecord({
          rolloutId: olderId,
          executionArn: olderArn,
          startedAt: '2026-11-20T11:00:00Z',
          taskDefinitionArn: olderDeployment.taskDefinition,
          deploymentId: olderDeployment.id,
          lastWrittenTargets: { [colorApp.route]: split(25) },
          rollbackOptions: { deleteCanaryNode: false, scaleCanaryServiceToZero: false },
        }),
      ),
    );
    // ECS lists the older rollout's deployment after ours: ours replaced it.
    stubColorAppServices(ecsService({ deployments: [canaryDeployment, olderDeployment, firstDeployment] }));
    stubVirtualNode(colorApp.canaryNode, colorApp.canaryService);
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
    // Which deployment is newer is read from ECS again once the route turns out to be held.
    expect(aws.ecs.commandCalls(DescribeServicesCommand, { services: [colorApp.canaryService] })).toHaveLength(2);
  });

  describe('route ownership: a rollout changes only routes its service owns', () => {
    /** The route as another team has it: its node selects payments, whose pair tag names only payments' own canary. */
    function stubPaymentsRoute() {
      stubVirtualNode(colorApp.stableNode, 'payments');
      stubEcsService(settledEcsService('payments'), [{ key: 'meshshift:pair', value: 'payments-canary' }]);
    }

    it('refuses another team’s route, naming the route and its node, with no mutating call', async () => {
      // Prepare
      stubPaymentsRoute();
      stubRouteTags();

      // Act
      const result = handler({ request: deploymentRequest, execution }, context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(RouteNotOwnedError);
      await expect(result).rejects.toThrow(
        'ECS service colorteller may not roll out this route: route colorteller-route names node colorteller-v1, which selects ECS service payments; ' +
          'payments does not name colorteller in its meshshift:pair tag, and the route has no meshshift:shared-with tag granting it. Nothing was changed',
      );
      expect(aws.ecs).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ecsServiceArn('payments') });
      expect(aws.appMesh).toHaveReceivedCommandWith(ListMeshTagsCommand, { resourceArn: virtualRouterArn });
      expect(aws.appMesh).toHaveReceivedCommandWith(ListMeshTagsCommand, { resourceArn: routeArn() });
      expectNothingChanged();
    });

    it.each([
      ['the route’s meshshift:shared-with tag names colorteller', { route: [sharedWithTag('colorteller-green, colorteller')] }],
      ['the router’s meshshift:shared-with tag is *', { router: [sharedWithTag('*')] }],
    ])('rolls out the same route when %s (the platform team’s grant)', async (_case, tags) => {
      // Prepare
      stubPaymentsRoute();
      stubRouteTags(tags);

      // Act
      const rollout = await handler({ request: deploymentRequest, execution }, context);

      // Assess
      expect(rollout).toEqual(rolloutInput());
      expect(aws.appMesh).toHaveReceivedCommandWith(ListMeshTagsCommand, { resourceArn: routeArn() });
      expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toMatchObject({ rolloutId });
      expect(table.rollout()).toMatchObject({ phase: 'PREPARING', stableNode: colorApp.stableNode });
      expect(aws.appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
    });
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
      ['no request at all', { request: null, execution }, noStubChange, InvalidInputError, 'Invalid rollout input: input: '],
      [
        'a cluster other than CLUSTER_NAME',
        { request: { ...deploymentRequest, cluster: 'payments' }, execution },
        noStubChange,
        InvalidInputError,
        'input.cluster is payments, but this meshshift deployment rolls out services of cluster default only',
      ],
      // Service
      [
        'a service that does not exist',
        byDeployment,
        () => aws.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: canaryServiceArn, reason: 'MISSING' }] }),
        ResourceMissingError,
        'ECS service colorteller was not found in cluster default',
      ],
      ['a service not opted in, without inline policy', byDeployment, () => stubEcsService(ecsService(), []), InvalidInputError, 'is not opted in: it has no meshshift:policy tag (an inline policy does not opt a service in)'],
      [
        'a policy tag outside the policy prefix',
        byDeployment,
        () => stubEcsService(ecsService(), [{ key: 'meshshift:policy', value: '/other-team/colorteller' }]),
        InvalidInputError,
        'outside the policy prefix /meshshift/',
      ],
      // Deployments: only the one ECS deploys now may be rolled out, however late its event came.
      [
        'a deployment the service does not have',
        { request: { ...deploymentRequest, deploymentId: 'ecs-svc/999' }, execution },
        noStubChange,
        RolloutSupersededError,
        `ECS deployment ecs-svc/999 of colorteller is no longer listed; ECS now deploys ${deploymentId}`,
      ],
      [
        'a deployment ECS has replaced (ACTIVE, not PRIMARY)',
        { request: { ...deploymentRequest, deploymentId: firstDeployment.id }, execution },
        noStubChange,
        RolloutSupersededError,
        `ECS deployment ${firstDeployment.id} of colorteller is ACTIVE; ECS now deploys ${deploymentId}`,
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
        'a policy for a mesh owned by another account than MESH_OWNER',
        inline(policyDocument({ meshOwner: '444455556666' })),
        noStubChange,
        InvalidInputError,
        'Policy names mesh owner 444455556666, but this meshshift deployment may only change the mesh owned by 111122223333',
      ],
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
      [
        'a canary node that already exists and selects another service',
        byDeployment,
        () => stubVirtualNode(colorApp.canaryNode, 'payments'),
        RouteNotOwnedError,
        'announces node colorteller-v2, which already exists and selects ECS service payments',
      ],
    ])('rejects %s', async (_case, event, arrange, ErrorClass, message) => {
      // Prepare
      arrange();

      // Act
      const result = handler(event as Parameters<typeof handler>[0], context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(ErrorClass);
      await expect(result).rejects.toThrow(message);
      expectNothingChanged();
    });

    it.each([
      ['a forged start time that would make it look newer than any real deployment', '2099-01-01T00:00:00Z'],
      ['a start time that is not even a date', 'noon'],
    ])('rejects a deploymentStartedAt in the input (%s) before any AWS call: start times come from ECS', async (_case, deploymentStartedAt) => {
      // Prepare
      const event = { request: { ...deploymentRequest, deploymentStartedAt }, execution };

      // Act
      const result = handler(event, context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(InvalidInputError);
      await expect(result).rejects.toThrow('Invalid rollout input: input: Unrecognized key: "deploymentStartedAt"');
      expectNoAwsCall();
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
      // Blue, the other half of the pair, began deploying at 13:00: across two services ECS's creation times order the rollouts.
      const newerId = 'default-colorteller-blue-9999999999999999999';
      table.seed(
        rolloutItem(
          rolloutRecord({
            rolloutId: newerId,
            service: colorApp.stableService,
            deploymentId: 'ecs-svc/9999999999999999999',
            startedAt: '2026-11-20T13:00:00Z',
            taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-blue:2',
          }),
        ),
      );
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

describe('prepare-rollout handler at load', () => {
  /** Loads the handler afresh, as Lambda starts it, with `env` over the test environment; returns what the load threw. */
  function loadWith(env: Record<string, string | undefined>): unknown {
    const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    const apply = (values: Record<string, string | undefined>) => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    apply(env);
    try {
      jest.isolateModules(() => jest.requireActual('../../../functions/prepare-rollout/handler'));
      return undefined;
    } catch (error) {
      return error;
    } finally {
      apply(before);
    }
  }

  it('needs no MESH_NAME on a stack for VPC Lattice only', () => {
    // Act
    const failure = loadWith({ TRAFFIC_PROVIDERS: 'lattice', MESH_NAME: undefined });

    // Assess
    expect(failure).toBeUndefined();
  });

  it.each(['appmesh', 'appmesh,lattice'])('fails on its first start without MESH_NAME when TRAFFIC_PROVIDERS is %s', (providers) => {
    // Act
    const failure = loadWith({ TRAFFIC_PROVIDERS: providers, MESH_NAME: undefined });

    // Assess
    expect(failure).toEqual(new Error('Environment variable MESH_NAME is required but not set'));
  });
});
