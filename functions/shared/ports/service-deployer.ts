import type { MeshTaskDefinition } from '../domain/canary-node';

export type DeploymentRolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ServiceDeployment {
  id: string;
  status: string;
  taskDefinition: string;
  rolloutState: DeploymentRolloutState;
  reason?: string;
  createdAt?: string;
}

export interface ServiceState {
  serviceArn: string;
  serviceName: string;
  desiredCount: number;
  deployments: ServiceDeployment[];
  /** Target group ARNs the service's tasks register into (its vpcLatticeConfigurations); [] when none. */
  latticeTargetGroups: string[];
  /**
   * Who shifts the service's traffic besides meshshift: ECS's deploymentConfiguration.strategy
   * (ROLLING when ECS says nothing), or the controller type when ECS is not the controller
   * (CODE_DEPLOY, EXTERNAL).
   */
  deploymentStrategy: string;
  tags: Record<string, string>;
}

/** ECS as a rollout needs it: what a service runs, and the two changes meshshift makes. */
export interface ServiceDeployer {
  describeService(cluster: string, service: string): Promise<ServiceState>;
  /** The service's deployments alone (one call, no tags): what ordering and the cleanup guard need. */
  describeDeployments(cluster: string, service: string): Promise<Omit<ServiceState, 'tags'>>;
  describeTaskDefinition(taskDefinition: string): Promise<MeshTaskDefinition & { taskDefinitionArn: string }>;
  /** Starts a deployment of `taskDefinition` unless the primary deployment already runs it. */
  deploy(cluster: string, service: string, taskDefinition: string): Promise<{ deploymentId: string }>;
  /** Sets desired count to 0 unless it already is. */
  scaleToZero(cluster: string, service: string): Promise<void>;
}
