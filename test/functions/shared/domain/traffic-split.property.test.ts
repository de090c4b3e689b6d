import fc from 'fast-check';
import { InvalidWeightsError } from '../../../../functions/shared/domain/errors';
import { assertLatticeWeights, latticeWeightRules } from '../../../../functions/shared/domain/lattice-weights';
import { assertAppMeshWeights, maxWeightedTargets, sameTargets, type WeightedTarget } from '../../../../functions/shared/domain/route-spec';
import { type TrafficProviderName, trafficProviders } from '../../../../functions/shared/domain/traffic-provider';
import { decideRouteWrite, onlyRolloutNodes, promotedTargets, splitTraffic, stableTargetChoices } from '../../../../functions/shared/domain/traffic-split';
import { canaryNodeName, weightedTargets } from './route-spec.arbitraries';

const canaryWeights = fc.integer({ min: 1, max: 100 });

/** Invariant I2, checked independently of assertValidWeights. */
function expectI2(targets: WeightedTarget[]): void {
  for (const target of targets) {
    expect(Number.isInteger(target.weight)).toBe(true);
    expect(target.weight).toBeGreaterThanOrEqual(0);
    expect(target.weight).toBeLessThanOrEqual(100);
  }
  expect(targets.reduce((sum, target) => sum + target.weight, 0)).toBe(100);
  expect(targets.length).toBeGreaterThanOrEqual(1);
  expect(targets.length).toBeLessThanOrEqual(maxWeightedTargets);
  expect(new Set(targets.map((target) => target.virtualNode)).size).toBe(targets.length);
}

/** A route that already names the canary (a retry, or a route someone split by hand before). */
const routesNamingTheCanary = weightedTargets({ minTargets: 2 })
  .chain((targets) => fc.tuple(fc.constant(targets), fc.nat({ max: targets.length - 1 })))
  .map(([targets, canaryIndex]) => targets.map((target, index) => (index === canaryIndex ? { ...target, virtualNode: canaryNodeName } : target)))
  .filter((targets) => targets.some((target) => target.virtualNode !== canaryNodeName && target.weight > 0));

/** Each provider's own check of the targets written to it (I2), and its weight range. */
const providerWeightRules: Record<TrafficProviderName, { maxWeight: number; assertWeights: (targets: WeightedTarget[]) => void }> = {
  appmesh: { maxWeight: 100, assertWeights: assertAppMeshWeights },
  lattice: { maxWeight: latticeWeightRules.maxWeight, assertWeights: assertLatticeWeights },
};

describe.each(trafficProviders)('traffic split properties of a route on %s, on its own weight scale', (provider) => {
  const { maxWeight, assertWeights } = providerWeightRules[provider];
  // Any route the provider accepts with room for the canary: a lone 1, 8 : 2, 999 : 999 : 3 on Lattice …
  const routes = weightedTargets({ maxTargets: maxWeightedTargets - 1, relative: true, maxWeight });

  it('every split satisfies I2 and the provider accepts it (b)', () => {
    fc.assert(
      fc.property(routes, canaryWeights, (original, weight) => {
        // Act
        const split = splitTraffic(original, canaryNodeName, weight);

        // Assess
        expectI2(split);
        expect(() => assertWeights(split)).not.toThrow();
        expect(split).toHaveLength(original.length + 1);
      }),
    );
  });

  it('gives the canary exactly its weight and keeps the original proportions within rounding, whatever their scale (d)', () => {
    fc.assert(
      fc.property(routes, canaryWeights, (original, weight) => {
        // Prepare
        const total = original.reduce((sum, target) => sum + target.weight, 0);

        // Act
        const split = splitTraffic(original, canaryNodeName, weight);

        // Assess
        expect(split.find((target) => target.virtualNode === canaryNodeName)?.weight).toBe(weight);
        for (const target of original) {
          const shifted = split.find((candidate) => candidate.virtualNode === target.virtualNode);
          const exact = (target.weight * (100 - weight)) / total;
          expect(Math.abs((shifted?.weight ?? Number.NaN) - exact)).toBeLessThan(1);
          expect(shifted?.port).toBe(target.port);
        }
      }),
    );
  });

  it('promotes, with the stable targets removed or kept at 0, to targets the provider accepts, and takes the snapshot back as it was read (I2, I3)', () => {
    fc.assert(
      fc.property(routes, fc.constantFrom(...stableTargetChoices), (original, stableTargets) => {
        // Act
        const promoted = promotedTargets(original, canaryNodeName, stableTargets);

        // Assess
        expect(() => assertWeights(promoted)).not.toThrow();
        expect(() => assertWeights(original)).not.toThrow();
        expect(promoted.filter((target) => target.weight > 0)).toEqual([expect.objectContaining({ virtualNode: canaryNodeName, weight: 100 })]);
      }),
    );
  });
});

describe('traffic split properties', () => {
  it('every split of a route that already names the canary satisfies I2 and keeps the target count (b)', () => {
    fc.assert(
      fc.property(routesNamingTheCanary, canaryWeights, (original, weight) => {
        // Act
        const split = splitTraffic(original, canaryNodeName, weight);

        // Assess
        expectI2(split);
        expect(split).toHaveLength(original.length);
        expect(split.find((target) => target.virtualNode === canaryNodeName)?.weight).toBe(weight);
      }),
    );
  });

  it('a ten-target route without the canary cannot be split, since it would need eleven targets (b)', () => {
    fc.assert(
      fc.property(weightedTargets({ minTargets: maxWeightedTargets }), canaryWeights, (original, weight) => {
        // Act
        const split = () => splitTraffic(original, canaryNodeName, weight);

        // Assess
        expect(split).toThrow(InvalidWeightsError);
      }),
    );
  });

  it('promotion of any route satisfies I2 and names the canary alone (b)', () => {
    fc.assert(
      fc.property(weightedTargets(), (original) => {
        // Act
        const promoted = promotedTargets(original, canaryNodeName);

        // Assess
        expectI2(promoted);
        expect(promoted).toEqual([expect.objectContaining({ virtualNode: canaryNodeName, weight: 100 })]);
      }),
    );
  });

  it('decides "already-written" whenever the route holds the desired targets, in any order (e)', () => {
    fc.assert(
      fc.property(weightedTargets(), weightedTargets(), (desired, lastWritten) => {
        // Prepare
        const current = [...desired].reverse();

        // Act
        const decision = decideRouteWrite(current, lastWritten, desired);

        // Assess
        expect(decision).toBe('already-written');
      }),
    );
  });

  it('decides "write" when the route holds what meshshift last wrote and that is not the desired split (e)', () => {
    fc.assert(
      fc.property(weightedTargets(), weightedTargets(), (lastWritten, desired) => {
        // Prepare
        fc.pre(!sameTargets(lastWritten, desired));
        const current = structuredClone(lastWritten);

        // Act
        const decision = decideRouteWrite(current, lastWritten, desired);

        // Assess
        expect(decision).toBe('write');
      }),
    );
  });

  it('decides "edited-by-someone-else" when the route holds neither (e)', () => {
    fc.assert(
      fc.property(weightedTargets(), weightedTargets(), weightedTargets(), (current, lastWritten, desired) => {
        // Prepare
        fc.pre(!sameTargets(current, lastWritten) && !sameTargets(current, desired));

        // Act
        const decision = decideRouteWrite(current, lastWritten, desired);

        // Assess
        expect(decision).toBe('edited-by-someone-else');
      }),
    );
  });

  it('allows a restore over any split meshshift itself could have written (f)', () => {
    fc.assert(
      fc.property(weightedTargets({ maxTargets: maxWeightedTargets - 1 }), fc.integer({ min: 0, max: 100 }), (original, weight) => {
        // Prepare
        const current = weight === 0 ? original : splitTraffic(original, canaryNodeName, weight);

        // Act
        const allowed = onlyRolloutNodes(current, original, canaryNodeName);

        // Assess
        expect(allowed).toBe(true);
      }),
    );
  });

  it('refuses a restore over a route that names any node outside the snapshot and the canary (f)', () => {
    fc.assert(
      fc.property(weightedTargets({ maxTargets: maxWeightedTargets - 1 }), canaryWeights, fc.stringMatching(/^other-[a-z0-9]{1,8}$/), (original, weight, stranger) => {
        // Prepare
        const split = splitTraffic(original, canaryNodeName, weight);
        const current = split.map((target, index) => (index === 0 ? { ...target, virtualNode: stranger } : target));

        // Act
        const allowed = onlyRolloutNodes(current, original, canaryNodeName);

        // Assess
        expect(allowed).toBe(false);
      }),
    );
  });
});
