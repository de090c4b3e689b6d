import { ResourceMissingError } from '../domain/errors';
import { sameTargets } from '../domain/route-spec';
import { isActivePhase, rolloutPhases } from '../domain/rollout-phase';
import { routeKey } from '../domain/route-key';
import { onlyRolloutNodes } from '../domain/traffic-split';
import type { RolloutRecord } from '../ports/registry';
import type { RouteWrite } from '../ports/traffic-router';
import { CleanupGuard } from './cleanup-guard';
import { tellRollbackHook } from './run-hook';
import { backendRef, type RolloutPorts, routeRef } from './rollout-ports';

export interface RollbackReport {
  rolloutId: string;
  /** 'rolled-back' now, or the phase it had already ended in. */
  outcome: 'rolled-back' | 'already-ended';
  restoredRoutes: string[];
  untouchedRoutes: string[];
  /** Routes a person had rewritten to other nodes: left as they are (their edit wins). */
  editedRoutes: string[];
  /** Cleanups the policy asked for but skipped, each with why: something still uses the backend or service (I8). */
  keptInUse: string[];
  /** Whether the policy's onRollback hook was told, when it has one. */
  rollbackHook?: string;
  phase: RolloutRecord['phase'];
}

/**
 * Rolls a rollout back: marks it ROLLING_BACK first so no shift can land after us (I7),
 * restores each route's snapshot exactly (I3), then retires the canary and frees the routes.
 * Safe to run twice, or concurrently from the alarm handler and the state machine.
 * `spareService` is a service that must keep running: the newer rollout superseding this one is
 * about to deploy it and is not in the registry yet, so the cleanup guard cannot see it.
 */
export async function rollBackRollout(
  rolloutId: string,
  reason: string,
  ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer' | 'hooks'>,
  options: { spareService?: string } = {},
): Promise<RollbackReport> {
  const { registry, router } = ports;
  // The conditional write is the check: one registry call on the alarm's critical path.
  const activePhases = Object.values(rolloutPhases).filter(isActivePhase);
  const record = await registry.updateRollout(rolloutId, { phase: rolloutPhases.rollingBack, outcome: reason }, activePhases);
  if (!record) {
    const found = await registry.getRollout(rolloutId);
    if (!found) throw new ResourceMissingError(`No rollout ${rolloutId} in the registry`);
    return { rolloutId, outcome: 'already-ended', restoredRoutes: [], untouchedRoutes: [], editedRoutes: [], keptInUse: [], phase: found.phase };
  }
  const restore = await restoreRoutes(record, router);
  const keptInUse = await retireCanary(record, ports, options.spareService);
  for (const route of record.routes) await registry.releaseRoute(routeKey(record, route), rolloutId);
  // Before the rollout is marked ended, so a retry after a crash here tells the hook again: at least once.
  const rollbackHook = await tellRollbackHook(record, reason, ports.hooks);
  await registry.updateRollout(rolloutId, { phase: rolloutPhases.rolledBack, outcome: reason });
  return { rolloutId, ...restore, keptInUse, ...(rollbackHook ? { rollbackHook } : {}), outcome: 'rolled-back', phase: rolloutPhases.rolledBack };
}

/**
 * Puts each route's snapshot back (I3), writing only where needed. A route a person
 * rewrote to other nodes is left alone, since their edit is newer than our snapshot; the
 * others are still restored, all in one write once every route was read.
 */
export async function restoreRoutes(
  record: RolloutRecord,
  router: RolloutPorts['router'],
): Promise<Pick<RollbackReport, 'restoredRoutes' | 'untouchedRoutes' | 'editedRoutes'>> {
  const result: Pick<RollbackReport, 'restoredRoutes' | 'untouchedRoutes' | 'editedRoutes'> = { restoredRoutes: [], untouchedRoutes: [], editedRoutes: [] };
  const writes: RouteWrite[] = [];
  for (const route of record.routes) {
    const original = record.originalTargets[route];
    if (!original) continue;
    const ref = routeRef(record, route);
    const reading = await router.readRoute(ref);
    if (sameTargets(reading.targets, original)) {
      result.untouchedRoutes.push(route);
    } else if (onlyRolloutNodes(reading.targets, original, record.canaryNode)) {
      writes.push({ route: ref, reading, targets: original });
      result.restoredRoutes.push(route);
    } else {
      result.editedRoutes.push(route);
    }
  }
  if (writes.length > 0) await router.writeRoutes(writes);
  return result;
}

/** Scales the canary service down and deletes its node, as the policy says, unless something still uses them. */
async function retireCanary(record: RolloutRecord, ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer'>, spareService?: string): Promise<string[]> {
  const { deleteCanaryNode, scaleCanaryServiceToZero } = record.rollbackOptions;
  const guard = new CleanupGuard(record, ports);
  const kept: string[] = [];
  if (scaleCanaryServiceToZero && record.service !== spareService) {
    const inUse = await guard.serviceInUse(record.service, { ownDeployment: record });
    if (inUse) kept.push(`service ${record.service}: ${inUse}`);
    else await ports.deployer.scaleToZero(record.cluster, record.service);
  }
  if (deleteCanaryNode && record.canaryNodeCreated) {
    const inUse = await guard.nodeInUse(record.canaryNode);
    if (inUse) kept.push(`node ${record.canaryNode}: ${inUse}`);
    else await ports.router.retireBackend(backendRef(record, record.canaryNode));
  }
  return kept;
}
