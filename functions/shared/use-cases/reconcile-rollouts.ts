import { describeError } from '../domain/errors';
import { alarmsInAlarm, pendingOperatorRequest } from '../domain/health-decision';
import { isActivePhase, rolloutPhases } from '../domain/rollout-phase';
import type { RolloutRecord } from '../ports/registry';
import { abortRollout } from './handle-alarm';
import { abortedCause, abortedError, resumeIfPaused } from './operator-request';
import { restoreRoutes, rollBackRollout } from './roll-back-rollout';
import type { RolloutPorts } from './rollout-ports';

export type ReconcileAction =
  | 'rolled back: its execution ended'
  | 'finished a rollback that stopped half-way'
  | 'rolled back: a watched alarm is in ALARM'
  | 'rolled back: an operator aborted it'
  | 'resumed: an operator request was waiting on its pause'
  | 'resumed: its canary deployment completed'
  | 'failed its wait: its canary deployment failed'
  | 'stopped an execution whose rollout had ended'
  | 'released a lease whose rollout had ended';

export interface ReconcileReport {
  actions: Array<{ rolloutId: string; action: ReconcileAction }>;
  /** Rollouts the reconciler could not bring to a safe end this time: a person is paged, and it tries again. */
  needAttention: Array<{ rolloutId: string; error: string }>;
}

export interface ReconcileSettings {
  now: Date;
  /**
   * How long a rollback may sit in ROLLING_BACK before it counts as stopped half-way, and how
   * long an ended rollout's execution may still run before its missing stop is sent.
   */
  stuckRollbackSeconds: number;
}

type Ports = Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'orchestrator' | 'health' | 'hooks'>;

/**
 * Brings every rollout to a safe end whatever event was lost, whichever function crashed and
 * whoever stopped an execution: compares the registry, the executions and the routes, and
 * converges. Every step is one the product already takes and is idempotent, so running it
 * again, or alongside the state machine and the alarm handler, is safe; a route a person
 * rewrote is left alone (I5), as everywhere else.
 */
export async function reconcileRollouts(ports: Ports, settings: ReconcileSettings): Promise<ReconcileReport> {
  const report: ReconcileReport = { actions: [], needAttention: [] };
  const attempt = async (rolloutId: string, work: () => Promise<ReconcileAction | undefined>) => {
    try {
      const action = await work();
      if (action) report.actions.push({ rolloutId, action });
    } catch (error) {
      report.needAttention.push({ rolloutId, error: `${(error as Error).name}: ${describeError(error)}` });
    }
  };

  for (const record of await ports.registry.activeRollouts()) await attempt(record.rolloutId, () => reconcileActive(record, ports, settings));
  for (const execution of await ports.orchestrator.runningExecutions()) {
    await attempt(execution.name, async () => {
      const record = await ports.registry.getRollout(execution.name);
      // A promoted rollout's execution is finishing its cleanup, and one that just rolled back
      // is on its way to its Fail state: only one left running long after is missing its stop.
      if (!record || isActivePhase(record.phase) || record.phase === rolloutPhases.promoted) return undefined;
      if (secondsSince(record.updatedAt, settings.now) < settings.stuckRollbackSeconds) return undefined;
      await ports.orchestrator.stop(execution.executionArn, 'RolloutEndedError', `The rollout already ended ${record.phase}; stopped by the reconciler`);
      // A shift still in flight when the rollout ended may have landed after its restore (I7).
      if (record.phase === rolloutPhases.rolledBack) await restoreRoutes(record, ports.router);
      return 'stopped an execution whose rollout had ended';
    });
  }
  for (const lease of await ports.registry.heldLeases()) {
    await attempt(lease.rolloutId, async () => {
      const holder = await ports.registry.getRollout(lease.rolloutId);
      if (holder && isActivePhase(holder.phase)) return undefined;
      await ports.registry.releaseRoute(lease.routeKey, lease.rolloutId);
      return 'released a lease whose rollout had ended';
    });
  }
  return report;
}

async function reconcileActive(record: RolloutRecord, ports: Ports, settings: ReconcileSettings): Promise<ReconcileAction | undefined> {
  const state = await ports.orchestrator.stateOf(record.executionArn);
  if (state !== 'RUNNING') {
    // Stopped by hand or by an operator's abort, timed out, or failed after every retry: nothing else will ever end it.
    await rollBackRollout(record.rolloutId, endedExecutionReason(record, state), ports);
    return 'rolled back: its execution ended';
  }
  const quietFor = secondsSince(record.updatedAt, settings.now);
  if (record.phase === rolloutPhases.rollingBack) {
    if (quietFor < settings.stuckRollbackSeconds) return undefined;
    await abortRollout(record.rolloutId, record.outcome ?? 'a rollback that stopped half-way, finished by the reconciler', 'AlarmBreachedError', ports);
    return 'finished a rollback that stopped half-way';
  }
  // An operator's request written while the call that acts on it was lost (the process died in
  // between): given the same time as a rollback, so the usual path is never raced.
  const request = quietFor < settings.stuckRollbackSeconds ? undefined : pendingOperatorRequest(record);
  if (request === 'abort') {
    await abortRollout(record.rolloutId, operatorAbortReason, abortedError, ports);
    return 'rolled back: an operator aborted it';
  }
  if (request !== undefined && request !== 'pause' && (await resumeIfPaused(record, ports))) return 'resumed: an operator request was waiting on its pause';
  const firing = alarmsInAlarm(await ports.health.alarmStates(record.alarms));
  if (firing.length > 0) {
    // The alarm's own event was lost or its handling failed: do now what the alarm handler does.
    await abortRollout(record.rolloutId, `alarm ${firing.join(', ')} is in ALARM (found by the reconciler)`, 'AlarmBreachedError', ports);
    return 'rolled back: a watched alarm is in ALARM';
  }
  if (record.phase === rolloutPhases.waitingForCanary && record.taskToken && record.deploymentId) return settleLostDeploymentEvent(record, ports);
  return undefined;
}

const secondsSince = (time: string, now: Date) => (now.getTime() - Date.parse(time)) / 1000;

const operatorAbortReason = `${abortedCause}; rolled back by meshshift`;

function endedExecutionReason(record: RolloutRecord, state: string): string {
  if (record.operatorRequest === 'abort') return operatorAbortReason;
  if (record.pause && state === 'TIMED_OUT') return 'its execution timed out while the rollout was paused for a person; rolled back by the reconciler';
  return `its execution is ${state}; rolled back by the reconciler`;
}

/** A COMPLETED or FAILED deployment event that never arrived: ECS still knows how the deployment ended. */
async function settleLostDeploymentEvent(record: RolloutRecord, ports: Ports): Promise<ReconcileAction | undefined> {
  const deployment = (await ports.deployer.describeService(record.cluster, record.service)).deployments.find((candidate) => candidate.id === record.deploymentId);
  const taskToken = record.taskToken as string;
  if (deployment?.rolloutState === 'COMPLETED') {
    await ports.orchestrator.resumeTask(taskToken, { deploymentId: record.deploymentId, state: 'COMPLETED' });
    return 'resumed: its canary deployment completed';
  }
  if (deployment?.rolloutState === 'FAILED') {
    await ports.orchestrator.failTask(taskToken, 'CanaryDeploymentFailedError', `ECS deployment ${record.deploymentId} failed: ${deployment.reason ?? 'no reason given'}`);
    return 'failed its wait: its canary deployment failed';
  }
  return undefined;
}
