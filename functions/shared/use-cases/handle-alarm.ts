import { isActivePhase } from '../domain/rollout-phase';
import { type RollbackReport, rollBackRollout } from './roll-back-rollout';
import type { RolloutPorts } from './rollout-ports';

/**
 * Rolls back, at once, every active rollout that watches the alarm: route first, then the
 * canary cleanup, then the execution is stopped (its Wait state cannot be interrupted any
 * other way). Rollouts are handled concurrently so one slow mesh does not delay the rest.
 */
export async function rollBackRolloutsWatching(
  alarmName: string,
  reason: string,
  ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'orchestrator'>,
): Promise<RollbackReport[]> {
  const rolloutIds = await ports.registry.rolloutIdsWatching(alarmName);
  const reports = await Promise.all(
    rolloutIds.map(async (rolloutId) => {
      const record = await ports.registry.getRollout(rolloutId);
      if (!record || !isActivePhase(record.phase)) return undefined;
      return abortRollout(rolloutId, `alarm ${alarmName} went into ALARM: ${reason}`, 'AlarmBreachedError', ports);
    }),
  );
  return reports.filter((report): report is RollbackReport => report !== undefined);
}

/** Rolls one rollout back now and stops its execution: the alarm path and the CLI's `abort`. */
export async function abortRollout(
  rolloutId: string,
  reason: string,
  error: 'AlarmBreachedError' | 'RolloutAbortedError',
  ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'orchestrator'>,
): Promise<RollbackReport> {
  const report = await rollBackRollout(rolloutId, reason, ports);
  const record = await ports.registry.getRollout(rolloutId);
  if (report.outcome === 'rolled-back' && record) await ports.orchestrator.stop(record.executionArn, error, `Rolled back: ${reason}`);
  return report;
}
