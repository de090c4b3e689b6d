import { InvalidInputError, InvalidWeightsError } from '../../../../functions/shared/domain/errors';
import type { WeightedTarget } from '../../../../functions/shared/domain/route-spec';
import { canaryWeightOf, decideRouteWrite, onlyRolloutNodes, promotedTargets, splitTraffic } from '../../../../functions/shared/domain/traffic-split';

describe('splitTraffic', () => {
  it('moves the canary weight off a single stable node', () => {
    // Prepare
    const original = [{ virtualNode: 'v1', weight: 100 }];

    // Act
    const split = splitTraffic(original, 'v2', 10);

    // Assess
    expect(split).toStrictEqual([
      { virtualNode: 'v1', weight: 90 },
      { virtualNode: 'v2', weight: 10 },
    ]);
  });

  it('shares the rest among several stable nodes by largest remainder, so the sum stays 100', () => {
    // Prepare
    const original = [
      { virtualNode: 'a', weight: 33 },
      { virtualNode: 'b', weight: 33 },
      { virtualNode: 'c', weight: 34 },
    ];

    // Act
    const split = splitTraffic(original, 'canary', 50);

    // Assess
    // Exact shares are 16.5, 16.5 and 17: the one leftover point goes to the first of the tied remainders.
    expect(split).toStrictEqual([
      { virtualNode: 'a', weight: 17 },
      { virtualNode: 'b', weight: 16 },
      { virtualNode: 'c', weight: 17 },
      { virtualNode: 'canary', weight: 50 },
    ]);
  });

  it('keeps stable nodes at weight 0 when the canary takes everything, so they stay named until promotion', () => {
    // Act
    const split = splitTraffic([{ virtualNode: 'v1', weight: 100 }], 'v2', 100);

    // Assess
    expect(split).toStrictEqual([
      { virtualNode: 'v1', weight: 0 },
      { virtualNode: 'v2', weight: 100 },
    ]);
  });

  it('re-splits a route that already names the canary from the other nodes only', () => {
    // Prepare
    const original = [
      { virtualNode: 'v1', weight: 80 },
      { virtualNode: 'v2', weight: 20 },
    ];

    // Act
    const split = splitTraffic(original, 'v2', 50);

    // Assess
    expect(split).toStrictEqual([
      { virtualNode: 'v1', weight: 50 },
      { virtualNode: 'v2', weight: 50 },
    ]);
  });

  it('gives the canary the port of the stable targets', () => {
    // Act
    const split = splitTraffic([{ virtualNode: 'v1', weight: 100, port: 9080 }], 'v2', 25);

    // Assess
    expect(split).toStrictEqual([
      { virtualNode: 'v1', weight: 75, port: 9080 },
      { virtualNode: 'v2', weight: 25, port: 9080 },
    ]);
  });

  it('refuses a route that sends nothing anywhere but the canary', () => {
    // Act
    const split = () => splitTraffic([{ virtualNode: 'v2', weight: 100 }], 'v2', 10);

    // Assess
    expect(split).toThrow(InvalidInputError);
    expect(split).toThrow(/nothing to shift from/);
  });

  it('refuses a ten-target route, since the canary would be the eleventh target', () => {
    // Prepare
    const original = Array.from({ length: 10 }, (_, index) => ({ virtualNode: `n${index}`, weight: 10 }));

    // Act
    const split = () => splitTraffic(original, 'canary', 10);

    // Assess
    expect(split).toThrow(InvalidWeightsError);
  });
});

describe('promotedTargets', () => {
  it('names the canary alone, on the stable port', () => {
    // Act
    const promoted = promotedTargets([{ virtualNode: 'v1', weight: 100, port: 8080 }], 'v2');

    // Assess
    expect(promoted).toStrictEqual([{ virtualNode: 'v2', weight: 100, port: 8080 }]);
  });

  it('adds no port when the route has none', () => {
    // Act
    const promoted = promotedTargets([{ virtualNode: 'v1', weight: 100 }], 'v2');

    // Assess
    expect(promoted).toStrictEqual([{ virtualNode: 'v2', weight: 100 }]);
  });

  it('keeps every stable target at weight 0 beside the canary when asked, ports and all', () => {
    // Prepare
    const original = [
      { virtualNode: 'v1', weight: 8, port: 8080 },
      { virtualNode: 'v0', weight: 2, port: 8080 },
    ];

    // Act
    const promoted = promotedTargets(original, 'v2', 'keep-at-zero');

    // Assess
    expect(promoted).toStrictEqual([
      { virtualNode: 'v1', weight: 0, port: 8080 },
      { virtualNode: 'v0', weight: 0, port: 8080 },
      { virtualNode: 'v2', weight: 100, port: 8080 },
    ]);
  });

  it('keeps the canary once when the original route already named it', () => {
    // Act
    const promoted = promotedTargets(
      [
        { virtualNode: 'v1', weight: 100 },
        { virtualNode: 'v2', weight: 0 },
      ],
      'v2',
      'keep-at-zero',
    );

    // Assess
    expect(promoted).toStrictEqual([
      { virtualNode: 'v1', weight: 0 },
      { virtualNode: 'v2', weight: 100 },
    ]);
  });
});

describe('decideRouteWrite', () => {
  const original = [{ virtualNode: 'v1', weight: 100 }];
  const tenPercent = [
    { virtualNode: 'v1', weight: 90 },
    { virtualNode: 'v2', weight: 10 },
  ];
  const twentyPercent = [
    { virtualNode: 'v1', weight: 80 },
    { virtualNode: 'v2', weight: 20 },
  ];

  it('writes when the route holds what meshshift wrote last', () => {
    // Act
    const decision = decideRouteWrite(original, original, tenPercent);

    // Assess
    expect(decision).toBe('write');
  });

  it('writes nothing on a retry after the write landed', () => {
    // Act
    const decision = decideRouteWrite(tenPercent, original, tenPercent);

    // Assess
    expect(decision).toBe('already-written');
  });

  it('stops when a person changed the route (I5)', () => {
    // Prepare
    const personsEdit = [
      { virtualNode: 'v1', weight: 50 },
      { virtualNode: 'v2', weight: 50 },
    ];

    // Act
    const decision = decideRouteWrite(personsEdit, tenPercent, twentyPercent);

    // Assess
    expect(decision).toBe('edited-by-someone-else');
  });
});

describe('onlyRolloutNodes', () => {
  it('accepts the original nodes and the canary', () => {
    // Act
    const allowed = onlyRolloutNodes(
      [
        { virtualNode: 'v1', weight: 60 },
        { virtualNode: 'v2', weight: 40 },
      ],
      [{ virtualNode: 'v1', weight: 100 }],
      'v2',
    );

    // Assess
    expect(allowed).toBe(true);
  });

  it('rejects a route a person pointed at another node', () => {
    // Act
    const allowed = onlyRolloutNodes([{ virtualNode: 'v3', weight: 100 }], [{ virtualNode: 'v1', weight: 100 }], 'v2');

    // Assess
    expect(allowed).toBe(false);
  });
});

describe('canaryWeightOf', () => {
  it.each<[string, WeightedTarget[], number]>([
    ['a named canary', [{ virtualNode: 'v1', weight: 75 }, { virtualNode: 'v2', weight: 25 }], 25],
    ['a route without the canary', [{ virtualNode: 'v1', weight: 100 }], 0],
  ])('reads the share of %s', (_case, targets, expected) => {
    // Act
    const weight = canaryWeightOf(targets, 'v2');

    // Assess
    expect(weight).toBe(expected);
  });
});
