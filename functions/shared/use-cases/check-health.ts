import { AlarmBreachedError, RolloutAbortedError } from '../domain/errors';
import { decideHealth } from '../domain/health-decision';
import { mayShiftTraffic } from '../domain/rollout-phase';
import type { Rollout } from '../domain/rollout';
import type { RolloutPorts } from './rollout-ports';

/**
 * After a bake: reads the alarms and any operator request, and sets the verdict the
 * state machine branches on. A roll-back verdict is thrown as an error so the state
 * machine's Catch takes the compensation path with a readable cause.
 */
export async function checkHealth(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'health'>): Promise<Rollout> {
  const record = await ports.registry.getRollout(rollout.rolloutId);
  if (!record || !mayShiftTraffic(record.phase)) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is ${record?.phase ?? 'gone'}`);
  const decision = decideHealth({
    alarmStates: await ports.health.alarmStates(rollout.alarms),
    failedChecks: rollout.failedChecks,
    toleratedFailedChecks: rollout.toleratedFailedChecks,
    isLastStep: rollout.stepIndex >= rollout.weights.length - 1,
    operatorRequest: record.operatorRequest,
  });
  const weight = rollout.weights[rollout.stepIndex];
  if (decision.verdict === 'roll-back') {
    const message = `Health check at ${weight} % failed: ${decision.reason}`;
    throw record.operatorRequest === 'abort' ? new RolloutAbortedError(message) : new AlarmBreachedError(message);
  }
  return {
    ...rollout,
    verdict: decision.verdict,
    failedChecks: decision.failedChecks,
    stepIndex: decision.verdict === 'advance' ? rollout.stepIndex + 1 : rollout.stepIndex,
  };
}
