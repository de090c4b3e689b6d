import { InvalidWeightsError } from '../../../../functions/shared/domain/errors';
import {
  assertAppMeshWeights,
  routeKindOf,
  type RouteSpec,
  sameTargets,
  type WeightedTarget,
  weightedTargetsOf,
  withWeightedTargets,
} from '../../../../functions/shared/domain/route-spec';

function httpRoute(weightedTargets: WeightedTarget[]): RouteSpec {
  return {
    priority: 5,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-canary', match: { exact: 'yes' } }] },
      retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 250 }, httpRetryEvents: ['server-error'] },
      timeout: { perRequest: { unit: 's', value: 15 } },
      action: { weightedTargets },
    },
  };
}

describe('routeKindOf', () => {
  it.each(['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const)('names the single route type %s', (kind) => {
    // Prepare
    const spec: RouteSpec = { priority: 1, [kind]: { action: { weightedTargets: [{ virtualNode: 'v1', weight: 100 }] } } };

    // Act
    const found = routeKindOf(spec);

    // Assess
    expect(found).toBe(kind);
  });

  it('rejects a spec without any route type', () => {
    // Prepare
    const spec: RouteSpec = { priority: 1 };

    // Act
    const read = () => routeKindOf(spec);

    // Assess
    expect(read).toThrow(InvalidWeightsError);
    expect(read).toThrow(/found 0/);
  });

  it('rejects a spec with two route types, since App Mesh would not know which one to use', () => {
    // Prepare
    const spec: RouteSpec = { httpRoute: { action: { weightedTargets: [] } }, tcpRoute: { action: { weightedTargets: [] } } };

    // Act
    const read = () => routeKindOf(spec);

    // Assess
    expect(read).toThrow(/found 2/);
  });
});

describe('weightedTargetsOf', () => {
  it('returns the targets in the order App Mesh gave them, ports included', () => {
    // Prepare
    const targets = [
      { virtualNode: 'v1', weight: 70, port: 8080 },
      { virtualNode: 'v0', weight: 30 },
    ];

    // Act
    const read = weightedTargetsOf({ grpcRoute: { match: { serviceName: 'color' }, action: { weightedTargets: targets } } });

    // Assess
    expect(read).toStrictEqual(targets);
  });

  it('reads a route without an action as having no targets', () => {
    // Act
    const read = weightedTargetsOf({ tcpRoute: {} });

    // Assess
    expect(read).toEqual([]);
  });
});

describe('withWeightedTargets', () => {
  it('replaces only the targets and leaves the input spec untouched', () => {
    // Prepare
    const spec = httpRoute([{ virtualNode: 'v1', weight: 100 }]);
    const before = structuredClone(spec);
    const targets = [
      { virtualNode: 'v1', weight: 90 },
      { virtualNode: 'v2', weight: 10 },
    ];

    // Act
    const written = withWeightedTargets(spec, targets);

    // Assess
    expect(written).toStrictEqual({ ...before, httpRoute: { ...before.httpRoute, action: { weightedTargets: targets } } });
    expect(spec).toStrictEqual(before);
  });

  it('does not share the targets array with the caller', () => {
    // Prepare
    const targets = [{ virtualNode: 'v2', weight: 100 }];
    const written = withWeightedTargets(httpRoute([{ virtualNode: 'v1', weight: 100 }]), targets);

    // Act
    (targets[0] as WeightedTarget).weight = 1;

    // Assess
    expect(weightedTargetsOf(written)).toEqual([{ virtualNode: 'v2', weight: 100 }]);
  });

  it('checks App Mesh\'s rules (I2) before writing', () => {
    // Prepare
    const spec = httpRoute([{ virtualNode: 'v1', weight: 100 }]);

    // Act
    const write = () => withWeightedTargets(spec, [{ virtualNode: 'v1', weight: 101 }]);

    // Assess
    expect(write).toThrow(InvalidWeightsError);
  });

  it.each([
    ['one target at weight 1', [{ virtualNode: 'v1', weight: 1 }]],
    ['a split of 8 : 2', [{ virtualNode: 'v1', weight: 8 }, { virtualNode: 'v2', weight: 2 }]],
  ])('writes relative weights back as they are: %s', (_case, targets: WeightedTarget[]) => {
    // Act
    const written = withWeightedTargets(httpRoute([{ virtualNode: 'v1', weight: 100 }]), targets);

    // Assess
    expect(weightedTargetsOf(written)).toEqual(targets);
  });
});

describe('assertAppMeshWeights (I2)', () => {
  it.each([
    ['0 : 100', [{ virtualNode: 'v1', weight: 0 }, { virtualNode: 'v2', weight: 100 }]],
    ['a lone weight 1', [{ virtualNode: 'v1', weight: 1 }]],
    ['8 : 2', [{ virtualNode: 'v1', weight: 8 }, { virtualNode: 'v2', weight: 2 }]],
    ['100 : 100, summing to 200', [{ virtualNode: 'v1', weight: 100 }, { virtualNode: 'v2', weight: 100 }]],
  ])('accepts integers from 0 to 100 over distinct nodes, whatever their sum: %s', (_case, targets: WeightedTarget[]) => {
    // Act
    const check = () => assertAppMeshWeights(targets);

    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    ['no targets', [], /1 to 10 weighted targets; got 0/],
    ['eleven targets', Array.from({ length: 11 }, (_, index) => ({ virtualNode: `n${index}`, weight: index === 0 ? 90 : 1 })), /got 11/],
    ['a fractional weight', [{ virtualNode: 'a', weight: 50.5 }, { virtualNode: 'b', weight: 49.5 }], /Weight of a must be an integer/],
    ['a negative weight', [{ virtualNode: 'a', weight: -10 }, { virtualNode: 'b', weight: 110 }], /Weight of a/],
    ['a weight above 100', [{ virtualNode: 'a', weight: 101 }], /Weight of a/],
    ['a node twice', [{ virtualNode: 'a', weight: 50 }, { virtualNode: 'a', weight: 50 }], /appears twice/],
  ])('rejects %s', (_case, targets: WeightedTarget[], message) => {
    // Act
    const check = () => assertAppMeshWeights(targets);

    // Assess
    expect(check).toThrow(InvalidWeightsError);
    expect(check).toThrow(message);
  });
});

describe('sameTargets', () => {
  it('ignores order', () => {
    // Prepare
    const left = [
      { virtualNode: 'a', weight: 40 },
      { virtualNode: 'b', weight: 60 },
    ];

    // Act
    const same = sameTargets(left, [...left].reverse());

    // Assess
    expect(same).toBe(true);
  });

  it.each([
    ['a different weight', [{ virtualNode: 'a', weight: 40 }, { virtualNode: 'b', weight: 60 }], [{ virtualNode: 'a', weight: 50 }, { virtualNode: 'b', weight: 50 }]],
    ['a different node', [{ virtualNode: 'a', weight: 100 }], [{ virtualNode: 'b', weight: 100 }]],
    ['a different port', [{ virtualNode: 'a', weight: 100, port: 8080 }], [{ virtualNode: 'a', weight: 100, port: 9090 }]],
    ['a port on one side only', [{ virtualNode: 'a', weight: 100, port: 8080 }], [{ virtualNode: 'a', weight: 100 }]],
    ['an extra target', [{ virtualNode: 'a', weight: 100 }], [{ virtualNode: 'a', weight: 100 }, { virtualNode: 'b', weight: 0 }]],
  ])('tells targets apart by %s', (_case, left: WeightedTarget[], right: WeightedTarget[]) => {
    // Act
    const same = sameTargets(left, right);

    // Assess
    expect(same).toBe(false);
  });
});
