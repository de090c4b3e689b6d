import { executionNameForDeployment } from '../domain/execution-name';
import type { StartRequest } from '../domain/rollout';
import { policyTagKey } from './prepare-rollout';
import type { RolloutPorts } from './rollout-ports';

export interface DeploymentEvent {
  account: string;
  region: string;
  cluster: string;
  service: string;
  eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED';
  deploymentId: string;
  updatedAt: string;
  reason?: string;
}

export type DeploymentEventOutcome =
  | { action: 'started'; executionName: string; executionArn: string }
  | { action: 'duplicate'; executionName: string }
  | { action: 'resumed' | 'failed-task'; rolloutId: string }
  | { action: 'noted'; deploymentId: string }
  | { action: 'ignored'; reason: string };

/** Where this meshshift deployment works: events from anywhere else are not its business. */
export interface DeploymentEventSettings {
  account: string;
  region: string;
  cluster: string;
}

const circuitBreakerRollback = /circuit breaker.*roll(ing)? ?back/i;

/**
 * Starts, resumes or ends a rollout from an ECS deployment event. Every branch is safe
 * for duplicates and any order: the execution name comes from the deployment, and what
 * arrives before the rollout waits is noted in the registry for it to find.
 */
export async function handleDeploymentEvent(
  event: DeploymentEvent,
  settings: DeploymentEventSettings,
  ports: Pick<RolloutPorts, 'registry' | 'deployer' | 'orchestrator'>,
): Promise<DeploymentEventOutcome> {
  const { registry, deployer, orchestrator } = ports;
  const foreign = (['account', 'region', 'cluster'] as const).find((field) => event[field] !== settings[field]);
  if (foreign) return { action: 'ignored', reason: `event from ${foreign} ${event[foreign]}, but this meshshift deployment works in ${foreign} ${settings[foreign]} only` };
  if (event.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS') {
    if (circuitBreakerRollback.test(event.reason ?? '')) return { action: 'ignored', reason: 'circuit-breaker rollback, not a new version' };
    const service = await deployer.describeService(event.cluster, event.service);
    if (!service.tags[policyTagKey]) return { action: 'ignored', reason: `service ${event.service} has no ${policyTagKey} tag` };
    const deployment = service.deployments.find((candidate) => candidate.id === event.deploymentId);
    if (deployment && deployment.status !== 'PRIMARY') return { action: 'ignored', reason: `deployment ${event.deploymentId} is ${deployment.status}: a newer deployment replaced it` };
    const note = await registry.noteDeployment({ deploymentId: event.deploymentId });
    if (note.rolloutId) return { action: 'ignored', reason: `deployment ${event.deploymentId} is driven by rollout ${note.rolloutId}` };
    // A manual rollout's own UpdateService: its event can arrive before "Deploy canary" notes the id.
    // A rollout that already has a deployment of this task definition is not the owner of a new
    // one (a redeploy while it is stuck): the new deployment gets its own rollout, which supersedes it.
    const ownerId = deployment ? await registry.rolloutIdDeploying(event.cluster, event.service, deployment.taskDefinition) : undefined;
    const owner = ownerId ? await registry.getRollout(ownerId) : undefined;
    if (owner && (owner.deploymentId === undefined || owner.deploymentId === event.deploymentId)) {
      await registry.noteDeployment({ deploymentId: event.deploymentId, rolloutId: owner.rolloutId });
      return { action: 'ignored', reason: `deployment ${event.deploymentId} is driven by rollout ${owner.rolloutId}` };
    }
    if (note.state === 'FAILED') return { action: 'ignored', reason: `deployment ${event.deploymentId} already failed` };
    const executionName = executionNameForDeployment(event.cluster, event.service, event.deploymentId);
    const input: StartRequest = { cluster: event.cluster, service: event.service, deploymentId: event.deploymentId };
    const started = await orchestrator.start(executionName, input);
    return started.duplicate ? { action: 'duplicate', executionName } : { action: 'started', executionName, executionArn: started.executionArn };
  }

  const state = event.eventName === 'SERVICE_DEPLOYMENT_COMPLETED' ? 'COMPLETED' : 'FAILED';
  const note = await registry.noteDeployment({ deploymentId: event.deploymentId, state, reason: event.reason });
  const record = note.rolloutId ? await registry.getRollout(note.rolloutId) : undefined;
  if (!record?.taskToken) return { action: 'noted', deploymentId: event.deploymentId };
  if (state === 'COMPLETED') {
    await orchestrator.resumeTask(record.taskToken, { deploymentId: event.deploymentId, state });
    return { action: 'resumed', rolloutId: record.rolloutId };
  }
  await orchestrator.failTask(record.taskToken, 'CanaryDeploymentFailedError', `ECS deployment ${event.deploymentId} failed: ${event.reason ?? 'no reason given'}`);
  return { action: 'failed-task', rolloutId: record.rolloutId };
}
