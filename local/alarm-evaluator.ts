import type { NodeTraffic } from './traffic-model';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The parts of a CloudWatch metric alarm that decide its state. */
export interface AlarmDefinition {
  AlarmName?: string;
  MetricName?: string;
  Dimensions?: Array<{ Name?: string; Value?: string }>;
  Period?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
}

/**
 * The metrics the local stack publishes per virtual node and period:
 * `http_5xx_rate` (errors / requests) and `http_5xx` (error count).
 */
export function datapoint(metricName: string | undefined, traffic: NodeTraffic | undefined): number | undefined {
  if (!traffic || traffic.requests === 0) return undefined;
  if (metricName === 'http_5xx') return traffic.errors;
  return traffic.errors / traffic.requests;
}

function breaches(value: number, alarm: AlarmDefinition): boolean {
  const threshold = alarm.Threshold ?? 0;
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return value > threshold;
  }
}

/**
 * Evaluates an alarm the way CloudWatch does at the end of a period: over the last
 * `EvaluationPeriods` datapoints, ALARM when at least `DatapointsToAlarm` (default: all)
 * breach, OK when there is data and too few breach, INSUFFICIENT_DATA when there is none.
 * @example evaluateAlarm({ Threshold: 0.05, EvaluationPeriods: 1 }, [0.2]) // 'ALARM'
 */
export function evaluateAlarm(alarm: AlarmDefinition, datapoints: Array<number | undefined>): AlarmStateValue {
  const periods = alarm.EvaluationPeriods ?? 1;
  const window = datapoints.slice(-periods).filter((value): value is number => value !== undefined);
  if (window.length === 0) return 'INSUFFICIENT_DATA';
  const needed = alarm.DatapointsToAlarm ?? periods;
  return window.filter((value) => breaches(value, alarm)).length >= needed ? 'ALARM' : 'OK';
}

/** The backend an alarm watches: an App Mesh virtual node, or a Lattice target group (AWS/VpcLattice's `TargetGroup` dimension). */
export function watchedNode(alarm: AlarmDefinition): string | undefined {
  return alarm.Dimensions?.find((dimension) => dimension.Name === 'VirtualNode' || dimension.Name === 'TargetGroup')?.Value;
}
