import { InvalidWeightsError } from './errors';

/** One weighted target of a route: which node, how much traffic, and optionally which port. */
export interface WeightedTarget {
  virtualNode: string;
  weight: number;
  port?: number;
}

export const routeKinds = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
export type RouteKind = (typeof routeKinds)[number];

/**
 * The App Mesh route spec as a plain structure. Only the path to the weighted targets is
 * typed; everything else (match, retry policy, timeouts, priority) is carried untouched,
 * because UpdateRoute overwrites the whole spec and must get every byte back (I1).
 */
export type RouteSpec = {
  priority?: number;
} & {
  [kind in RouteKind]?: { action?: { weightedTargets?: WeightedTarget[] } } & Record<string, unknown>;
};

export const maxWeightedTargets = 10;

/**
 * The single route type a spec uses.
 * @example routeKindOf({ httpRoute: { action: { weightedTargets: [] } } }) // 'httpRoute'
 */
export function routeKindOf(spec: RouteSpec): RouteKind {
  const present = routeKinds.filter((kind) => spec[kind] !== undefined);
  if (present.length !== 1) {
    throw new InvalidWeightsError(`A route spec must have exactly one of ${routeKinds.join(', ')}; found ${present.length}`);
  }
  return present[0] as RouteKind;
}

/**
 * The weighted targets of a route spec, in the order App Mesh returned them.
 * @example weightedTargetsOf({ tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 100 }] } } })
 */
export function weightedTargetsOf(spec: RouteSpec): WeightedTarget[] {
  const targets = spec[routeKindOf(spec)]?.action?.weightedTargets ?? [];
  return targets.map((target) => ({ ...target }));
}

/**
 * A copy of `spec` with only its weighted targets replaced (I1), after checking them against
 * App Mesh's own rules (I2) and nothing stricter: a snapshot restored as it was read passes.
 * @example withWeightedTargets(spec, [{ virtualNode: 'v2', weight: 100 }])
 */
export function withWeightedTargets(spec: RouteSpec, targets: WeightedTarget[]): RouteSpec {
  assertAppMeshWeights(targets);
  const kind = routeKindOf(spec);
  const copy = structuredClone(spec);
  const route = copy[kind] as { action?: { weightedTargets?: WeightedTarget[] } };
  route.action = { ...route.action, weightedTargets: targets.map((target) => ({ ...target })) };
  return copy;
}

/**
 * Invariant I2 as App Mesh states it: one to ten targets, integer weights 0–100, no node twice.
 * Weights are relative, so their sum is free: a lone target at weight 1, or 8 : 2, is a valid
 * route, and a rollback must be able to write it back.
 * @example assertAppMeshWeights([{ virtualNode: 'v1', weight: 8 }, { virtualNode: 'v2', weight: 2 }])
 */
export function assertAppMeshWeights(targets: WeightedTarget[]): void {
  if (targets.length < 1 || targets.length > maxWeightedTargets) {
    throw new InvalidWeightsError(`A route needs 1 to ${maxWeightedTargets} weighted targets; got ${targets.length}`);
  }
  for (const { virtualNode, weight } of targets) {
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new InvalidWeightsError(`Weight of ${virtualNode} must be an integer from 0 to 100; got ${weight}`);
    }
  }
  const nodes = new Set(targets.map((target) => target.virtualNode));
  if (nodes.size !== targets.length) throw new InvalidWeightsError('A virtual node appears twice among the weighted targets');
}

/**
 * Whether two target lists send the same traffic to the same nodes and ports (order ignored).
 * @example sameTargets([{ virtualNode: 'a', weight: 100 }], [{ virtualNode: 'a', weight: 100 }]) // true
 */
export function sameTargets(left: WeightedTarget[], right: WeightedTarget[]): boolean {
  const key = (targets: WeightedTarget[]) =>
    targets
      .map((target) => `${target.virtualNode}:${target.port ?? ''}:${target.weight}`)
      .sort()
      .join(',');
  return key(left) === key(right);
}
