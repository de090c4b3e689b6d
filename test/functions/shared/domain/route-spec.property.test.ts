import fc from 'fast-check';
import { InvalidWeightsError } from '../../../../functions/shared/domain/errors';
import { routeKindOf, weightedTargetsOf, withWeightedTargets } from '../../../../functions/shared/domain/route-spec';
import { promotedTargets, splitTraffic } from '../../../../functions/shared/domain/traffic-split';
import { canaryNodeName, routeSpecs, weightedTargets, withoutWeightedTargets } from './route-spec.arbitraries';

// Nine targets leave room for the canary; a tenth would break I2, which traffic-split.property covers.
const shiftableRoutes = routeSpecs(weightedTargets({ maxTargets: 9 }));
// Any route App Mesh accepts: weights 0–100 in any sum (a lone 1, 8 : 2, 100 : 100 : 3 …).
const relativeRoutes = routeSpecs(weightedTargets({ maxTargets: 9, relative: true }));
const canaryWeights = fc.integer({ min: 1, max: 100 });

describe('route spec properties', () => {
  it('a weight write changes only action.weightedTargets, for every route kind and every canary weight (I1)', () => {
    fc.assert(
      fc.property(shiftableRoutes, canaryWeights, ({ spec, targets }, weight) => {
        // Prepare
        const before = structuredClone(spec);
        const shiftedTargets = splitTraffic(targets, canaryNodeName, weight);

        // Act
        const shifted = withWeightedTargets(spec, shiftedTargets);

        // Assess
        expect(withoutWeightedTargets(shifted)).toStrictEqual(withoutWeightedTargets(before));
        expect(weightedTargetsOf(shifted)).toStrictEqual(shiftedTargets);
        expect(spec).toStrictEqual(before);
      }),
    );
  });

  it('a promotion write changes only action.weightedTargets as well (I1)', () => {
    fc.assert(
      fc.property(routeSpecs(), ({ spec, targets }) => {
        // Prepare
        const before = structuredClone(spec);

        // Act
        const promoted = withWeightedTargets(spec, promotedTargets(targets, canaryNodeName));

        // Assess
        expect(withoutWeightedTargets(promoted)).toStrictEqual(withoutWeightedTargets(before));
        expect(weightedTargetsOf(promoted).map((target) => target.virtualNode)).toEqual([canaryNodeName]);
      }),
    );
  });

  it('writing the snapshot back restores the targets and the whole spec exactly, whatever scale its weights use (I2, I3)', () => {
    fc.assert(
      fc.property(relativeRoutes, canaryWeights, ({ spec, targets }, weight) => {
        // Prepare
        const before = structuredClone(spec);
        const original = weightedTargetsOf(spec);
        const shifted = withWeightedTargets(spec, splitTraffic(original, canaryNodeName, weight));

        // Act
        const restored = withWeightedTargets(shifted, original);

        // Assess
        expect(weightedTargetsOf(restored)).toStrictEqual(targets);
        expect(restored).toStrictEqual(before);
      }),
    );
  });

  it('reads the targets of every route kind and keeps the kind when writing', () => {
    fc.assert(
      fc.property(routeSpecs(), ({ kind, spec, targets }) => {
        // Act
        const read = weightedTargetsOf(spec);
        const written = withWeightedTargets(spec, read);

        // Assess
        expect(routeKindOf(spec)).toBe(kind);
        expect(read).toStrictEqual(targets);
        expect(routeKindOf(written)).toBe(kind);
        expect(written).toStrictEqual(spec);
      }),
    );
  });

  it('hands out copies of the targets, so changing them cannot reach the spec', () => {
    fc.assert(
      fc.property(routeSpecs(), ({ spec }) => {
        // Prepare
        const before = structuredClone(spec);

        // Act
        const read = weightedTargetsOf(spec);
        for (const target of read) target.weight += 1;

        // Assess
        expect(spec).toStrictEqual(before);
      }),
    );
  });

  it('refuses any write that would break App Mesh\'s rules (I2) and leaves the spec as it was', () => {
    fc.assert(
      fc.property(routeSpecs(), fc.integer({ min: 1, max: 99 }), ({ spec, targets }, extra) => {
        // Prepare
        const before = structuredClone(spec);
        const overweight = targets.map((target, index) => (index === 0 ? { ...target, weight: 100 + extra } : target));

        // Act
        const write = () => withWeightedTargets(spec, overweight);

        // Assess
        expect(write).toThrow(InvalidWeightsError);
        expect(spec).toStrictEqual(before);
      }),
    );
  });
});
