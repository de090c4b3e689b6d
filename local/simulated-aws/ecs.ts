import {
  ClientException,
  ClusterNotFoundException,
  DeploymentControllerType,
  DeploymentStrategy,
  InvalidParameterException,
  ServiceNotFoundException,
  type CreateServiceRequest,
  type CreateServiceResponse,
  type Deployment,
  type DeploymentConfiguration,
  type DeploymentController,
  type DescribeServicesRequest,
  type DescribeServicesResponse,
  type DescribeTaskDefinitionRequest,
  type DescribeTaskDefinitionResponse,
  type ListTagsForResourceRequest,
  type ListTagsForResourceResponse,
  type RegisterTaskDefinitionRequest,
  type RegisterTaskDefinitionResponse,
  type Service,
  type Tag,
  type TagResourceRequest,
  type TagResourceResponse,
  type TaskDefinition,
  type UpdateServiceRequest,
  type UpdateServiceResponse,
  type VpcLatticeConfiguration,
} from '@aws-sdk/client-ecs';
import { serviceError, type SdkErrorClass } from './errors';
import {
  deepClone,
  eventEnvelope,
  isoSeconds,
  operationTable,
  type EcsDeploymentEventName,
  type Operations,
  type SimulationContext,
} from './shared';

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const DEFAULT_CLUSTER = 'default';
/** PortMapping.name: "up to 64 characters … lowercase letters, numbers, underscores (_), and hyphens (-)", not starting with a hyphen. */
const PORT_NAME_PATTERN = /^[a-z0-9_][a-z0-9_-]{0,63}$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const TARGET_GROUP_ARN_PATTERN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:targetgroup\/tg-[0-9a-z]{17}$/;
const DEPLOYMENT_CONTROLLER_TYPES: readonly string[] = Object.values(DeploymentControllerType);
const DEPLOYMENT_STRATEGIES: readonly string[] = Object.values(DeploymentStrategy);

interface TaskDefinitionRecord {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

interface ServiceRecord {
  service: Service & { serviceArn: string; deployments: Deployment[] };
  tags: Tag[];
}

/** A deployment carries its Lattice configurations only when it has some, as DescribeServices shows them. */
function latticeMember(configurations: VpcLatticeConfiguration[]): Pick<Deployment, 'vpcLatticeConfigurations'> {
  return configurations.length === 0 ? {} : { vpcLatticeConfigurations: configurations };
}

export class SimulatedEcs {
  readonly operations: Operations = operationTable({
    RegisterTaskDefinition: (input: RegisterTaskDefinitionRequest) => this.registerTaskDefinition(input),
    DescribeTaskDefinition: (input: DescribeTaskDefinitionRequest) => this.describeTaskDefinition(input),
    CreateService: (input: CreateServiceRequest) => this.createService(input),
    DescribeServices: (input: DescribeServicesRequest) => this.describeServices(input),
    UpdateService: (input: UpdateServiceRequest) => this.updateService(input),
    ListTagsForResource: (input: ListTagsForResourceRequest) => this.listTagsForResource(input),
    TagResource: (input: TagResourceRequest) => this.tagResource(input),
  });

  private readonly families = new Map<string, TaskDefinitionRecord[]>();
  private readonly clusters = new Map<string, Map<string, ServiceRecord>>();
  private deploymentCounter = 0;

  constructor(private readonly context: SimulationContext) {}

  /** The service as DescribeServices would return it, without going through the API. */
  service(cluster: string, serviceName: string): Service | undefined {
    const record = this.clusters.get(cluster)?.get(serviceName);
    return record === undefined ? undefined : deepClone(record.service);
  }

  /** ECS finishing a rollout: the new tasks are all running and the old ones are drained. */
  completeDeployment(deploymentId: string): void {
    const { record, deployment } = this.requireDeployment(deploymentId);
    if (deployment.status !== 'PRIMARY') {
      throw new Error(`Deployment ${deploymentId} is ${deployment.status}; only the PRIMARY deployment can complete.`);
    }
    const now = this.context.now();
    for (const other of record.service.deployments) {
      if (other !== deployment) {
        Object.assign(other, { status: 'INACTIVE', runningCount: 0, pendingCount: 0, updatedAt: now } satisfies Deployment);
      }
    }
    Object.assign(deployment, {
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
      runningCount: deployment.desiredCount,
      pendingCount: 0,
      updatedAt: now,
    } satisfies Deployment);
    this.refreshCounts(record);
    this.emitDeploymentEvent(record, deployment, 'SERVICE_DEPLOYMENT_COMPLETED');
  }

  failDeployment(deploymentId: string, reason: string): void {
    const { record, deployment } = this.requireDeployment(deploymentId);
    Object.assign(deployment, { rolloutState: 'FAILED', rolloutStateReason: reason, updatedAt: this.context.now() } satisfies Deployment);
    this.emitDeploymentEvent(record, deployment, 'SERVICE_DEPLOYMENT_FAILED');
  }

  private registerTaskDefinition(input: RegisterTaskDefinitionRequest): RegisterTaskDefinitionResponse {
    const { family, tags = [], ...definition } = input;
    if (typeof family !== 'string' || !NAME_PATTERN.test(family)) {
      throw this.error(
        ClientException,
        'Family must be 1-255 characters of letters, numbers, hyphens and underscores.',
      );
    }
    if (!Array.isArray(definition.containerDefinitions) || definition.containerDefinitions.length === 0) {
      throw this.error(ClientException, 'Container list cannot be empty.');
    }
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const taskDefinition: TaskDefinition = {
      ...definition,
      family,
      revision,
      taskDefinitionArn: `arn:aws:ecs:${this.context.region}:${this.context.accountId}:task-definition/${family}:${revision}`,
      status: 'ACTIVE',
      registeredAt: this.context.now(),
    };
    revisions.push({ taskDefinition, tags });
    this.families.set(family, revisions);
    return { taskDefinition, tags };
  }

  private describeTaskDefinition(input: DescribeTaskDefinitionRequest): DescribeTaskDefinitionResponse {
    const record = this.requireTaskDefinition(input.taskDefinition);
    return {
      taskDefinition: record.taskDefinition,
      ...(input.include?.includes('TAGS') === true ? { tags: record.tags } : {}),
    };
  }

  private createService(input: CreateServiceRequest): CreateServiceResponse {
    const clusterName = this.clusterName(input.cluster);
    const serviceName = input.serviceName;
    if (typeof serviceName !== 'string' || !NAME_PATTERN.test(serviceName)) {
      throw this.error(
        InvalidParameterException,
        'Service name must be 1-255 characters of letters, numbers, hyphens and underscores.',
      );
    }
    const desiredCount = this.validDesiredCount(input.desiredCount ?? 0);
    const { taskDefinition } = this.requireTaskDefinition(input.taskDefinition);
    const taskDefinitionArn = taskDefinition.taskDefinitionArn;
    const deploymentController = this.validDeploymentController(input.deploymentController ?? { type: 'ECS' });
    const deploymentConfiguration = this.validDeploymentConfiguration(input.deploymentConfiguration ?? {}, { strategy: 'ROLLING' });
    const vpcLatticeConfigurations = this.validVpcLatticeConfigurations(input.vpcLatticeConfigurations ?? [], taskDefinition);
    const services = this.clusters.get(clusterName) ?? new Map<string, ServiceRecord>();
    if (services.has(serviceName)) {
      throw this.error(InvalidParameterException, 'Creation of service was not idempotent.');
    }
    const now = this.context.now();
    const deploymentId = this.nextDeploymentId();
    // Created services start steady so a rollout can begin from a known state.
    const deployment: Deployment = {
      id: deploymentId,
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn,
      desiredCount,
      pendingCount: 0,
      runningCount: desiredCount,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      launchType: input.launchType,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
      ...latticeMember(vpcLatticeConfigurations),
    };
    const record: ServiceRecord = {
      service: {
        serviceArn: this.serviceArn(clusterName, serviceName),
        serviceName,
        clusterArn: this.clusterArn(clusterName),
        status: 'ACTIVE',
        desiredCount,
        runningCount: desiredCount,
        pendingCount: 0,
        launchType: input.launchType,
        taskDefinition: taskDefinitionArn,
        deploymentController,
        deploymentConfiguration,
        deployments: [deployment],
        createdAt: now,
      },
      tags: input.tags ?? [],
    };
    services.set(serviceName, record);
    this.clusters.set(clusterName, services);
    return { service: record.service };
  }

  private describeServices(input: DescribeServicesRequest): DescribeServicesResponse {
    const clusterName = this.clusterName(input.cluster);
    const services = this.requireCluster(clusterName);
    const includeTags = input.include?.includes('TAGS') === true;
    const found: Service[] = [];
    const failures: DescribeServicesResponse['failures'] = [];
    for (const requested of input.services ?? []) {
      const record = services.get(this.serviceName(requested));
      if (record === undefined) {
        failures.push({ arn: this.serviceArn(clusterName, this.serviceName(requested)), reason: 'MISSING' });
      } else {
        found.push(includeTags ? { ...record.service, tags: record.tags } : record.service);
      }
    }
    return { services: found, failures };
  }

  private updateService(input: UpdateServiceRequest): UpdateServiceResponse {
    const record = this.requireService(input.cluster, input.service);
    const { service } = record;
    const primary = this.primaryOf(record);
    // Everything is checked before anything changes, so a refused update leaves the service as it was.
    const desiredCount = input.desiredCount === undefined ? undefined : this.validDesiredCount(input.desiredCount);
    const nextTaskDefinition = this.requireTaskDefinition(input.taskDefinition ?? primary.taskDefinition).taskDefinition;
    const deploymentController = input.deploymentController === undefined ? undefined : this.validDeploymentController(input.deploymentController);
    const deploymentConfiguration =
      input.deploymentConfiguration === undefined ? undefined : this.validDeploymentConfiguration(input.deploymentConfiguration, service.deploymentConfiguration ?? {});
    // The configurations in force must name ports of the task definition the next tasks run, given or kept.
    const vpcLatticeConfigurations = this.validVpcLatticeConfigurations(input.vpcLatticeConfigurations ?? primary.vpcLatticeConfigurations ?? [], nextTaskDefinition);
    const now = this.context.now();

    if (desiredCount !== undefined) {
      service.desiredCount = desiredCount;
      primary.desiredCount = desiredCount;
      // Scaling a settled deployment is not a rollout; the simulator lets it settle at once.
      if (primary.rolloutState === 'COMPLETED') {
        primary.runningCount = desiredCount;
      }
      primary.updatedAt = now;
    }
    if (deploymentController !== undefined) {
      service.deploymentController = deploymentController;
    }
    if (deploymentConfiguration !== undefined) {
      service.deploymentConfiguration = deploymentConfiguration;
    }

    const newTaskDefinition = nextTaskDefinition.taskDefinitionArn !== primary.taskDefinition;
    // UpdateServiceRequest.vpcLatticeConfigurations: "This parameter triggers a new service deployment."
    if (newTaskDefinition || input.forceNewDeployment === true || input.vpcLatticeConfigurations !== undefined) {
      const deploymentId = this.nextDeploymentId();
      const deployment: Deployment = {
        id: deploymentId,
        status: 'PRIMARY',
        taskDefinition: nextTaskDefinition.taskDefinitionArn,
        desiredCount: service.desiredCount,
        pendingCount: 0,
        runningCount: 0,
        failedTasks: 0,
        createdAt: now,
        updatedAt: now,
        launchType: service.launchType,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: `ECS deployment ${deploymentId} in progress.`,
        ...latticeMember(vpcLatticeConfigurations),
      };
      primary.status = 'ACTIVE';
      primary.updatedAt = now;
      service.deployments.unshift(deployment);
      service.taskDefinition = deployment.taskDefinition;
      this.refreshCounts(record);
      this.emitDeploymentEvent(record, deployment, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    } else {
      this.refreshCounts(record);
    }
    return { service };
  }

  private listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return { tags: this.taggable(input.resourceArn).tags };
  }

  private tagResource(input: TagResourceRequest): TagResourceResponse {
    const target = this.taggable(input.resourceArn);
    for (const tag of input.tags ?? []) {
      const existing = target.tags.find((candidate) => candidate.key === tag.key);
      if (existing === undefined) {
        target.tags.push(tag);
      } else {
        existing.value = tag.value;
      }
    }
    return {};
  }

  private taggable(resourceArn: string | undefined): { tags: Tag[] } {
    const prefix = `arn:aws:ecs:${this.context.region}:${this.context.accountId}:`;
    const resource = resourceArn?.startsWith(prefix) === true ? resourceArn.slice(prefix.length) : undefined;
    const [kind, ...path] = resource?.split('/') ?? [];
    if (kind === 'task-definition' && path.length === 1) {
      return this.requireTaskDefinition(resourceArn);
    }
    const record = kind === 'service' && path.length === 2 ? this.clusters.get(path[0] ?? '')?.get(path[1] ?? '') : undefined;
    if (record !== undefined) {
      return record;
    }
    throw this.error(InvalidParameterException, 'The specified resource could not be found.');
  }

  private requireTaskDefinition(reference: string | undefined): TaskDefinitionRecord {
    // Accepts `family`, `family:revision` or the full ARN, as the real API does.
    const familyRevision = reference?.replace(/^arn:aws:ecs:[^:]+:\d+:task-definition\//, '') ?? '';
    const [family = '', revisionText] = familyRevision.split(':');
    const revisions = this.families.get(family) ?? [];
    const record =
      revisionText === undefined ? revisions[revisions.length - 1] : revisions[Number(revisionText) - 1];
    if (record === undefined) {
      throw this.error(ClientException, 'Unable to describe task definition.');
    }
    return record;
  }

  private requireService(cluster: string | undefined, serviceReference: string | undefined): ServiceRecord {
    const clusterName = this.clusterName(cluster);
    const record = this.requireCluster(clusterName).get(this.serviceName(serviceReference ?? ''));
    if (record === undefined) {
      throw this.error(ServiceNotFoundException, 'Service not found.');
    }
    return record;
  }

  private requireCluster(clusterName: string): Map<string, ServiceRecord> {
    const services = this.clusters.get(clusterName);
    if (services === undefined) {
      throw this.error(ClusterNotFoundException, 'Cluster not found.');
    }
    return services;
  }

  private requireDeployment(deploymentId: string): { record: ServiceRecord; deployment: Deployment } {
    for (const services of this.clusters.values()) {
      for (const record of services.values()) {
        const deployment = record.service.deployments.find((candidate) => candidate.id === deploymentId);
        if (deployment !== undefined) {
          return { record, deployment };
        }
      }
    }
    throw new Error(`No ECS deployment with id ${deploymentId}.`);
  }

  private primaryOf(record: ServiceRecord): Deployment {
    const primary = record.service.deployments.find((deployment) => deployment.status === 'PRIMARY');
    if (primary === undefined) {
      throw new Error(`Service ${record.service.serviceArn} has no PRIMARY deployment.`);
    }
    return primary;
  }

  private refreshCounts(record: ServiceRecord): void {
    const { service } = record;
    service.runningCount = service.deployments.reduce((sum, deployment) => sum + (deployment.runningCount ?? 0), 0);
    service.pendingCount = service.deployments.reduce((sum, deployment) => sum + (deployment.pendingCount ?? 0), 0);
  }

  private emitDeploymentEvent(record: ServiceRecord, deployment: Deployment, eventName: EcsDeploymentEventName): void {
    const at = deployment.updatedAt ?? this.context.now();
    this.context.emit({
      ...eventEnvelope(this.context, at),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      resources: [record.service.serviceArn],
      detail: {
        eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
        eventName,
        deploymentId: deployment.id ?? '',
        updatedAt: isoSeconds(at),
        reason: deployment.rolloutStateReason ?? '',
      },
    });
  }

  /** DeploymentController: `type` is required and one of DeploymentControllerType. */
  private validDeploymentController(controller: DeploymentController): DeploymentController {
    if (!DEPLOYMENT_CONTROLLER_TYPES.includes(String(controller.type))) {
      throw this.error(InvalidParameterException, `deploymentController.type must be one of ${DEPLOYMENT_CONTROLLER_TYPES.join(', ')}.`);
    }
    return { type: controller.type };
  }

  /**
   * DeploymentConfiguration laid over what the service has: strategy is one of DeploymentStrategy,
   * and linearConfiguration / canaryConfiguration are "only valid" with LINEAR / CANARY.
   */
  private validDeploymentConfiguration(given: DeploymentConfiguration, current: DeploymentConfiguration): DeploymentConfiguration {
    const configuration = { ...current, ...given };
    const strategy = configuration.strategy ?? 'ROLLING';
    if (!DEPLOYMENT_STRATEGIES.includes(strategy)) {
      throw this.error(InvalidParameterException, `deploymentConfiguration.strategy must be one of ${DEPLOYMENT_STRATEGIES.join(', ')}.`);
    }
    if (given.linearConfiguration !== undefined && strategy !== 'LINEAR') {
      throw this.error(InvalidParameterException, 'deploymentConfiguration.linearConfiguration is valid only with the LINEAR strategy.');
    }
    if (given.canaryConfiguration !== undefined && strategy !== 'CANARY') {
      throw this.error(InvalidParameterException, 'deploymentConfiguration.canaryConfiguration is valid only with the CANARY strategy.');
    }
    return { ...configuration, strategy };
  }

  /**
   * VpcLatticeConfiguration: roleArn, targetGroupArn and portName are required; the role is an
   * IAM role, the target group a Lattice one, and the port name one of the task definition's port mappings.
   */
  private validVpcLatticeConfigurations(configurations: VpcLatticeConfiguration[], taskDefinition: TaskDefinition): VpcLatticeConfiguration[] {
    const portNames = new Set(
      (taskDefinition.containerDefinitions ?? []).flatMap((container) => (container.portMappings ?? []).map((mapping) => mapping.name)),
    );
    return configurations.map((configuration, index) => {
      const field = `vpcLatticeConfigurations[${index}]`;
      const { roleArn, targetGroupArn, portName, advancedConfiguration } = configuration;
      if (typeof roleArn !== 'string' || !ROLE_ARN_PATTERN.test(roleArn)) {
        throw this.error(InvalidParameterException, `${field}.roleArn must be the ARN of an IAM role (got "${String(roleArn)}").`);
      }
      if (typeof targetGroupArn !== 'string' || !TARGET_GROUP_ARN_PATTERN.test(targetGroupArn)) {
        throw this.error(InvalidParameterException, `${field}.targetGroupArn must be the ARN of a VPC Lattice target group (got "${String(targetGroupArn)}").`);
      }
      if (typeof portName !== 'string' || !PORT_NAME_PATTERN.test(portName) || !portNames.has(portName)) {
        throw this.error(
          InvalidParameterException,
          `${field}.portName "${String(portName)}" is not the name of a port mapping in task definition ${taskDefinition.taskDefinitionArn ?? ''}.`,
        );
      }
      return { roleArn, targetGroupArn, portName, ...(advancedConfiguration === undefined ? {} : { advancedConfiguration }) };
    });
  }

  private validDesiredCount(desiredCount: number): number {
    if (!Number.isInteger(desiredCount) || desiredCount < 0) {
      throw this.error(InvalidParameterException, 'desiredCount must be a non-negative integer.');
    }
    return desiredCount;
  }

  private nextDeploymentId(): string {
    this.deploymentCounter += 1;
    return `ecs-svc/1${String(this.deploymentCounter).padStart(18, '0')}`;
  }

  /** Clusters and services may be named or given by ARN; the name is the last path segment. */
  private clusterName(cluster: string | undefined): string {
    return cluster?.split('/').pop() ?? DEFAULT_CLUSTER;
  }

  private serviceName(reference: string): string {
    return reference.split('/').pop() ?? reference;
  }

  private clusterArn(clusterName: string): string {
    return `arn:aws:ecs:${this.context.region}:${this.context.accountId}:cluster/${clusterName}`;
  }

  private serviceArn(clusterName: string, serviceName: string): string {
    return `arn:aws:ecs:${this.context.region}:${this.context.accountId}:service/${clusterName}/${serviceName}`;
  }

  private error(ErrorClass: SdkErrorClass, message: string): Error {
    return serviceError('ecs', ErrorClass, message);
  }
}
