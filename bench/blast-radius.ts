import { datapoint, evaluateAlarm } from '../local/alarm-evaluator';
import { runScenario } from '../local/scenarios';
import { type NodeTraffic, serveOneSecond, type TrafficCarry } from '../local/traffic-model';
import { mean, round } from './stats';

export interface BlastRadiusResult {
  requestsPerSecond: number;
  canaryErrorRate: number;
  firstStepPercent: number;
  msPerSimulatedSecond: number;
  meshshift: { runs: number; meanFailed: number; minFailed: number; maxFailed: number };
  flaggerLike: number;
  awsSample: number;
  ratioToFlagger: number;
  ratioToAwsSample: number;
}

const stableErrorRate = 0.002;
const propagationSeconds = 2;
const alarm = { Threshold: 0.05, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', MetricName: 'http_5xx_rate' };
const alarmPeriodSeconds = 10;

/**
 * A polling controller in the same simulator: the canary gets `firstStep` % of traffic at
 * `shiftAt`; every `intervalSeconds` the controller checks (`metric`: the canary's error
 * rate over the interval, Flagger's analysis; `alarm`: the CloudWatch alarm's state, the AWS
 * sample's check after its Wait) and rolls back at the first failed check (threshold 1).
 * Returns the failed requests the canary served.
 */
export function pollingBlastRadius(options: { check: 'metric' | 'alarm'; intervalSeconds: number; requestsPerSecond: number; errorRate: number; firstStep: number; shiftAt: number }): number {
  const carry: TrafficCarry = {};
  const profiles = { stable: { errorRate: stableErrorRate, latencyMs: 40 }, canary: { errorRate: options.errorRate, latencyMs: 45 } };
  let weight = 0;
  const applied: number[] = [];
  let interval: NodeTraffic = { requests: 0, errors: 0 };
  let period: NodeTraffic = { requests: 0, errors: 0 };
  const datapoints: Array<number | undefined> = [];
  let failed = 0;
  let rolledBack = false;
  for (let second = 1; second <= options.shiftAt + 10 * options.intervalSeconds; second++) {
    if (second === options.shiftAt) weight = options.firstStep;
    applied.push(weight);
    const effective = applied[Math.max(0, applied.length - 1 - propagationSeconds)] ?? 0;
    if (rolledBack && effective === 0) break;
    const served = serveOneSecond(options.requestsPerSecond, [{ virtualNode: 'stable', weight: 100 - effective }, { virtualNode: 'canary', weight: effective }], profiles, carry);
    const canary = served.canary ?? { requests: 0, errors: 0 };
    failed += canary.errors;
    interval = { requests: interval.requests + canary.requests, errors: interval.errors + canary.errors };
    period = { requests: period.requests + canary.requests, errors: period.errors + canary.errors };
    if (second % alarmPeriodSeconds === 0) {
      datapoints.push(datapoint(alarm.MetricName, period));
      period = { requests: 0, errors: 0 };
    }
    if (!rolledBack && second > options.shiftAt && (second - options.shiftAt) % options.intervalSeconds === 0) {
      const failing =
        options.check === 'metric'
          ? interval.requests > 0 && interval.errors / interval.requests > alarm.Threshold
          : evaluateAlarm(alarm, datapoints) === 'ALARM';
      interval = { requests: 0, errors: 0 };
      if (failing) {
        weight = 0;
        rolledBack = true;
      }
    }
  }
  return failed;
}

/** meshshift on the local stack (the bad-canary scenario) against the two polling baselines. */
export async function measureBlastRadius(runs = 10, requestsPerSecond = 100, msPerSimulatedSecond = 50): Promise<BlastRadiusResult> {
  const failures: number[] = [];
  for (let run = 0; run < runs; run++) {
    // Spread the first shift across the alarm's 10 s period: detection depends on where it lands.
    const report = await runScenario('bad-canary', { requestsPerSecond, msPerSimulatedSecond, propagationSeconds, deploymentSettlesAfterSeconds: 30 + (run % alarmPeriodSeconds) });
    if (report.outcome !== 'rolled back') throw new Error(`bad-canary run ${run} ended ${report.outcome}`);
    failures.push(report.requests.failedOnCanary);
  }
  const baseline = { requestsPerSecond, errorRate: 0.2, firstStep: 10, shiftAt: 53, intervalSeconds: 60 };
  const flaggerLike = pollingBlastRadius({ ...baseline, check: 'metric' });
  const awsSample = pollingBlastRadius({ ...baseline, check: 'alarm' });
  const meanFailed = mean(failures);
  return {
    requestsPerSecond,
    msPerSimulatedSecond,
    canaryErrorRate: 0.2,
    firstStepPercent: 10,
    meshshift: { runs, meanFailed: round(meanFailed), minFailed: Math.min(...failures), maxFailed: Math.max(...failures) },
    flaggerLike,
    awsSample,
    ratioToFlagger: round(flaggerLike / meanFailed),
    ratioToAwsSample: round(awsSample / meanFailed),
  };
}
