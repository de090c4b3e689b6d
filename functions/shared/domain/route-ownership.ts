import type { WeightedTarget } from './route-spec';

/**
 * Tag on an ECS service naming the services (comma-separated) that may take over the traffic
 * it serves: a blue/green pair tags each service with the other's name. The owner of the
 * traffic gives the consent, so a team cannot claim another team's service from its own side.
 */
export const pairTagKey = 'meshshift:pair';

/**
 * Tag on a route or its virtual router, set by the platform team, naming the ECS services
 * (separated by spaces or commas, or `*` for every service of the stack's cluster) that may roll it out
 * whoever's nodes it names. The more specific wins: a route's own tag replaces its router's, so
 * one route of a shared router can be narrowed. meshshift itself is never granted the right to tag.
 */
export const sharedRouteTagKey = 'meshshift:shared-with';

/**
 * The service names a tag value lists, separated by spaces or commas: ECS and Lattice tag values
 * allow no comma (letters, digits, spaces and _ . : / = + - @), so a space is what works everywhere.
 * @example servicesNamedBy('colorteller-blue colorteller-green') // ['colorteller-blue', 'colorteller-green']
 */
export function servicesNamedBy(tagValue: string | undefined): string[] {
  return (tagValue ?? '')
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** What AWS says about one route of a rollout: its targets, which service each node selects, and the grants. */
export interface RouteOwnershipFacts {
  route: string;
  targets: WeightedTarget[];
  /** Per node the route names: the ECS service its service discovery selects, when it says so. */
  serviceOfNode: Record<string, string | undefined>;
  /** Per ECS service those nodes select: the services its `meshshift:pair` tag lets take over. */
  pairsOfService: Record<string, string[]>;
  /** The route's and its router's `meshshift:shared-with` tag values. */
  sharedWith: string[];
}

/**
 * Why `deployingService` may not roll out this route, or undefined when it may (I8): every node
 * the route names selects the deploying service or a service that names it as its pair, unless
 * the platform granted the route to it.
 * @example ownershipProblem('colorteller', { route: 'r', targets: [{ virtualNode: 'v1', weight: 100 }], serviceOfNode: { v1: 'payments' }, pairsOfService: {}, sharedWith: [] }) // 'route r names node v1, which selects ECS service payments; …'
 */
export function ownershipProblem(deployingService: string, facts: RouteOwnershipFacts): string | undefined {
  if (facts.sharedWith.some((grant) => grant === '*' || grant === deployingService)) return undefined;
  for (const target of facts.targets) {
    const owner = facts.serviceOfNode[target.virtualNode];
    if (owner === deployingService) continue;
    if (owner === undefined) {
      return `route ${facts.route} names node ${target.virtualNode}, which no ECS service can be shown to run (an App Mesh node's service discovery names none by ECS_SERVICE_NAME; no ECS service registers into a Lattice target group); ownership cannot be proven, so only a ${sharedRouteTagKey} tag on the route or what holds it can grant it`;
    }
    if (!(facts.pairsOfService[owner] ?? []).includes(deployingService)) {
      return `route ${facts.route} names node ${target.virtualNode}, which selects ECS service ${owner}; ${owner} does not name ${deployingService} in its ${pairTagKey} tag, and the route has no ${sharedRouteTagKey} tag granting it`;
    }
  }
  return undefined;
}
