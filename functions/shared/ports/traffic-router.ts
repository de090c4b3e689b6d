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

/** One route's new targets, over the reading they replace. */
export interface RouteWrite {
  route: RouteRef;
  reading: RouteReading;
  targets: WeightedTarget[];
}

/**
 * Traffic control, one implementation per provider (App Mesh, VPC Lattice), chosen per
 * reference by wiring/traffic-router.ts. Mirrors Flagger's router: read routes, set routes,
 * make and retire backends.
 */
export interface TrafficRouter {
  readRoute(route: RouteRef): Promise<RouteReading>;
  /**
   * Writes each route's `targets` over its reading's spec, every other field as read, checking
   * every write before sending any and sending them as close together as the provider allows
   * (routes shifted in lockstep). Not atomic on any provider: when it throws, some writes may
   * have landed, so a caller retries by reading every route again and writing what still differs.
   */
  writeRoutes(writes: RouteWrite[]): Promise<void>;
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
