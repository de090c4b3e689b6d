import { InvalidInputError, InvalidWeightsError } from './errors';
import { assertAppMeshWeights, sameTargets, type WeightedTarget } from './route-spec';

/**
 * The targets for one step: the canary gets `canaryWeight`, and the route's original
 * targets share the rest in their original proportions (largest remainder, so the
 * integers still sum to 100). Works for a plain 100 % stable route and for routes that
 * already split traffic between several nodes.
 * @example splitTraffic([{ virtualNode: 'v1', weight: 100 }], 'v2', 10)
 * // [{ virtualNode: 'v1', weight: 90 }, { virtualNode: 'v2', weight: 10 }]
 */
export function splitTraffic(original: WeightedTarget[], canaryNode: string, canaryWeight: number): WeightedTarget[] {
  const stable = original.filter((target) => target.virtualNode !== canaryNode);
  const stableTotal = stable.reduce((sum, target) => sum + target.weight, 0);
  if (stableTotal === 0) {
    throw new InvalidInputError(`The route sends no traffic to any node other than the canary ${canaryNode}; nothing to shift from`);
  }
  const remaining = 100 - canaryWeight;
  const exact = stable.map((target) => (target.weight * remaining) / stableTotal);
  const weights = exact.map(Math.floor);
  let leftover = remaining - weights.reduce((sum, weight) => sum + weight, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of byRemainder) {
    if (leftover === 0) break;
    weights[index] = (weights[index] ?? 0) + 1;
    leftover -= 1;
  }
  const targets = stable.map((target, index) => ({ ...target, weight: weights[index] ?? 0 }));
  targets.push(canaryTarget(original, canaryNode, canaryWeight));
  assertAppMeshWeights(targets);
  // meshshift's own splits read as percentages; the route they came from may use any scale.
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  if (total !== 100) throw new InvalidWeightsError(`A computed split must sum to 100; got ${total}`);
  return targets;
}

/**
 * What promotion does with the targets that are not the canary: `remove` them from the route,
 * or `keep-at-zero`, naming them at weight 0 so that going back is a weight change alone.
 */
export const stableTargetChoices = ['remove', 'keep-at-zero'] as const;
export type StableTargetChoice = (typeof stableTargetChoices)[number];

/**
 * After promotion the canary takes all traffic. By default the route names only the canary, so
 * the stable nodes can be deleted; `keep-at-zero` keeps the stable targets in place at weight 0.
 * @example promotedTargets([{ virtualNode: 'v1', weight: 100, port: 8080 }], 'v2')
 * // [{ virtualNode: 'v2', weight: 100, port: 8080 }]
 * @example promotedTargets([{ virtualNode: 'v1', weight: 100 }], 'v2', 'keep-at-zero')
 * // [{ virtualNode: 'v1', weight: 0 }, { virtualNode: 'v2', weight: 100 }]
 */
export function promotedTargets(original: WeightedTarget[], canaryNode: string, stableTargets: StableTargetChoice = 'remove'): WeightedTarget[] {
  const canary = canaryTarget(original, canaryNode, 100);
  if (stableTargets === 'remove') return [canary];
  const stable = original.filter((target) => target.virtualNode !== canaryNode).map((target) => ({ ...target, weight: 0 }));
  return [...stable, canary];
}

function canaryTarget(original: WeightedTarget[], canaryNode: string, weight: number): WeightedTarget {
  const port = original.find((target) => target.port !== undefined)?.port;
  return port === undefined ? { virtualNode: canaryNode, weight } : { virtualNode: canaryNode, weight, port };
}

/** What a weight write must do given what the route holds now (Argo-style: write only when needed). */
export type RouteWriteDecision = 'write' | 'already-written' | 'edited-by-someone-else';

/**
 * `current` equal to `desired`: a retry after a write that landed, so write nothing.
 * `current` equal to what meshshift last wrote: safe to write. Anything else: a person
 * edited the route (I5), so stop instead of overwriting.
 * @example decideRouteWrite(current, lastWritten, desired) // 'write'
 */
export function decideRouteWrite(current: WeightedTarget[], lastWritten: WeightedTarget[], desired: WeightedTarget[]): RouteWriteDecision {
  if (sameTargets(current, desired)) return 'already-written';
  if (sameTargets(current, lastWritten)) return 'write';
  return 'edited-by-someone-else';
}

/**
 * Whether a rollback may restore the route: only while every target is one meshshift could
 * have written (an original node or the canary). A route a person rewrote to other nodes
 * is left alone, because their edit is newer knowledge than our snapshot.
 * @example onlyRolloutNodes(current, original, 'v2') // true
 */
export function onlyRolloutNodes(current: WeightedTarget[], original: WeightedTarget[], canaryNode: string): boolean {
  const allowed = new Set([...original.map((target) => target.virtualNode), canaryNode]);
  return current.every((target) => allowed.has(target.virtualNode));
}

/**
 * The canary's share of a route right now (0 when it is not a target).
 * @example canaryWeightOf([{ virtualNode: 'v2', weight: 25 }], 'v2') // 25
 */
export function canaryWeightOf(targets: WeightedTarget[], canaryNode: string): number {
  return targets.filter((target) => target.virtualNode === canaryNode).reduce((sum, target) => sum + target.weight, 0);
}
