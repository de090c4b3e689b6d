import { AlarmBreachedError } from '../domain/errors';
import { isActivePhase, rolloutPhases } from '../domain/rollout-phase';
import { type Rollout } from '../domain/rollout';
import { routeKey } from '../domain/route-key';
import type { RolloutRecord } from '../ports/registry';
import { CleanupGuard } from './cleanup-guard';
import { backendRef, type RolloutPorts } from './rollout-ports';

export interface RetirementReport {
  deletedNodes: string[];
  keptNodes: string[];
  scaledDownServices: string[];
  /** Cleanups the policy asked for but skipped, each with why: something still uses the backend or service (I8). */
  keptInUse: string[];
}

/**
 * Ends a promoted rollout: marks it PROMOTED (only if no rollback began during the drain),
 * then deletes the old nodes and scales their services down as the policy says.
 */
export async function retireStable(rollout: Rollout, ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer'>): Promise<RetirementReport> {
  const { registry, router, deployer } = ports;
  const record = await registry.updateRollout(rollout.rolloutId, { phase: rolloutPhases.promoted, outcome: 'promoted' }, [rolloutPhases.shifting, rolloutPhases.promoted]);
  if (!record) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} began rolling back before the stable version was retired`);
  const report: RetirementReport = { deletedNodes: [], keptNodes: [], scaledDownServices: [], keptInUse: [] };
  const guard = new CleanupGuard(record, ports);
  const oldNodes = new Set(Object.values(record.originalTargets).flatMap((targets) => targets.map((target) => target.virtualNode)));
  oldNodes.delete(rollout.canaryNode);
  for (const node of oldNodes) {
    const backend = backendRef(rollout, node);
    const service = await guard.serviceOf(node);
    if (rollout.promotion.scaleStableServiceToZero && service && service !== rollout.service) {
      const inUse = await guard.serviceInUse(service, { nothingNewerThan: record.startedAt });
      if (inUse) report.keptInUse.push(`service ${service}: ${inUse}`);
      else {
        await deployer.scaleToZero(rollout.cluster, service);
        report.scaledDownServices.push(service);
      }
    }
    const inUse = rollout.promotion.deleteStableNode ? await guard.nodeInUse(node) : undefined;
    if (inUse) report.keptInUse.push(`node ${node}: ${inUse}`);
    const result = rollout.promotion.deleteStableNode && !inUse ? await router.retireBackend(backend) : 'kept';
    (result === 'deleted' || result === 'already-gone' ? report.deletedNodes : report.keptNodes).push(node);
  }
  for (const route of rollout.routes) await registry.releaseRoute(routeKey(rollout, route), rollout.rolloutId);
  return report;
}

/** A person edited the route: let go of it without touching route or nodes, and say so in the registry. */
export async function abandonRollout(rolloutId: string, reason: string, ports: Pick<RolloutPorts, 'registry'>): Promise<void> {
  // Only a rollout still running is abandoned: one an alarm already rolled back keeps that outcome.
  const activePhases = Object.values(rolloutPhases).filter(isActivePhase);
  const record = await ports.registry.updateRollout(rolloutId, { phase: rolloutPhases.abandoned, outcome: reason }, activePhases);
  for (const route of record?.routes ?? []) await ports.registry.releaseRoute(routeKey(record as RolloutRecord, route), rolloutId);
}
