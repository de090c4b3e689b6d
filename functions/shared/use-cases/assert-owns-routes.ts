import { RouteNotOwnedError } from '../domain/errors';
import { ownershipProblem, pairTagKey, servicesNamedBy, sharedRouteTagKey } from '../domain/route-ownership';
import type { WeightedTarget } from '../domain/route-spec';
import { backendRef, type RolloutPorts, routeRef } from './rollout-ports';

export interface OwnershipClaim {
  mesh: string;
  meshOwner?: string;
  virtualRouter: string;
  cluster: string;
  /** The ECS service being deployed. */
  service: string;
  canaryNode: string;
  /** Each route's targets before the rollout. */
  currentTargets: Record<string, WeightedTarget[]>;
  /** Which service a backend belongs to when ECS, not the provider, knows it (Lattice target groups). */
  serviceOfBackend?: (backend: string) => string | undefined;
}

/**
 * Refuses, before any write, a rollout of a route the deploying service does not own (I8). Every
 * fact comes from AWS: which service each node selects (its service discovery), the `meshshift:pair`
 * tag of the service that serves the route now, and the platform's `meshshift:shared-with` grant
 * on the route or its router, read only when the nodes alone do not prove ownership.
 */
export async function assertOwnsRoutes(claim: OwnershipClaim, ports: Pick<RolloutPorts, 'router' | 'deployer'>): Promise<void> {
  const { router, deployer } = ports;
  const backend = (node: string) => backendRef(claim, node);
  const serviceOf = async (node: string) => (claim.serviceOfBackend ? claim.serviceOfBackend(node) : router.serviceOfBackend(backend(node)));
  const serviceOfNode: Record<string, string | undefined> = {};
  const pairsOfService: Record<string, string[]> = {};
  // The canary node is judged on its own below; a retry finds it already among the targets.
  const stableTargets = Object.entries(claim.currentTargets).map(([route, targets]) => [route, targets.filter((target) => target.virtualNode !== claim.canaryNode)] as const);
  for (const [, targets] of stableTargets) {
    for (const { virtualNode } of targets) {
      if (virtualNode in serviceOfNode) continue;
      const owner = await serviceOf(virtualNode);
      serviceOfNode[virtualNode] = owner;
      if (owner !== undefined && owner !== claim.service && !(owner in pairsOfService)) pairsOfService[owner] = await pairsOf(claim.cluster, owner, deployer);
    }
  }

  let everyRouteGranted = true;
  for (const [route, targets] of stableTargets) {
    const facts = { route, targets, serviceOfNode, pairsOfService, sharedWith: [] as string[] };
    if (ownershipProblem(claim.service, facts) === undefined) {
      everyRouteGranted = false;
      continue;
    }
    const tags = await router.routeTags(routeRef(claim, route));
    const problem = ownershipProblem(claim.service, { ...facts, sharedWith: servicesNamedBy(tags[sharedRouteTagKey]) });
    if (problem) throw new RouteNotOwnedError(`ECS service ${claim.service} may not roll out this route: ${problem}. Nothing was changed`);
  }

  // Usually the canary node does not exist yet (Ensure canary node makes it): one read says so.
  if (!(await router.backendExists(backend(claim.canaryNode)))) return;
  const canaryService = await serviceOf(claim.canaryNode);
  if (canaryService !== undefined && canaryService !== claim.service) {
    throw new RouteNotOwnedError(
      `The task definition of ${claim.service} announces node ${claim.canaryNode}, which already exists and selects ECS service ${canaryService}; a rollout may only send traffic to its own service's tasks. Nothing was changed`,
    );
  }
  if (canaryService === undefined && !everyRouteGranted) {
    throw new RouteNotOwnedError(
      `Node ${claim.canaryNode} already exists and its service discovery selects no ECS service by name, so it cannot be shown to serve ${claim.service}; only a ${sharedRouteTagKey} tag on every route can grant that. Nothing was changed`,
    );
  }
}

async function pairsOf(cluster: string, service: string, deployer: RolloutPorts['deployer']): Promise<string[]> {
  try {
    return servicesNamedBy((await deployer.describeService(cluster, service)).tags[pairTagKey]);
  } catch (error) {
    // A node naming a service that is not in this cluster proves nothing for the deploying service.
    if ((error as Error).name === 'ResourceMissingError') return [];
    throw error;
  }
}
