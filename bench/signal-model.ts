import { defaultSignalModel } from '../local/data-plane';
import { asyncRetryDelaysMs, latencyRanges } from '../local/local-stack';

const range = (name: string) => `${latencyRanges[name]?.[0]}–${latencyRanges[name]?.[1]} ms`;

/**
 * The figures the local stack's clock runs on, each from the code that uses it, with its
 * source where AWS documents one and said to be an assumption where it does not.
 */
export function signalModelSection(): string[] {
  const rows = [
    ['CloudWatch alarm evaluation', 'every 10 s for periods under a minute, every minute for longer ones', 'documented: CloudWatch User Guide, "Evaluating an alarm" (AlarmThatSendsEmail.html)'],
    ['Metric ingestion (a period\'s datapoint reaching the alarm)', `${defaultSignalModel.metricIngestionSeconds} s after the period ends`, 'assumed: AWS documents no figure for current data ("the datapoints that are immediately available")'],
    ['Envoy applying a route change', `${defaultSignalModel.propagationSeconds} s`, 'assumed: AWS documents no figure; its App Mesh maintainers say "within a matter of seconds" (aws/aws-app-mesh-roadmap#32)'],
    ['EventBridge delivering an event to Lambda', range('eventDelivery'), 'assumed: AWS documents only "near-real-time" (EventBridge FAQ)'],
    ['Lambda retrying a failed asynchronous invocation', asyncRetryDelaysMs.map((ms) => `${ms / 60_000} min`).join(', then '), 'documented: Lambda Developer Guide, invocation-async-error-handling.html'],
    ['AWS SDK retries (standard mode)', '3 attempts, full jitter over 100 ms (500 ms when throttled) doubling, at most 20 s', 'documented in code: smithy-typescript packages/util-retry (constants.ts, DefaultRetryBackoffStrategy.ts)'],
    ['Step Functions Task default timeout', '99,999,999 s (the engine\'s own 60 s is replaced)', 'documented: Step Functions Developer Guide, Task state fields'],
    ['App Mesh / ECS / CloudWatch / SSM / DynamoDB round trips', ['appmesh', 'ecs', 'cloudwatch', 'ssm', 'dynamodb'].map(range).join(' / '), 'assumed: typical same-region control-plane calls; drawn per call from the seed'],
    ['Lambda invoke overhead', range('lambdaInvoke'), 'assumed: a warm invocation; cold init is measured in section 4'],
  ];
  return [
    '## The signal model',
    '',
    'Every benchmark below runs on the local stack, whose one simulated clock owns all time: state machine Waits and retries, AWS call latency and SDK backoff, task start-up, Envoy propagation, traffic, CloudWatch datapoints and alarm evaluation, event delivery and Lambda retries. Time moves only when no work is pending, so a figure measured in simulated time is the same on any machine under any load. These are the figures it runs on:',
    '',
    `| Link | Figure | Source |\n|---|---|---|\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}`,
    '',
  ];
}
