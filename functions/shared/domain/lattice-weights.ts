import { InvalidWeightsError } from './errors';
import type { WeightedTarget } from './route-spec';

/**
 * VPC Lattice's own rules for a forward action's target groups, as its API model states them
 * (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/vpc-lattice.json):
 * - `WeightedTargetGroupList` has `smithy.api#length` 1..10: one to ten target groups.
 * - `WeightedTargetGroup.weight` targets `TargetGroupWeight`, an integer with `smithy.api#range` 0..999.
 * - Weights are relative ("two target groups, each with a weight of 10, each ... receives half"),
 *   so their sum is free. The model states no rule on the sum, on all weights being 0, or on one
 *   target group appearing twice (the list has no `uniqueItems`), so none is checked here.
 */
export const latticeWeightRules = { minTargetGroups: 1, maxTargetGroups: 10, minWeight: 0, maxWeight: 999 } as const;

/**
 * Invariant I2 as VPC Lattice states it: one to ten target groups, integer weights 0–999, and
 * nothing stricter, so a snapshot written back exactly as Lattice returned it always passes
 * (a check meant for rolling forward never blocks rolling back). A target's `virtualNode` is
 * the target group's id or ARN; `port` means nothing to Lattice.
 * @example assertLatticeWeights([{ virtualNode: 'tg-0123456789abcdef0', weight: 900 }, { virtualNode: 'tg-0fedcba9876543210', weight: 100 }])
 */
export function assertLatticeWeights(targets: WeightedTarget[]): void {
  const { minTargetGroups, maxTargetGroups, minWeight, maxWeight } = latticeWeightRules;
  if (targets.length < minTargetGroups || targets.length > maxTargetGroups) {
    throw new InvalidWeightsError(`A Lattice forward action needs ${minTargetGroups} to ${maxTargetGroups} target groups; got ${targets.length}`);
  }
  for (const { virtualNode, weight } of targets) {
    if (!Number.isInteger(weight) || weight < minWeight || weight > maxWeight) {
      throw new InvalidWeightsError(`Weight of target group ${virtualNode} must be an integer from ${minWeight} to ${maxWeight}; got ${weight}`);
    }
  }
}
