import { ResourceMissingError } from '../domain/errors';
import { type RollbackReport, restoreRoutes, rollBackRollout } from './roll-back-rollout';
import type { RolloutPorts } from './rollout-ports';

/**
 * Rolls back, at once, every active rollout that watches the alarm: route first, then the
 * canary cleanup, then the execution is stopped (its Wait state cannot be interrupted any
 * other way). Rollouts are handled concurrently so one slow mesh does not delay the rest.
 */
export async function rollBackRolloutsWatching(
  alarmName: string,
  reason: string,
  ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'orchestrator' | 'hooks'>,
): Promise<RollbackReport[]> {
  const rolloutIds = await ports.registry.rolloutIdsWatching(alarmName);
  const settled = await Promise.allSettled(
    rolloutIds.map((rolloutId) => abortRollout(rolloutId, `alarm ${alarmName} went into ALARM: ${reason}`, 'AlarmBreachedError', ports)),
  );
  // An index entry whose rollout is gone has nothing to roll back; any other failure is
  // rethrown after every rollout had its turn, so EventBridge retries the whole (idempotent) event.
  const failure = settled.find((result) => result.status === 'rejected' && !(result.reason instanceof ResourceMissingError));
  if (failure?.status === 'rejected') throw failure.reason;
  return settled.flatMap((result) => (result.status === 'fulfilled' && result.value.outcome === 'rolled-back' ? [result.value] : []));
}

/**
 * Rolls one rollout back now and stops its execution, whether it bakes or is paused: the alarm
 * path, and the reconciler's for an abort whose stop was lost. An operator's `abort` only asks for
 * this (operator-request.ts): the writes stay with meshshift's functions.
 * Once the execution is stopped no new shift can start, but one already in flight may have
 * landed its write after the restore (App Mesh has no conditional write), so the routes are
 * read once more and restored again where needed (I7).
 */
export async function abortRollout(
  rolloutId: string,
  reason: string,
  error: 'AlarmBreachedError' | 'RolloutAbortedError',
  ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'orchestrator' | 'hooks'>,
): Promise<RollbackReport> {
  const report = await rollBackRollout(rolloutId, reason, ports);
  const record = await ports.registry.getRollout(rolloutId);
  if (report.outcome !== 'rolled-back' || !record) return report;
  await ports.orchestrator.stop(record.executionArn, error, `Rolled back: ${reason}`);
  await restoreRoutes(record, ports.router);
  return report;
}
