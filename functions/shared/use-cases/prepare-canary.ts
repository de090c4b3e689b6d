import { RolloutSupersededError } from '../domain/errors';
import { mayShiftTraffic, rolloutPhases } from '../domain/rollout-phase';
import type { Rollout } from '../domain/rollout';
import { backendRef, type RolloutPorts } from './rollout-ports';

/**
 * Creates the canary's virtual node from the stable one unless it exists. The registry
 * learns "we created it" before the create, so a retry after a lost response still lets
 * rollback clean it up.
 */
export async function ensureCanaryNode(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'router'>): Promise<Rollout> {
  const backend = backendRef(rollout, rollout.canaryNode);
  if (await ports.router.backendExists(backend)) return rollout;
  // A newer rollout may have rolled this one back while its Lambda still runs (Step Functions
  // does not stop a running task): then nothing may be created that no rollback would remove.
  const stillPreparing = await ports.registry.updateRollout(rollout.rolloutId, { canaryNodeCreated: true }, [rolloutPhases.preparing]);
  if (!stillPreparing) throw new RolloutSupersededError(`Rollout ${rollout.rolloutId} was rolled back before its canary node was created; nothing was created`);
  await ports.router.createCanaryBackend({
    provider: rollout.provider,
    mesh: rollout.mesh,
    meshOwner: rollout.meshOwner,
    stableNode: rollout.stableNode,
    canaryNode: rollout.canaryNode,
    canaryService: rollout.service,
    canaryDnsHostname: rollout.canaryDnsHostname,
  });
  const after = await ports.registry.getRollout(rollout.rolloutId);
  if (after && !mayShiftTraffic(after.phase)) {
    // Rolled back between the record and the create: its rollback may have missed the node.
    await ports.router.retireBackend(backend);
    throw new RolloutSupersededError(`Rollout ${rollout.rolloutId} was rolled back while its canary node was created; the node was deleted again`);
  }
  return rollout;
}

/** Deploys the requested task definition to the canary service (manual rollouts only). */
export async function deployCanary(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'deployer'>): Promise<Rollout> {
  const { deploymentId } = await ports.deployer.deploy(rollout.cluster, rollout.service, rollout.taskDefinitionArn);
  await ports.registry.noteDeployment({ deploymentId, rolloutId: rollout.rolloutId });
  await ports.registry.updateRollout(rollout.rolloutId, { deploymentId });
  return { ...rollout, deploymentId };
}

/**
 * Parks the execution until the canary's tasks are up. The token goes to the registry so
 * the deployment event handler can resume it; if the deployment already ended (events
 * can arrive before the token is stored) this resolves the token itself.
 */
export async function waitForCanaryTasks(rollout: Rollout, taskToken: string, ports: Pick<RolloutPorts, 'registry' | 'deployer' | 'orchestrator'>): Promise<void> {
  const { registry, deployer, orchestrator } = ports;
  const updated = await registry.updateRollout(rollout.rolloutId, { taskToken, phase: rolloutPhases.waitingForCanary }, [
    rolloutPhases.preparing,
    rolloutPhases.waitingForCanary,
  ]);
  if (!updated) {
    await orchestrator.failTask(taskToken, 'AlarmBreachedError', `Rollout ${rollout.rolloutId} was rolled back while waiting for its canary tasks`);
    return;
  }
  const deploymentId = rollout.deploymentId ?? updated.deploymentId;
  if (!deploymentId) return;
  const note = await registry.noteDeployment({ deploymentId, rolloutId: rollout.rolloutId });
  const service = await deployer.describeService(rollout.cluster, rollout.service);
  const state = note.state ?? service.deployments.find((deployment) => deployment.id === deploymentId)?.rolloutState;
  if (state === 'COMPLETED') await orchestrator.resumeTask(taskToken, rollout);
  if (state === 'FAILED') {
    const reason = note.reason ?? service.deployments.find((deployment) => deployment.id === deploymentId)?.reason ?? 'no reason given';
    await orchestrator.failTask(taskToken, 'CanaryDeploymentFailedError', `ECS deployment ${deploymentId} failed: ${reason}`);
  }
}
