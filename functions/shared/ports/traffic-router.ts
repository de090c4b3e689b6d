import type { WeightedTarget } from '../domain/route-spec';
import type { TrafficProviderName } from '../domain/traffic-provider';

/** Which provider's router a reference is for; untagged means App Mesh. */
interface ProviderTagged {
  provider?: TrafficProviderName;
}

export interface RouteRef extends ProviderTagged {
  mesh: string;
  meshOwner?: string;
  virtualRouter: string;
  route: string;
}

export interface BackendRef extends ProviderTagged {
  mesh: string;
  meshOwner?: string;
  node: string;
}

/** A route's targets as read, with the provider's own copy of everything else it must write back. */
export interface RouteReading {
  targets: WeightedTarget[];
  /** Opaque to callers: the adapter keeps the full spec here so a write changes only the targets (I1). */
  readonly handle: unknown;
}

/**
 * Traffic control, one implementation per provider (App Mesh, VPC Lattice), chosen per
 * reference by wiring/traffic-router.ts. Mirrors Flagger's router: read routes, set routes,
 * make and retire backends.
 */
export interface TrafficRouter {
  readRoute(route: RouteRef): Promise<RouteReading>;
  /** Writes `targets` over the reading's spec; every other field stays as read. */
  writeRoute(route: RouteRef, reading: RouteReading, targets: WeightedTarget[]): Promise<void>;
  backendExists(backend: BackendRef): Promise<boolean>;
  /** Creates the canary backend from the stable one's spec; one that appeared meanwhile is fine. */
  createCanaryBackend(input: {
    provider?: TrafficProviderName;
    mesh: string;
    meshOwner?: string;
    stableNode: string;
    canaryNode: string;
    canaryService: string;
    canaryDnsHostname?: string;
  }): Promise<void>;
  /** The tags of the route and of what contains it (the route's own win): where a platform grants a shared route. */
  routeTags(route: RouteRef): Promise<Record<string, string>>;
  /** Which ECS service a backend selects, when its discovery says so. */
  serviceOfBackend(backend: BackendRef): Promise<string | undefined>;
  /** Deletes a backend; a missing one is fine, one still named by some route is kept. */
  retireBackend(backend: BackendRef): Promise<'deleted' | 'already-gone' | 'still-referenced'>;
}
