import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  type DeploymentControllerType,
  type DeploymentStrategy,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  TagResourceCommand,
  UpdateServiceCommand,
  type VpcLatticeConfiguration,
} from '@aws-sdk/client-ecs';
import { SimulatedAws, type SimulatedEvent } from '../../../local/simulated-aws';

const CLUSTER = 'default';
const SERVICE = 'colorteller';
const SERVICE_ARN = `arn:aws:ecs:us-west-2:111122223333:service/${CLUSTER}/${SERVICE}`;
const TASK_DEFINITION_ARN = (revision: number) => `arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:${revision}`;
const DEPLOYMENT_ID = /^ecs-svc\/\d{19}$/;
const ROLE_ARN = 'arn:aws:iam::111122223333:role/ecsInfrastructureRoleForVpcLattice';
const TARGET_GROUP_ARN = (id: string) => `arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-${id.padEnd(17, '0')}`;
const LATTICE_SERVICE = 'colorteller-lattice';

function registerTaskDefinition(client: ECSClient, image: string) {
  return client.send(
    new RegisterTaskDefinitionCommand({
      family: 'colorteller',
      containerDefinitions: [{ name: 'app', image, essential: true }],
      tags: [{ key: 'team', value: 'color' }],
    }),
  );
}

/** A service at revision 1, steady, with revision 2 registered and ready to roll out. */
async function setup() {
  const sim = new SimulatedAws();
  const client = sim.attach(new ECSClient({ region: 'us-west-2' }));
  const events: SimulatedEvent[] = [];
  sim.onEvent((event) => events.push(event));
  await registerTaskDefinition(client, 'colorteller:v1');
  await registerTaskDefinition(client, 'colorteller:v2');
  await client.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: 'colorteller:1',
      desiredCount: 2,
      launchType: 'FARGATE',
      tags: [{ key: 'meshshift:virtual-node', value: 'colorteller-v1' }],
    }),
  );
  return { sim, client, events };
}

/** Revision 3 of colorteller names its port `http`; revision 1 has no named port. */
async function latticeSetup() {
  const { sim, client, events } = await setup();
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'colorteller',
      containerDefinitions: [{ name: 'app', image: 'colorteller:v3', essential: true, portMappings: [{ containerPort: 9080, name: 'http' }] }],
    }),
  );
  await client.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: LATTICE_SERVICE,
      taskDefinition: 'colorteller:3',
      desiredCount: 2,
      vpcLatticeConfigurations: [{ roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('blue'), portName: 'http' }],
    }),
  );
  events.length = 0;
  return { sim, client, events };
}

async function describeService(client: ECSClient, name: string = SERVICE) {
  const { services } = await client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
  const [service] = services ?? [];
  if (service === undefined) throw new Error('service missing');
  return service;
}

describe('simulated ECS', () => {
  describe('task definitions', () => {
    it('registers successive revisions of a family under family:revision ARNs', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const client = sim.attach(new ECSClient({ region: 'us-west-2' }));

      // Act
      const first = await registerTaskDefinition(client, 'colorteller:v1');
      const second = await registerTaskDefinition(client, 'colorteller:v2');

      // Assess
      expect(first.taskDefinition).toMatchObject({ family: 'colorteller', revision: 1, status: 'ACTIVE', taskDefinitionArn: TASK_DEFINITION_ARN(1) });
      expect(second.taskDefinition).toMatchObject({ revision: 2, taskDefinitionArn: TASK_DEFINITION_ARN(2) });
      expect(second.taskDefinition?.containerDefinitions).toEqual([{ name: 'app', image: 'colorteller:v2', essential: true }]);
    });

    it.each([
      ['the family, meaning the latest revision', 'colorteller', 2],
      ['family:revision', 'colorteller:1', 1],
      ['the ARN', TASK_DEFINITION_ARN(1), 1],
    ])('describes a task definition given %s', async (_form, reference, revision) => {
      // Prepare
      const { client } = await setup();

      // Act
      const output = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }));

      // Assess
      expect(output.taskDefinition?.taskDefinitionArn).toBe(TASK_DEFINITION_ARN(revision));
      expect(output.tags).toBeUndefined();
    });

    it('includes the tags only when asked to', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const output = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'colorteller:2', include: ['TAGS'] }));

      // Assess
      expect(output.tags).toEqual([{ key: 'team', value: 'color' }]);
    });

    it.each(['colorteller:3', 'unknown', TASK_DEFINITION_ARN(9)])('answers an unknown task definition %s with a ClientException', async (reference) => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference })).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ClientException);
      expect(error).toMatchObject({ name: 'ClientException', $metadata: { httpStatusCode: 400 } });
    });

    it('refuses a task definition without containers', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const client = sim.attach(new ECSClient({ region: 'us-west-2' }));

      // Act
      const error = await client.send(new RegisterTaskDefinitionCommand({ family: 'empty', containerDefinitions: [] })).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ClientException);
    });
  });

  describe('services', () => {
    it('creates a steady service with one completed PRIMARY deployment', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const service = await describeService(client);

      // Assess
      expect(service).toMatchObject({
        serviceName: SERVICE,
        serviceArn: SERVICE_ARN,
        clusterArn: `arn:aws:ecs:us-west-2:111122223333:cluster/${CLUSTER}`,
        status: 'ACTIVE',
        desiredCount: 2,
        runningCount: 2,
        taskDefinition: TASK_DEFINITION_ARN(1),
      });
      expect(service.deployments).toEqual([
        {
          id: expect.stringMatching(DEPLOYMENT_ID),
          status: 'PRIMARY',
          taskDefinition: TASK_DEFINITION_ARN(1),
          desiredCount: 2,
          pendingCount: 0,
          runningCount: 2,
          failedTasks: 0,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
          launchType: 'FARGATE',
          rolloutState: 'COMPLETED',
          rolloutStateReason: expect.stringContaining('completed'),
        },
      ]);
    });

    it('refuses to create the same service twice', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client
        .send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, taskDefinition: 'colorteller:1' }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
    });

    it('describes services by name or ARN and reports unknown ones as MISSING failures', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const output = await client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE_ARN, 'ghost'] }));

      // Assess
      expect(output.services?.map((service) => service.serviceArn)).toEqual([SERVICE_ARN]);
      expect(output.failures).toEqual([{ arn: `arn:aws:ecs:us-west-2:111122223333:service/${CLUSTER}/ghost`, reason: 'MISSING' }]);
    });

    it('answers DescribeServices in an unknown cluster with a ClusterNotFoundException', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client.send(new DescribeServicesCommand({ cluster: 'ghost', services: [SERVICE] })).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ClusterNotFoundException);
    });
  });

  describe('deployments', () => {
    it('starts a new IN_PROGRESS PRIMARY deployment when the task definition changes, demoting the old one to ACTIVE', async () => {
      // Prepare
      const { client } = await setup();
      const before = await describeService(client);

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:2' }));

      // Assess
      const [primary, previous] = service?.deployments ?? [];
      expect(service?.taskDefinition).toBe(TASK_DEFINITION_ARN(2));
      expect(primary).toMatchObject({
        id: expect.stringMatching(DEPLOYMENT_ID),
        status: 'PRIMARY',
        taskDefinition: TASK_DEFINITION_ARN(2),
        desiredCount: 2,
        runningCount: 0,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: `ECS deployment ${primary?.id} in progress.`,
      });
      expect(primary?.id).not.toBe(previous?.id);
      expect(previous).toMatchObject({ id: before.deployments?.[0]?.id, status: 'ACTIVE', taskDefinition: TASK_DEFINITION_ARN(1) });
    });

    it('emits SERVICE_DEPLOYMENT_IN_PROGRESS shaped as EventBridge delivers it', async () => {
      // Prepare
      const { client, events } = await setup();

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: TASK_DEFINITION_ARN(2) }));

      // Assess
      const deploymentId = service?.deployments?.[0]?.id;
      expect(events).toEqual([
        {
          version: '0',
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          'detail-type': 'ECS Deployment State Change',
          source: 'aws.ecs',
          account: '111122223333',
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          region: 'us-west-2',
          resources: [SERVICE_ARN],
          detail: {
            eventType: 'INFO',
            eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
            deploymentId,
            updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            reason: `ECS deployment ${deploymentId} in progress.`,
          },
        },
      ]);
    });

    it('changes only the desired count, without a deployment or event, when no task definition is given', async () => {
      // Prepare
      const { client, events } = await setup();

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 0 }));

      // Assess
      expect(service?.desiredCount).toBe(0);
      expect(service?.deployments).toHaveLength(1);
      expect(service?.deployments?.[0]).toMatchObject({ status: 'PRIMARY', desiredCount: 0, runningCount: 0 });
      expect(events).toEqual([]);
    });

    it('does not start a deployment for the task definition already deployed', async () => {
      // Prepare
      const { client, events } = await setup();

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:1' }));

      // Assess
      expect(service?.deployments).toHaveLength(1);
      expect(events).toEqual([]);
    });

    it.each([
      ['an unknown cluster', { cluster: 'ghost', service: SERVICE, taskDefinition: 'colorteller:2' }, ClusterNotFoundException],
      ['an unknown service', { cluster: CLUSTER, service: 'ghost', taskDefinition: 'colorteller:2' }, ServiceNotFoundException],
      ['an unknown task definition', { cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:7' }, ClientException],
    ])('refuses UpdateService naming %s and leaves the service alone', async (_case, input, ErrorClass) => {
      // Prepare
      const { client, events } = await setup();

      // Act
      const error = await client.send(new UpdateServiceCommand(input)).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
      expect((await describeService(client)).deployments).toHaveLength(1);
      expect(events).toEqual([]);
    });

    it('completes a deployment: all new tasks running, older deployments INACTIVE, and a COMPLETED event', async () => {
      // Prepare
      const { sim, client, events } = await setup();
      const { service: updated } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:2' }));
      const deploymentId = updated?.deployments?.[0]?.id ?? '';

      // Act
      sim.ecs.completeDeployment(deploymentId);
      const service = await describeService(client);

      // Assess
      expect(service.runningCount).toBe(2);
      expect(service.deployments?.map(({ status, rolloutState, runningCount }) => ({ status, rolloutState, runningCount }))).toEqual([
        { status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 },
        { status: 'INACTIVE', rolloutState: 'COMPLETED', runningCount: 0 },
      ]);
      expect(events.map((event) => event.detail)).toEqual([
        expect.objectContaining({ eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' }),
        {
          eventType: 'INFO',
          eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
          deploymentId,
          updatedAt: expect.any(String),
          reason: `ECS deployment ${deploymentId} completed.`,
        },
      ]);
    });

    it('fails a deployment with the given reason and an ERROR event', async () => {
      // Prepare
      const { sim, client, events } = await setup();
      const { service: updated } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:2' }));
      const deploymentId = updated?.deployments?.[0]?.id ?? '';
      const reason = 'ECS deployment circuit breaker: task failed to start.';

      // Act
      sim.ecs.failDeployment(deploymentId, reason);
      const service = await describeService(client);

      // Assess
      expect(service.deployments?.[0]).toMatchObject({ id: deploymentId, rolloutState: 'FAILED', rolloutStateReason: reason });
      expect(events[1]).toMatchObject({
        'detail-type': 'ECS Deployment State Change',
        resources: [SERVICE_ARN],
        detail: { eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId, reason },
      });
    });

    it('only lets the PRIMARY deployment complete, and rejects unknown deployment ids', async () => {
      // Prepare
      const { sim, client } = await setup();
      const oldId = (await describeService(client)).deployments?.[0]?.id ?? '';
      await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'colorteller:2' }));

      // Act
      const completeOld = () => sim.ecs.completeDeployment(oldId);
      const completeUnknown = () => sim.ecs.completeDeployment('ecs-svc/0000000000000000000');

      // Assess
      expect(completeOld).toThrow('only the PRIMARY deployment can complete');
      expect(completeUnknown).toThrow('No ECS deployment');
    });

    it('returns a clone from the service helper', async () => {
      // Prepare
      const { sim } = await setup();

      // Act
      const copy = sim.ecs.service(CLUSTER, SERVICE);
      if (copy !== undefined) copy.desiredCount = 99;

      // Assess
      expect(sim.ecs.service(CLUSTER, SERVICE)?.desiredCount).toBe(2);
      expect(sim.ecs.service(CLUSTER, 'ghost')).toBeUndefined();
    });
  });

  describe('VPC Lattice configurations', () => {
    it('keeps the configurations a service was created with on its deployment, as DescribeServices shows them', async () => {
      // Prepare
      const { client } = await latticeSetup();

      // Act
      const service = await describeService(client, LATTICE_SERVICE);

      // Assess
      expect(service.deployments).toEqual([
        expect.objectContaining({
          status: 'PRIMARY',
          vpcLatticeConfigurations: [{ roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('blue'), portName: 'http' }],
        }),
      ]);
    });

    it('shows no configurations on a service created without them', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const service = await describeService(client);

      // Assess
      expect(service.deployments?.[0]).not.toHaveProperty('vpcLatticeConfigurations');
    });

    it('starts a new deployment carrying the new configurations, the old deployment keeping its own', async () => {
      // Prepare
      const { client, events } = await latticeSetup();
      const green = [{ roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('green'), portName: 'http' }];

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: LATTICE_SERVICE, vpcLatticeConfigurations: green }));

      // Assess
      const [primary, previous] = service?.deployments ?? [];
      expect(primary).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: TASK_DEFINITION_ARN(3), vpcLatticeConfigurations: green });
      expect(previous).toMatchObject({ status: 'ACTIVE', vpcLatticeConfigurations: [expect.objectContaining({ targetGroupArn: TARGET_GROUP_ARN('blue') })] });
      expect(events).toEqual([expect.objectContaining({ detail: expect.objectContaining({ eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: primary?.id }) })]);
    });

    it('removes the configurations with an empty list, in a new deployment', async () => {
      // Prepare
      const { client } = await latticeSetup();

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: LATTICE_SERVICE, vpcLatticeConfigurations: [] }));

      // Assess
      expect(service?.deployments).toHaveLength(2);
      expect(service?.deployments?.[0]).not.toHaveProperty('vpcLatticeConfigurations');
    });

    it('carries the configurations over to a deployment of a new task definition', async () => {
      // Prepare
      const { client } = await latticeSetup();
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: 'colorteller',
          containerDefinitions: [{ name: 'app', image: 'colorteller:v4', essential: true, portMappings: [{ containerPort: 9080, name: 'http' }] }],
        }),
      );

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: LATTICE_SERVICE, taskDefinition: 'colorteller:4' }));

      // Assess
      expect(service?.deployments?.[0]).toMatchObject({
        taskDefinition: TASK_DEFINITION_ARN(4),
        vpcLatticeConfigurations: [expect.objectContaining({ targetGroupArn: TARGET_GROUP_ARN('blue') })],
      });
    });

    it.each([
      ['no role', { targetGroupArn: TARGET_GROUP_ARN('green'), portName: 'http' }, 'roleArn'],
      ['a role that is not an IAM role', { roleArn: 'arn:aws:iam::111122223333:user/someone', targetGroupArn: TARGET_GROUP_ARN('green'), portName: 'http' }, 'roleArn'],
      ['no target group', { roleArn: ROLE_ARN, portName: 'http' }, 'targetGroupArn'],
      ['an ELB target group', { roleArn: ROLE_ARN, targetGroupArn: 'arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/blue/0123456789abcdef', portName: 'http' }, 'targetGroupArn'],
      ['no port name', { roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('green') }, 'portName'],
      ['a port the task definition does not name', { roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('green'), portName: 'grpc' }, 'portName'],
    ])('refuses a configuration with %s and leaves the service alone', async (_case, configuration, field) => {
      // Prepare
      const { client, events } = await latticeSetup();

      // Act
      const error = await client
        .send(new UpdateServiceCommand({ cluster: CLUSTER, service: LATTICE_SERVICE, vpcLatticeConfigurations: [configuration as VpcLatticeConfiguration] }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect((error as Error).message).toContain(field);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
      expect((await describeService(client, LATTICE_SERVICE)).deployments).toHaveLength(1);
      expect(events).toEqual([]);
    });

    it('refuses a new task definition that lacks the port the configurations in force name', async () => {
      // Prepare
      const { client } = await latticeSetup();

      // Act
      const error = await client
        .send(new UpdateServiceCommand({ cluster: CLUSTER, service: LATTICE_SERVICE, taskDefinition: 'colorteller:1' }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect((await describeService(client, LATTICE_SERVICE)).taskDefinition).toBe(TASK_DEFINITION_ARN(3));
    });

    it('refuses CreateService with a configuration naming a port the task definition lacks', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client
        .send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: 'portless',
            taskDefinition: 'colorteller:1',
            vpcLatticeConfigurations: [{ roleArn: ROLE_ARN, targetGroupArn: TARGET_GROUP_ARN('blue'), portName: 'http' }],
          }),
        )
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(await client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['portless'] }))).toMatchObject({ services: [], failures: [{ reason: 'MISSING' }] });
    });
  });

  describe('deployment controller and strategy', () => {
    it('reports the ECS controller and the ROLLING strategy when the service was created without either', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const service = await describeService(client);

      // Assess
      expect(service.deploymentController).toEqual({ type: 'ECS' });
      expect(service.deploymentConfiguration).toEqual({ strategy: 'ROLLING' });
    });

    it.each([
      [{ type: 'CODE_DEPLOY' as const }, {}],
      [{ type: 'EXTERNAL' as const }, {}],
      [{ type: 'ECS' as const }, { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 5 }],
      [{ type: 'ECS' as const }, { strategy: 'CANARY' as const, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 } }],
      [{ type: 'ECS' as const }, { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 2 } }],
    ])('stores and returns controller %j with configuration %j', async (deploymentController, deploymentConfiguration) => {
      // Prepare
      const { client } = await setup();

      // Act
      await client.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'managed', taskDefinition: 'colorteller:1', deploymentController, deploymentConfiguration }));

      // Assess
      const service = await describeService(client, 'managed');
      expect(service.deploymentController).toEqual(deploymentController);
      expect(service.deploymentConfiguration).toEqual({ strategy: 'ROLLING', ...deploymentConfiguration });
    });

    it('changes the strategy on UpdateService, keeping the rest of the configuration, without a deployment', async () => {
      // Prepare
      const { client, events } = await setup();
      await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, deploymentConfiguration: { maximumPercent: 150 } }));

      // Act
      const { service } = await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 } }));

      // Assess
      expect(service?.deploymentConfiguration).toEqual({ maximumPercent: 150, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
      expect(service?.deployments).toHaveLength(1);
      expect(events).toEqual([]);
    });

    it.each([
      ['an unknown controller type', { deploymentController: { type: 'ARGO' as DeploymentControllerType } }, 'deploymentController.type'],
      ['an unknown strategy', { deploymentConfiguration: { strategy: 'RECREATE' as DeploymentStrategy } }, 'deploymentConfiguration.strategy'],
      ['a linear configuration without LINEAR', { deploymentConfiguration: { linearConfiguration: { stepPercent: 20 } } }, 'linearConfiguration'],
      ['a canary configuration under LINEAR', { deploymentConfiguration: { strategy: 'LINEAR' as const, canaryConfiguration: { canaryPercent: 10 } } }, 'canaryConfiguration'],
    ])('refuses %s with an InvalidParameterException', async (_case, settings, field) => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client
        .send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'managed', taskDefinition: 'colorteller:1', ...settings }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect((error as Error).message).toContain(field);
    });

    it('refuses an unknown strategy on UpdateService and keeps the one in force', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client
        .send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, deploymentConfiguration: { strategy: 'RECREATE' as DeploymentStrategy } }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect((await describeService(client)).deploymentConfiguration).toEqual({ strategy: 'ROLLING' });
    });
  });

  describe('tags', () => {
    it('lists the tags a service was created with and merges TagResource into them', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      await client.send(
        new TagResourceCommand({
          resourceArn: SERVICE_ARN,
          tags: [
            { key: 'meshshift:virtual-node', value: 'colorteller-v2' },
            { key: 'meshshift:rollout', value: 'r-1' },
          ],
        }),
      );
      const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: SERVICE_ARN }));

      // Assess
      expect(tags).toEqual([
        { key: 'meshshift:virtual-node', value: 'colorteller-v2' },
        { key: 'meshshift:rollout', value: 'r-1' },
      ]);
    });

    it('lists the tags of a task definition by ARN', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: TASK_DEFINITION_ARN(1) }));

      // Assess
      expect(tags).toEqual([{ key: 'team', value: 'color' }]);
    });

    it('refuses tags for a resource that does not exist', async () => {
      // Prepare
      const { client } = await setup();

      // Act
      const error = await client
        .send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecs:us-west-2:111122223333:service/${CLUSTER}/ghost` }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(InvalidParameterException);
    });
  });
});
