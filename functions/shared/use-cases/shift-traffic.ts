import { AlarmBreachedError, RouteEditedError } from '../domain/errors';
import type { WeightedTarget } from '../domain/route-spec';
import { mayShiftTraffic, rolloutPhases, shiftablePhases } from '../domain/rollout-phase';
import type { Rollout } from '../domain/rollout';
import type { RouteWrite } from '../ports/traffic-router';
import { decideRouteWrite, promotedTargets, splitTraffic } from '../domain/traffic-split';
import { restoreRoutes } from './roll-back-rollout';
import { type RolloutPorts, routeRef } from './rollout-ports';

type TargetsFor = (original: WeightedTarget[], canaryNode: string) => WeightedTarget[];

/**
 * Moves every route of the rollout to the current step's weights. Writes only where the
 * route differs (a retry after a landed write writes nothing), refuses to overwrite a
 * person's edit (I5), and undoes its own write if a rollback began meanwhile (I7).
 */
export async function shiftTraffic(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'router'>): Promise<Rollout> {
  const weight = rollout.weights[rollout.stepIndex] ?? 100;
  await writeTargets(rollout, ports, (original, canary) => splitTraffic(original, canary, weight), { stepIndex: rollout.stepIndex, canaryWeight: weight });
  return { ...rollout, bakeWaitSeconds: rollout.settleSeconds + rollout.bakeSeconds };
}

/** Gives the canary all traffic on every route: alone, or beside the stable targets at weight 0 as the policy says. */
export async function promoteCanary(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'router'>): Promise<Rollout> {
  const promoted: TargetsFor = (original, canary) => promotedTargets(original, canary, rollout.promotion.stableTargetGroups);
  await writeTargets(rollout, ports, promoted, { stepIndex: rollout.weights.length, canaryWeight: 100 });
  return rollout;
}

async function writeTargets(
  rollout: Rollout,
  ports: Pick<RolloutPorts, 'registry' | 'router'>,
  targetsFor: TargetsFor,
  progress: { stepIndex: number; canaryWeight: number },
): Promise<void> {
  const { registry, router } = ports;
  const record = await registry.getRollout(rollout.rolloutId);
  if (!record) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is gone; no traffic moved`);
  if (!mayShiftTraffic(record.phase)) {
    // An earlier attempt of this step may have landed its write after the rollback restored
    // the route (App Mesh has no conditional write): take it back before giving up (I7).
    if (record.phase === rolloutPhases.rollingBack || record.phase === rolloutPhases.rolledBack) await restoreRoutes(record, router);
    throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is ${record.phase}; no traffic moved`);
  }
  // Every route is read and decided before any is written: an edit found on one route (I5)
  // leaves all of them as they were, and the writes that follow go out together (lockstep).
  const lastWrittenTargets = { ...record.lastWrittenTargets };
  const writes: RouteWrite[] = [];
  for (const route of rollout.routes) {
    const original = record.originalTargets[route] ?? [];
    const desired = targetsFor(original, rollout.canaryNode);
    const ref = routeRef(rollout, route);
    const reading = await router.readRoute(ref);
    const expected = record.lastWrittenTargets[route] ?? original;
    const decision = decideRouteWrite(reading.targets, expected, desired);
    if (decision === 'edited-by-someone-else') {
      throw new RouteEditedError(
        `Route ${route} was changed outside meshshift: it holds ${describeTargets(reading.targets)}, but meshshift last wrote ${describeTargets(expected)}. The rollout stops and leaves every route as it is.`,
      );
    }
    if (decision === 'write') writes.push({ route: ref, reading, targets: desired });
    lastWrittenTargets[route] = desired;
  }
  if (writes.length > 0) await router.writeRoutes(writes);
  const updated = await recordProgress(rollout.rolloutId, { phase: rolloutPhases.shifting, lastWrittenTargets, ...progress }, registry);
  if (!updated) {
    // A rollback began while we wrote. Restore again whatever its phase, so the restore is
    // the last write even if the rollback finished before our write landed (I7). Retiring the
    // canary stays with that rollback (and Roll back, which the error leads to), so moving
    // traffic never needs the right to scale services or delete nodes.
    await restoreRoutes(record, router);
    throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} began rolling back during the shift; the route is restored`);
  }
}

/**
 * Records the step, only while the rollout may still shift. When that write fails, whether a
 * rollback began is unknown, so it is read before giving up: a rollback found means the route
 * must be restored here and now; otherwise the failure is rethrown for the task to retry.
 */
async function recordProgress(rolloutId: string, changes: Parameters<RolloutPorts['registry']['updateRollout']>[1], registry: RolloutPorts['registry']) {
  try {
    return await registry.updateRollout(rolloutId, changes, shiftablePhases);
  } catch (error) {
    const current = await registry.getRollout(rolloutId);
    if (current && mayShiftTraffic(current.phase)) throw error;
    return undefined;
  }
}

function describeTargets(targets: WeightedTarget[]): string {
  return targets.map((target) => `${target.virtualNode}=${target.weight}`).join(', ') || '(no targets)';
}
