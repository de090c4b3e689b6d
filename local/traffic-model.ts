import type { WeightedTarget } from '../functions/shared/domain/route-spec';

/** How one version behaves: the share of its requests that fail, and its typical latency. */
export interface VersionProfile {
  errorRate: number;
  latencyMs: number;
}

/** Requests and errors one node served in some span of time. */
export interface NodeTraffic {
  requests: number;
  errors: number;
}

/**
 * Fractions left over from earlier seconds, so a 10 % split of 33 requests per second
 * serves 3.3 requests per second on average instead of always 3.
 */
export type TrafficCarry = Record<string, { requests: number; errors: number }>;

/** Floors, forgiving binary rounding: 3.3 summed ten times is 32.99999…, which must count as 33. */
function wholePart(value: number): number {
  return Math.floor(value + 1e-9);
}

/**
 * One simulated second of traffic through a route: `requestsPerSecond` split by weight,
 * each node failing at its version's error rate. Deterministic, so runs are repeatable.
 * @example serveOneSecond(100, [{ virtualNode: 'v1', weight: 90 }, { virtualNode: 'v2', weight: 10 }], { v2: { errorRate: 0.2, latencyMs: 50 } }, {})
 * // { v1: { requests: 90, errors: 0 }, v2: { requests: 10, errors: 2 } }
 */
export function serveOneSecond(
  requestsPerSecond: number,
  targets: WeightedTarget[],
  profiles: Record<string, VersionProfile>,
  carry: TrafficCarry,
): Record<string, NodeTraffic> {
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  const served: Record<string, NodeTraffic> = {};
  for (const target of targets) {
    if (total === 0 || target.weight === 0) continue;
    const previous = carry[target.virtualNode] ?? { requests: 0, errors: 0 };
    const exactRequests = (requestsPerSecond * target.weight) / total + previous.requests;
    const requests = wholePart(exactRequests);
    const exactErrors = requests * (profiles[target.virtualNode]?.errorRate ?? 0) + previous.errors;
    const errors = Math.min(requests, wholePart(exactErrors));
    carry[target.virtualNode] = { requests: exactRequests - requests, errors: exactErrors - errors };
    served[target.virtualNode] = { requests, errors };
  }
  return served;
}
