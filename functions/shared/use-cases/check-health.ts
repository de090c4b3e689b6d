import { AlarmBreachedError, PauseRanOutError, RolloutAbortedError, RouteEditedError } from '../domain/errors';
import { decideHealth, decidePauseEnd, type HealthDecision, pendingOperatorRequest } from '../domain/health-decision';
import { mayShiftTraffic, shiftablePhases } from '../domain/rollout-phase';
import type { Rollout } from '../domain/rollout';
import { sameTargets } from '../domain/route-spec';
import type { RolloutRecord } from '../ports/registry';
import { type RolloutPorts, routeRef } from './rollout-ports';

/**
 * After a bake, or when a pause ends: reads the alarms and any operator request, and sets the
 * verdict the state machine branches on. A roll-back verdict is thrown as an error so the state
 * machine's Catch takes the compensation path with a readable cause.
 */
export async function checkHealth(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'health' | 'router'>): Promise<Rollout> {
  const record = await ports.registry.getRollout(rollout.rolloutId);
  if (!record || !mayShiftTraffic(record.phase)) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is ${record?.phase ?? 'gone'}`);
  // What tells this check from every other of the execution, and from none of its own retries.
  const check = `${rollout.stepIndex}/${rollout.verdict ?? 'start'}/${rollout.failedChecks}`;
  const operatorRequest = pendingOperatorRequest(record, check);
  const isLastStep = rollout.stepIndex >= rollout.weights.length - 1;
  const { pause, pauseTimedOut, ...unpaused } = rollout;
  const endingPause = rollout.verdict === 'pause' ? pause : undefined;
  let decision: HealthDecision;
  if (endingPause) {
    decision = decidePauseEnd({ pause: endingPause, timedOut: pauseTimedOut !== undefined, isLastStep, failedChecks: rollout.failedChecks, operatorRequest });
  } else {
    if (rollout.settleSeconds > 0) await verifyWeights(record, ports);
    decision = decideHealth({
      alarmStates: await ports.health.alarmStates(rollout.alarms),
      failedChecks: rollout.failedChecks,
      toleratedFailedChecks: rollout.toleratedFailedChecks,
      isLastStep,
      operatorRequest,
      policyPause: rollout.pauses?.find((candidate) => candidate.afterStep === rollout.stepIndex),
    });
  }
  const weight = rollout.weights[rollout.stepIndex];
  if (decision.verdict === 'roll-back') {
    const message = `Health check at ${weight} % failed: ${decision.reason}`;
    if (decision.by === 'operator') throw new RolloutAbortedError(message);
    throw decision.by === 'policy' ? new PauseRanOutError(`Pause at ${weight} % ended: ${decision.reason}`) : new AlarmBreachedError(message);
  }
  await noteHandled(record, check, decision, endingPause !== undefined, ports);
  return {
    ...unpaused,
    verdict: decision.verdict,
    failedChecks: decision.failedChecks,
    ...(decision.pause ? { pause: decision.pause } : {}),
    // A held step was shifted already: its next bake need not wait for the provider again.
    bakeWaitSeconds: rollout.bakeSeconds,
    stepIndex: decision.verdict === 'advance' ? rollout.stepIndex + 1 : rollout.stepIndex,
  };
}

/**
 * Notes in the registry the request acted on, so no later check or pause acts on it again, and
 * that a pause ended; only while the rollout may still shift, so a rollback's record is left alone.
 */
async function noteHandled(record: RolloutRecord, check: string, decision: HealthDecision, endsPause: boolean, ports: Pick<RolloutPorts, 'registry'>): Promise<void> {
  const changes = {
    ...(decision.requestHandled ? { handledOperatorRequestId: record.operatorRequestId, handledAtCheck: check } : {}),
    ...(endsPause ? { pause: null } : {}),
  };
  if (Object.keys(changes).length > 0) await ports.registry.updateRollout(record.rolloutId, changes, shiftablePhases);
}

/**
 * Argo's VerifyWeight: where the provider applies a change late (Lattice), the verdict is about
 * the weights meshshift wrote only if they are still what the routes hold after the settle. Any
 * other weights are a person's (I5): the rollout lets go rather than judging or moving them.
 */
async function verifyWeights(record: RolloutRecord, ports: Pick<RolloutPorts, 'router'>): Promise<void> {
  for (const route of record.routes) {
    const { targets } = await ports.router.readRoute(routeRef(record, route));
    const written = record.lastWrittenTargets[route] ?? [];
    if (!sameTargets(targets, written)) {
      const describe = (list: typeof targets) => list.map((target) => `${target.virtualNode}=${target.weight}`).join(', ');
      throw new RouteEditedError(`Route ${route} holds ${describe(targets)}, not the ${describe(written)} meshshift wrote before the settle; someone else changed it`);
    }
  }
}
