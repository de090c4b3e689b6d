import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTagsForResourceCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { MeshTaskDefinition } from '../domain/canary-node';
import { ResourceMissingError } from '../domain/errors';
import type { DeploymentRolloutState, ServiceDeployer, ServiceState } from '../ports/service-deployer';
import { callAws } from './aws-error';

/**
 * DescribeServices gives Lattice configurations only per deployment [Deployment.vpcLatticeConfigurations];
 * the PRIMARY deployment's are the ones the service's new tasks register with.
 */
function latticeTargetGroupsOf(service: Service): string[] {
  const deployments = service.deployments ?? [];
  const current = deployments.find((deployment) => deployment.status === 'PRIMARY') ?? deployments[0];
  return (current?.vpcLatticeConfigurations ?? []).map((configuration) => configuration.targetGroupArn ?? '');
}

/** A strategy applies only under the ECS controller; CODE_DEPLOY and EXTERNAL shift traffic their own way. */
function deploymentStrategyOf(service: Service): string {
  const controller = service.deploymentController?.type ?? 'ECS';
  return controller === 'ECS' ? (service.deploymentConfiguration?.strategy ?? 'ROLLING') : controller;
}

/** ECS services as a ServiceDeployer. */
export class EcsServiceDeployer implements ServiceDeployer {
  constructor(private readonly client: ECSClient) {}

  async describeService(cluster: string, service: string): Promise<ServiceState> {
    const described = await this.describeDeployments(cluster, service);
    const tagOutput = await callAws(`ListTagsForResource ${described.serviceArn}`, () => this.client.send(new ListTagsForResourceCommand({ resourceArn: described.serviceArn })));
    return { ...described, tags: Object.fromEntries((tagOutput.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? ''])) };
  }

  async describeDeployments(cluster: string, service: string): Promise<Omit<ServiceState, 'tags'>> {
    const found = await this.findService(cluster, service);
    return {
      serviceArn: found.serviceArn ?? '',
      serviceName: found.serviceName ?? service,
      desiredCount: found.desiredCount ?? 0,
      deployments: (found.deployments ?? []).map((deployment) => ({
        id: deployment.id ?? '',
        status: deployment.status ?? '',
        taskDefinition: deployment.taskDefinition ?? '',
        rolloutState: (deployment.rolloutState ?? 'IN_PROGRESS') as DeploymentRolloutState,
        reason: deployment.rolloutStateReason,
        createdAt: deployment.createdAt?.toISOString(),
      })),
      latticeTargetGroups: latticeTargetGroupsOf(found),
      deploymentStrategy: deploymentStrategyOf(found),
    };
  }

  async describeTaskDefinition(taskDefinition: string): Promise<MeshTaskDefinition & { taskDefinitionArn: string }> {
    const output = await callAws(
      `DescribeTaskDefinition ${taskDefinition}`,
      () => this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      ['ClientException'],
    );
    const definition = output.taskDefinition;
    if (!definition?.taskDefinitionArn) throw new ResourceMissingError(`Task definition ${taskDefinition} was not found`);
    return { ...definition, taskDefinitionArn: definition.taskDefinitionArn } as MeshTaskDefinition & { taskDefinitionArn: string };
  }

  async deploy(cluster: string, service: string, taskDefinition: string): Promise<{ deploymentId: string }> {
    const primary = (await this.findService(cluster, service)).deployments?.find((deployment) => deployment.status === 'PRIMARY');
    if (primary?.id && primary.taskDefinition === taskDefinition) return { deploymentId: primary.id };
    const output = await callAws(
      `UpdateService ${cluster}/${service}`,
      () => this.client.send(new UpdateServiceCommand({ cluster, service, taskDefinition })),
      ['ServiceNotFoundException', 'ClusterNotFoundException'],
    );
    const deploymentId = output.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id;
    if (!deploymentId) throw new ResourceMissingError(`UpdateService ${cluster}/${service} returned no primary deployment`);
    return { deploymentId };
  }

  async scaleToZero(cluster: string, service: string): Promise<void> {
    if ((await this.findService(cluster, service)).desiredCount === 0) return;
    await callAws(
      `UpdateService ${cluster}/${service} desiredCount=0`,
      () => this.client.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 })),
      ['ServiceNotFoundException', 'ClusterNotFoundException'],
    );
  }

  private async findService(cluster: string, service: string): Promise<Service> {
    const output = await callAws(
      `DescribeServices ${cluster}/${service}`,
      () => this.client.send(new DescribeServicesCommand({ cluster, services: [service] })),
      ['ClusterNotFoundException'],
    );
    const found = output.services?.find((candidate) => candidate.status !== 'INACTIVE');
    if (!found) throw new ResourceMissingError(`ECS service ${service} was not found in cluster ${cluster}`);
    return found;
  }
}
