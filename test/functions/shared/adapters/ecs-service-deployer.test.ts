import {
  ClientException,
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsServiceDeployer } from '../../../../functions/shared/adapters/ecs-service-deployer';
import { ResourceMissingError } from '../../../../functions/shared/domain/errors';

const ecs = mockClient(ECSClient);
const serviceArn = 'arn:aws:ecs:us-west-2:111122223333:service/default/colorteller-green';
const blueTaskDefinition = 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:6';
const greenTaskDefinition = 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:7';

function deployer() {
  return new EcsServiceDeployer(new ECSClient({ region: 'us-west-2' }));
}

function runningService(taskDefinition: string, desiredCount = 2) {
  return {
    serviceArn,
    serviceName: 'colorteller-green',
    status: 'ACTIVE',
    desiredCount,
    deployments: [{ id: 'ecs-svc/1111', status: 'PRIMARY', taskDefinition, rolloutState: 'COMPLETED' as const, createdAt: new Date('2026-11-20T12:00:00Z') }],
  };
}

beforeEach(() => {
  ecs.reset();
});

describe('EcsServiceDeployer.describeService', () => {
  it('returns the service with its deployments and its tags as a map', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          ...runningService(blueTaskDefinition),
          deployments: [
            { id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState: 'IN_PROGRESS', createdAt: new Date('2026-11-20T12:30:00Z') },
            { id: 'ecs-svc/1111', status: 'ACTIVE', taskDefinition: blueTaskDefinition, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' },
          ],
        },
      ],
    });
    ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'meshshift:policy', value: '/meshshift/colorteller' }, { key: 'team', value: 'color' }] });

    // Act
    const service = await deployer().describeService('default', 'colorteller-green');

    // Assess
    expect(service).toEqual({
      serviceArn,
      serviceName: 'colorteller-green',
      desiredCount: 2,
      deployments: [
        { id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState: 'IN_PROGRESS', reason: undefined, createdAt: '2026-11-20T12:30:00.000Z' },
        { id: 'ecs-svc/1111', status: 'ACTIVE', taskDefinition: blueTaskDefinition, rolloutState: 'FAILED', reason: 'tasks failed to start', createdAt: undefined },
      ],
      latticeTargetGroups: [],
      deploymentStrategy: 'ROLLING',
      tags: { 'meshshift:policy': '/meshshift/colorteller', team: 'color' },
    });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller-green'] });
    expect(ecs).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: serviceArn });
  });

  it('skips an INACTIVE service of the same name', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { ...runningService(blueTaskDefinition), status: 'INACTIVE', serviceArn: 'arn:old' },
        runningService(greenTaskDefinition),
      ],
    });
    ecs.on(ListTagsForResourceCommand).resolves({ tags: [] });

    // Act
    const service = await deployer().describeService('default', 'colorteller-green');

    // Assess
    expect(service.serviceArn).toBe(serviceArn);
    expect(service.tags).toEqual({});
  });

  it.each([
    ['reported as a failure', { services: [], failures: [{ arn: serviceArn, reason: 'MISSING' }] }],
    ['only INACTIVE', { services: [{ ...runningService(blueTaskDefinition), status: 'INACTIVE' }] }],
  ])('throws ResourceMissingError for a service %s', async (_case, output) => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves(output);

    // Act
    const describe = deployer().describeService('default', 'colorteller-green');

    // Assess
    await expect(describe).rejects.toThrow(ResourceMissingError);
    await expect(describe).rejects.toThrow(/colorteller-green was not found in cluster default/);
  });

  it('throws ResourceMissingError for a missing cluster', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));

    // Act
    const describe = deployer().describeService('nope', 'colorteller-green');

    // Assess
    await expect(describe).rejects.toThrow(ResourceMissingError);
  });
});

describe('EcsServiceDeployer.describeDeployments', () => {
  const targetGroup = (id: string) => `arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-${id.padEnd(17, '0')}`;
  const lattice = (id: string) => ({ roleArn: 'arn:aws:iam::111122223333:role/ecsInfrastructureRoleForVpcLattice', targetGroupArn: targetGroup(id), portName: 'http' });

  it("reads the Lattice target groups from the PRIMARY deployment's configurations, not an older deployment's", async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          ...runningService(greenTaskDefinition),
          deployments: [
            { id: 'ecs-svc/1111', status: 'ACTIVE', taskDefinition: blueTaskDefinition, rolloutState: 'COMPLETED', vpcLatticeConfigurations: [lattice('old')] },
            { id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState: 'IN_PROGRESS', vpcLatticeConfigurations: [lattice('green'), lattice('greenb')] },
          ],
        },
      ],
    });

    // Act
    const described = await deployer().describeDeployments('default', 'colorteller-green');

    // Assess
    expect(described.latticeTargetGroups).toEqual([targetGroup('green'), targetGroup('greenb')]);
    expect(ecs).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  it('reports no target groups for a service without Lattice configurations', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(blueTaskDefinition)] });

    // Act
    const described = await deployer().describeDeployments('default', 'colorteller-green');

    // Assess
    expect(described.latticeTargetGroups).toEqual([]);
  });

  it.each([
    ['no controller and no strategy', {}, 'ROLLING'],
    ['the ECS controller without a strategy', { deploymentController: { type: 'ECS' as const }, deploymentConfiguration: { maximumPercent: 200 } }, 'ROLLING'],
    ["ECS's BLUE_GREEN strategy", { deploymentController: { type: 'ECS' as const }, deploymentConfiguration: { strategy: 'BLUE_GREEN' as const } }, 'BLUE_GREEN'],
    ["ECS's LINEAR strategy", { deploymentConfiguration: { strategy: 'LINEAR' as const } }, 'LINEAR'],
    ["ECS's CANARY strategy", { deploymentConfiguration: { strategy: 'CANARY' as const } }, 'CANARY'],
    ['the CodeDeploy controller', { deploymentController: { type: 'CODE_DEPLOY' as const }, deploymentConfiguration: { strategy: 'ROLLING' as const } }, 'CODE_DEPLOY'],
    ['an external controller', { deploymentController: { type: 'EXTERNAL' as const } }, 'EXTERNAL'],
  ])('reports the deployment strategy of a service with %s as %s', async (_case, settings, expected) => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...runningService(blueTaskDefinition), ...settings }] });

    // Act
    const described = await deployer().describeDeployments('default', 'colorteller-green');

    // Assess
    expect(described.deploymentStrategy).toBe(expected);
  });
});

describe('EcsServiceDeployer.describeTaskDefinition', () => {
  it('returns the definition with its ARN', async () => {
    // Prepare
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: greenTaskDefinition, proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' }, containerDefinitions: [{ name: 'envoy' }] },
    });

    // Act
    const definition = await deployer().describeTaskDefinition('colorteller:7');

    // Assess
    expect(definition).toEqual(expect.objectContaining({ taskDefinitionArn: greenTaskDefinition, proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' } }));
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'colorteller:7' });
  });

  it.each([
    ['a ClientException (ECS says unknown task definitions this way)', () => ecs.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }))],
    ['an answer without a definition', () => ecs.on(DescribeTaskDefinitionCommand).resolves({})],
  ])('throws ResourceMissingError for %s', async (_case, arrange) => {
    // Prepare
    arrange();

    // Act
    const describe = deployer().describeTaskDefinition('colorteller:99');

    // Assess
    await expect(describe).rejects.toThrow(ResourceMissingError);
  });
});

describe('EcsServiceDeployer.deploy', () => {
  it('starts nothing when the primary deployment already runs the task definition', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(greenTaskDefinition)] });

    // Act
    const result = await deployer().deploy('default', 'colorteller-green', greenTaskDefinition);

    // Assess
    expect(result).toEqual({ deploymentId: 'ecs-svc/1111' });
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  });

  it('updates the service and returns the new primary deployment', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(blueTaskDefinition)] });
    ecs.on(UpdateServiceCommand).resolves({
      service: {
        deployments: [
          { id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition },
          { id: 'ecs-svc/1111', status: 'ACTIVE', taskDefinition: blueTaskDefinition },
        ],
      },
    });

    // Act
    const result = await deployer().deploy('default', 'colorteller-green', greenTaskDefinition);

    // Assess
    expect(result).toEqual({ deploymentId: 'ecs-svc/2222' });
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller-green', taskDefinition: greenTaskDefinition });
  });

  it('fails when UpdateService returns no primary deployment', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(blueTaskDefinition)] });
    ecs.on(UpdateServiceCommand).resolves({ service: { deployments: [] } });

    // Act
    const deploy = deployer().deploy('default', 'colorteller-green', greenTaskDefinition);

    // Assess
    await expect(deploy).rejects.toThrow(ResourceMissingError);
  });

  it('turns ServiceNotFoundException into ResourceMissingError', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(blueTaskDefinition)] });
    ecs.on(UpdateServiceCommand).rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }));

    // Act
    const deploy = deployer().deploy('default', 'colorteller-green', greenTaskDefinition);

    // Assess
    await expect(deploy).rejects.toThrow(ResourceMissingError);
  });
});

describe('EcsServiceDeployer.scaleToZero', () => {
  it('sets the desired count to 0', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(greenTaskDefinition, 3)] });
    ecs.on(UpdateServiceCommand).resolves({});

    // Act
    await deployer().scaleToZero('default', 'colorteller-green');

    // Assess
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller-green', desiredCount: 0 });
  });

  it('does nothing when the service is already at 0', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [runningService(greenTaskDefinition, 0)] });

    // Act
    await deployer().scaleToZero('default', 'colorteller-green');

    // Assess
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  });
});
