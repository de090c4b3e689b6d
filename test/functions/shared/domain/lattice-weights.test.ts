import fc from 'fast-check';
import { InvalidWeightsError } from '../../../../functions/shared/domain/errors';
import { assertLatticeWeights, latticeWeightRules } from '../../../../functions/shared/domain/lattice-weights';
import type { WeightedTarget } from '../../../../functions/shared/domain/route-spec';

const targetGroupId = fc.stringMatching(/^tg-[0-9a-z]{17}$/);
const latticeWeight = fc.integer({ min: 0, max: 999 });
const targetGroups = (minLength: number, maxLength: number) =>
  fc.array(fc.record({ virtualNode: targetGroupId, weight: latticeWeight }, { noNullPrototype: true }), { minLength, maxLength });
const badWeight = fc.oneof(
  fc.integer({ min: 1000, max: 1_000_000 }),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.double({ min: -1000, max: 2000, noNaN: true }).filter((weight) => !Number.isInteger(weight)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
);

describe('assertLatticeWeights', () => {
  it('accepts any 1 to 10 target groups with integer weights 0 to 999, in any sum (all zero included)', () => {
    fc.assert(
      fc.property(targetGroups(1, 10), (targets) => {
        // Act
        const check = () => assertLatticeWeights(targets);

        // Assess
        expect(check).not.toThrow();
      }),
    );
  });

  it('refuses any weight that is not an integer from 0 to 999, naming the target group and the weight', () => {
    fc.assert(
      fc.property(targetGroups(1, 10), fc.nat(), badWeight, (targets, at, weight) => {
        // Prepare
        const index = at % targets.length;
        const broken: WeightedTarget[] = targets.map((target, position) => (position === index ? { ...target, weight } : target));

        // Act
        const check = () => assertLatticeWeights(broken);

        // Assess
        expect(check).toThrow(InvalidWeightsError);
        expect(check).toThrow(`Weight of target group ${broken[index]?.virtualNode} must be an integer from 0 to 999; got ${weight}`);
      }),
    );
  });

  it('refuses more than 10 target groups, whatever their weights', () => {
    fc.assert(
      fc.property(targetGroups(11, 30), (targets) => {
        // Act
        const check = () => assertLatticeWeights(targets);

        // Assess
        expect(check).toThrow(`A Lattice forward action needs 1 to 10 target groups; got ${targets.length}`);
      }),
    );
  });

  it.each([
    ['no target group', [], 'A Lattice forward action needs 1 to 10 target groups; got 0'],
    [
      'eleven target groups',
      Array.from({ length: 11 }, (_, index) => ({ virtualNode: `tg-${String(index).padStart(17, '0')}`, weight: 1 })),
      'A Lattice forward action needs 1 to 10 target groups; got 11',
    ],
    ['weight 1000', [{ virtualNode: 'tg-0000000000000blue', weight: 1000 }], 'Weight of target group tg-0000000000000blue must be an integer from 0 to 999; got 1000'],
    ['weight -1', [{ virtualNode: 'tg-0000000000000blue', weight: -1 }], 'Weight of target group tg-0000000000000blue must be an integer from 0 to 999; got -1'],
    ['weight 1.5', [{ virtualNode: 'tg-0000000000000blue', weight: 1.5 }], 'Weight of target group tg-0000000000000blue must be an integer from 0 to 999; got 1.5'],
  ])('refuses %s with InvalidWeightsError', (_what, targets: WeightedTarget[], message) => {
    // Act
    const check = () => assertLatticeWeights(targets);

    // Assess
    expect(check).toThrow(InvalidWeightsError);
    expect(check).toThrow(message);
  });

  it.each([
    ['a lone target group at weight 1', [{ virtualNode: 'tg-0000000000000blue', weight: 1 }]],
    [
      'the extremes 999 and 0',
      [
        { virtualNode: 'tg-0000000000000blue', weight: 999 },
        { virtualNode: 'tg-000000000000green', weight: 0 },
      ],
    ],
    ['a port, which Lattice ignores', [{ virtualNode: 'tg-0000000000000blue', weight: 100, port: 8080 }]],
  ])('accepts %s', (_what, targets: WeightedTarget[]) => {
    // Act
    const check = () => assertLatticeWeights(targets);

    // Assess
    expect(check).not.toThrow();
  });

  it("states Lattice's limits, not App Mesh's", () => {
    // Assess
    expect(latticeWeightRules).toEqual({ minTargetGroups: 1, maxTargetGroups: 10, minWeight: 0, maxWeight: 999 });
  });
});
