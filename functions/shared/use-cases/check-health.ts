import { AlarmBreachedError, RolloutAbortedError, RouteEditedError } from '../domain/errors';
import { decideHealth } from '../domain/health-decision';
import { mayShiftTraffic } from '../domain/rollout-phase';
import type { Rollout } from '../domain/rollout';
import { sameTargets } from '../domain/route-spec';
import type { RolloutRecord } from '../ports/registry';
import { type RolloutPorts, routeRef } from './rollout-ports';

/**
 * After a bake: reads the alarms and any operator request, and sets the verdict the
 * state machine branches on. A roll-back verdict is thrown as an error so the state
 * machine's Catch takes the compensation path with a readable cause.
 */
export async function checkHealth(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'health' | 'router'>): Promise<Rollout> {
  const record = await ports.registry.getRollout(rollout.rolloutId);
  if (!record || !mayShiftTraffic(record.phase)) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is ${record?.phase ?? 'gone'}`);
  if (rollout.settleSeconds > 0) await verifyWeights(record, ports);
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
    // A held step was shifted already: its next bake need not wait for the provider again.
    bakeWaitSeconds: rollout.bakeSeconds,
    stepIndex: decision.verdict === 'advance' ? rollout.stepIndex + 1 : rollout.stepIndex,
  };
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
