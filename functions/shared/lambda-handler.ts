import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'meshshift' });

const metrics = new Metrics({ namespace: 'meshshift', serviceName: 'meshshift' });

/** How rollouts end, as CloudWatch metrics (EMF in the function's log): alarm on these, graph them. */
export type RolloutMetric =
  | 'RolloutsStarted'
  | 'RolloutsPromoted'
  | 'RolloutsRolledBack'
  | 'RolloutsAbandoned'
  | 'AlarmRollbacks'
  | 'RolloutsReconciled'
  | 'ReconcilerRollbacks'
  | 'RolloutsNeedAttention'
  | 'RolloutEventsNotPublished';

/** How long something took, in seconds: graph the maximum and the percentiles. */
export type DurationMetric = 'AlarmToSafeSeconds';

/** Publishes at once, so a handler that records nothing never logs an empty-metrics warning. */
export function recordMetric(name: RolloutMetric, count = 1): void {
  if (count === 0) return;
  publishMetric(name, MetricUnit.Count, count);
}

export function recordDuration(name: DurationMetric, seconds: number): void {
  publishMetric(name, MetricUnit.Seconds, seconds);
}

function publishMetric(name: RolloutMetric | DurationMetric, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}

/**
 * Wraps a handler with Middy and the Powertools logger. Errors are logged with their
 * cause and rethrown unchanged: their `name` is what the state machine's Retry/Catch match.
 */
export function lambdaHandler<Event, Result>(operation: string, handle: (event: Event, context: Context) => Promise<Result>) {
  return middy(async (event: Event, context: Context) => {
    try {
      return await handle(event, context);
    } catch (error) {
      logger.error(`${operation} failed`, { error: error as Error, cause: (error as Error)?.cause as Error });
      throw error;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
