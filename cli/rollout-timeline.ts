import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { readableCause } from '../functions/shared/domain/errors';
import type { Rollout } from '../functions/shared/domain/rollout';

export interface TimelineEntry {
  at: Date;
  text: string;
}

type StateOutput = { rollout?: Partial<Rollout>; outcome?: { cause?: string }; failure?: { Error?: string; Cause?: string } };

/** A state's input or output as the history holds it: JSON text, or nothing when Step Functions left it out. */
function parsed(text: string | undefined): StateOutput {
  try {
    return text ? (JSON.parse(text) as StateOutput) : {};
  } catch {
    return {};
  }
}

const percent = (weights: number[] | undefined) => (weights ? `${weights.join(' → ')} %` : 'the policy’s steps');

/**
 * What each state of the rollout state machine tells an operator when it ends, read from its
 * output; states missing here say only that they ended (Choice, Wait and Pass say nothing).
 */
const stateExits: Record<string, (output: StateOutput, last: { canaryWeight?: number }) => string | undefined> = {
  'Prepare rollout': ({ rollout = {} }) =>
    `prepared: ${rollout.canaryNode} takes over from ${rollout.stableNode} in steps ${percent(rollout.weights)}, bake ${rollout.bakeSeconds} s${rollout.settleSeconds ? ` after ${rollout.settleSeconds} s to settle` : ''}`,
  'Ensure canary node': () => undefined,
  'Deploy canary': ({ rollout = {} }) => `canary deployment started: ${rollout.taskDefinitionArn}`,
  'Wait for canary tasks': () => 'canary tasks running',
  'Shift traffic': ({ rollout = {} }, last) => {
    last.canaryWeight = rollout.weights?.[rollout.stepIndex ?? 0];
    return `step ${(rollout.stepIndex ?? 0) + 1} of ${rollout.weights?.length ?? '?'}: canary ${last.canaryWeight} %, stable ${100 - (last.canaryWeight ?? 0)} %`;
  },
  'Check health': ({ rollout = {} }, last) => {
    const verdicts: Record<string, string> = {
      advance: 'healthy, next step',
      hold: `failed check ${rollout.failedChecks} of ${rollout.toleratedFailedChecks} tolerated, holding the step`,
      promote: 'promote',
      pause: 'pausing at this weight',
    };
    return `health check at ${last.canaryWeight} %: ${verdicts[rollout.verdict ?? ''] ?? rollout.verdict}`;
  },
  'Pause rollout': () => 'pause over',
  'Promote canary': () => 'canary 100 %',
  'Retire stable': () => 'stable retired',
  'Roll back': ({ outcome }) => outcome?.cause,
  'Abandon rollout': ({ outcome }) => outcome?.cause,
};

/** The states a failure is caught into: entering one names the failure and where it happened. */
const compensations = new Set(['Roll back', 'Abandon rollout']);

function failureOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  return event.lambdaFunctionFailedEventDetails ?? event.lambdaFunctionTimedOutEventDetails ?? event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
}

/**
 * The rollout's story from its execution history: each step with its weights, each health
 * verdict, each failure with the state it happened in, retries, and how the execution ended.
 * @example rolloutTimeline(events).map((entry) => entry.text) // ['started: default/colorteller', 'prepared: …', 'step 1 of 4: canary 10 %, stable 90 %', …]
 */
export function rolloutTimeline(events: HistoryEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const last: { canaryWeight?: number } = {};
  let task: string | undefined;
  let failedAttempts: string[] = [];
  // A state whose last attempt failed exits into its Catch: the compensation state says what happened.
  let lastAttemptFailed = false;
  for (const event of events) {
    const add = (text: string | undefined) => {
      if (text) entries.push({ at: event.timestamp ?? new Date(0), text });
    };
    const retries = () => (failedAttempts.length ? ` (after ${failedAttempts.length} failed attempt(s): ${[...new Set(failedAttempts)].join(', ')})` : '');
    const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? '';
    const failure = failureOf(event);
    if (event.type === 'ExecutionStarted') {
      const input = parsed(event.executionStartedEventDetails?.input) as { cluster?: string; service?: string; taskDefinition?: string; deploymentId?: string };
      add(`started: ${input.cluster}/${input.service}${input.taskDefinition ? `, task definition ${input.taskDefinition}` : ''}${input.deploymentId ? `, deployment ${input.deploymentId}` : ''}`);
    } else if (event.type === 'TaskStateEntered') {
      if (compensations.has(name)) {
        const caught = parsed(event.stateEnteredEventDetails?.input).failure;
        const attempts = failedAttempts.length > 1 ? ` on all ${failedAttempts.length} attempts` : '';
        add(`${task} failed${attempts}: ${caught?.Error}: ${readableCause(caught?.Cause)}`);
      }
      task = name;
      failedAttempts = [];
      lastAttemptFailed = false;
    } else if (failure) {
      failedAttempts.push(failure.error ?? 'an error');
      lastAttemptFailed = true;
    } else if (event.type === 'LambdaFunctionScheduled' || event.type === 'TaskScheduled') {
      lastAttemptFailed = false;
    } else if (event.type === 'TaskStateExited' && !lastAttemptFailed) {
      const describe = stateExits[name];
      const text = describe ? describe(parsed(event.stateExitedEventDetails?.output), last) : `${name} done`;
      add(text && `${text}${retries()}`);
    } else if (event.type === 'ExecutionSucceeded') {
      add('execution succeeded: promoted');
    } else if (event.type === 'ExecutionFailed' || event.type === 'ExecutionAborted' || event.type === 'ExecutionTimedOut') {
      const details = event.executionFailedEventDetails ?? event.executionAbortedEventDetails ?? event.executionTimedOutEventDetails;
      const how = { ExecutionFailed: 'failed', ExecutionAborted: 'stopped', ExecutionTimedOut: 'timed out' }[event.type];
      add(`execution ${how}${details?.error ? `: ${details.error}: ${readableCause(details.cause)}` : ''}`);
    }
  }
  return entries;
}

/** Who or what ended an execution, by the error it ended with (the state machine's contract names them). */
const endedBy: Record<string, string> = {
  AlarmBreachedError: 'an alarm or a failed health check',
  RolloutAbortedError: 'an operator (meshshift abort)',
  RouteEditedError: 'a person who edited the route',
  RolloutSupersededError: 'a newer deployment of the same route',
  CanaryDeploymentFailedError: "the canary's ECS deployment failing",
  RollbackFailedError: 'a rollback that kept failing (the reconciler keeps trying)',
  RolloutEndedError: 'the reconciler, after the rollout had already ended',
  'States.Timeout': 'the execution timeout',
};

/**
 * One line on how the execution ended: promoted, or who or what stopped it and why.
 * @example howItEnded({ status: 'ABORTED', error: 'AlarmBreachedError', cause: 'alarm 5xx went into ALARM' }) // 'ABORTED by an alarm or a failed health check: AlarmBreachedError: alarm 5xx went into ALARM'
 */
export function howItEnded(execution: Pick<DescribeExecutionOutput, 'status' | 'error' | 'cause'>): string {
  if (execution.status === 'SUCCEEDED' || execution.status === 'RUNNING') return execution.status;
  const by = execution.error && endedBy[execution.error] ? ` by ${endedBy[execution.error]}` : '';
  return `${execution.status}${by}${execution.error ? `: ${execution.error}: ${readableCause(execution.cause)}` : ''}`;
}

const consoleHosts: Record<string, string> = { aws: 'console.aws.amazon.com', 'aws-cn': 'console.amazonaws.cn', 'aws-us-gov': 'console.amazonaws-us-gov.com' };

/**
 * The execution's page in the Step Functions console, where its graph and every event are.
 * @example executionLink('arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:r1')
 * // 'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:r1'
 */
export function executionLink(executionArn: string): string | undefined {
  const [, partition = '', , region = ''] = executionArn.split(':');
  const host = consoleHosts[partition];
  return host && `https://${region}.${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
