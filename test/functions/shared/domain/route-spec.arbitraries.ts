import fc from 'fast-check';
import { maxWeightedTargets, type RouteKind, type RouteSpec, type WeightedTarget } from '../../../../functions/shared/domain/route-spec';

/**
 * Generators of App Mesh route specs shaped like DescribeRoute output, for the property
 * tests. Records never get a null prototype, because specs arrive as parsed JSON.
 */

function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, requiredKeys: Array<keyof T> = []) {
  return fc.record(model, { requiredKeys, noNullPrototype: true });
}

/** The canary's name never collides with a generated node, whose names all start with `node-`. */
export const canaryNodeName = 'canary-node';

const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const duration = record({ unit: fc.constantFrom('s', 'ms'), value: fc.integer({ min: 0, max: 100_000 }) }, ['unit', 'value']);
const port = fc.integer({ min: 1, max: 65_535 });
// Built once: stringMatching compiles its regex on every call, which is slow inside chain().
const nodeName = fc.stringMatching(/^node-[a-z0-9-]{1,12}$/);

const stringMatch = fc.oneof(
  record({ exact: fc.string() }, ['exact']),
  record({ prefix: fc.string() }, ['prefix']),
  record({ suffix: fc.string() }, ['suffix']),
  record({ regex: fc.string() }, ['regex']),
  record({ range: record({ start: fc.integer({ min: 0, max: 1000 }), end: fc.integer({ min: 1001, max: 5000 }) }, ['start', 'end']) }, ['range']),
);
const headerMatch = record({ name, invert: fc.boolean(), match: stringMatch }, ['name']);

const httpMatch = record({
  prefix: fc.constantFrom('/', '/api', '/color'),
  path: fc.oneof(record({ exact: fc.string() }, ['exact']), record({ regex: fc.string() }, ['regex'])),
  headers: fc.array(headerMatch, { maxLength: 3 }),
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'),
  scheme: fc.constantFrom('http', 'https'),
  queryParameters: fc.array(record({ name, match: record({ exact: fc.string() }, ['exact']) }, ['name']), { maxLength: 3 }),
  port,
});
const httpRetryPolicy = record(
  {
    maxRetries: fc.integer({ min: 0, max: 10 }),
    perRetryTimeout: duration,
    httpRetryEvents: fc.uniqueArray(fc.constantFrom('server-error', 'gateway-error', 'client-error', 'stream-error'), { minLength: 1 }),
    tcpRetryEvents: fc.constant(['connection-error']),
  },
  ['maxRetries', 'perRetryTimeout'],
);
const grpcMatch = record({
  serviceName: name,
  methodName: name,
  metadata: fc.array(headerMatch, { maxLength: 3 }),
  port,
});
const grpcRetryPolicy = record(
  {
    maxRetries: fc.integer({ min: 0, max: 10 }),
    perRetryTimeout: duration,
    grpcRetryEvents: fc.uniqueArray(fc.constantFrom('cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'), { minLength: 1 }),
    httpRetryEvents: fc.uniqueArray(fc.constantFrom('server-error', 'gateway-error', 'client-error', 'stream-error'), { minLength: 1 }),
    tcpRetryEvents: fc.constant(['connection-error']),
  },
  ['maxRetries', 'perRetryTimeout'],
);
const requestTimeout = record({ perRequest: duration, idle: duration });

/** `count` integers from 0 to 100 summing to exactly 100: the gaps between sorted cut points. */
export function weightsSummingTo100(count: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: 100 }), { minLength: count - 1, maxLength: count - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), 100];
    return points.slice(1).map((point, index) => point - (points[index] ?? 0));
  });
}

/**
 * `count` relative weights as App Mesh accepts them: integers 0–100 (0–`maxWeight` for a
 * provider with a wider range, Lattice's 999), any sum, at least one above 0 (a route that
 * sends no traffic anywhere has nothing to shift).
 */
export function relativeWeights(count: number, maxWeight = 100): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: maxWeight }), { minLength: count, maxLength: count }).filter((weights) => weights.some((weight) => weight > 0));
}

/**
 * 1–10 (or the given range of) weighted targets that satisfy I2, on distinct `node-*` names;
 * summing to 100 unless `relative`, when any sum App Mesh accepts (up to `maxWeight` each).
 */
export function weightedTargets(constraints: { minTargets?: number; maxTargets?: number; relative?: boolean; maxWeight?: number } = {}): fc.Arbitrary<WeightedTarget[]> {
  const minTargets = constraints.minTargets ?? 1;
  const maxTargets = constraints.maxTargets ?? maxWeightedTargets;
  return fc.integer({ min: minTargets, max: maxTargets }).chain((count) =>
    fc
      .tuple(
        fc.uniqueArray(nodeName, { minLength: count, maxLength: count }),
        constraints.relative ? relativeWeights(count, constraints.maxWeight) : weightsSummingTo100(count),
        fc.array(fc.option(port, { nil: undefined }), { minLength: count, maxLength: count }),
      )
      .map(([nodes, weights, ports]) =>
        nodes.map((virtualNode, index) => {
          const target: WeightedTarget = { virtualNode, weight: weights[index] ?? 0 };
          const targetPort = ports[index];
          if (targetPort !== undefined) target.port = targetPort;
          return target;
        }),
      ),
  );
}

function routeBody(kind: RouteKind, targets: WeightedTarget[]): fc.Arbitrary<Record<string, unknown>> {
  const action = { weightedTargets: targets };
  switch (kind) {
    case 'httpRoute':
    case 'http2Route':
      return record({ match: httpMatch, retryPolicy: httpRetryPolicy, timeout: requestTimeout }, ['match']).map((body) => ({ ...body, action }));
    case 'grpcRoute':
      return record({ match: grpcMatch, retryPolicy: grpcRetryPolicy, timeout: requestTimeout }, ['match']).map((body) => ({ ...body, action }));
    case 'tcpRoute':
      return record({ match: record({ port }, ['port']), timeout: record({ idle: duration }) }).map((body) => ({ ...body, action }));
  }
}

export interface GeneratedRoute {
  kind: RouteKind;
  spec: RouteSpec;
  targets: WeightedTarget[];
}

/** A whole route spec of any of the four kinds, with optional priority, around the given targets. */
export function routeSpecs(targets: fc.Arbitrary<WeightedTarget[]> = weightedTargets()): fc.Arbitrary<GeneratedRoute> {
  return fc
    .tuple(fc.constantFrom<RouteKind>('httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'), targets, fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }))
    .chain(([kind, routeTargets, priority]) =>
      routeBody(kind, routeTargets).map((body) => {
        const spec: RouteSpec = { [kind]: body };
        if (priority !== undefined) spec.priority = priority;
        return { kind, spec, targets: routeTargets };
      }),
    );
}

/** The spec with its weighted targets cut out, so two specs can be compared on everything else (I1). */
export function withoutWeightedTargets(spec: RouteSpec): RouteSpec {
  const copy = structuredClone(spec);
  for (const body of Object.values(copy)) {
    if (body && typeof body === 'object') delete (body as { action?: { weightedTargets?: unknown } }).action?.weightedTargets;
  }
  return copy;
}
