import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { executionLink, howItEnded, rolloutTimeline } from '../../cli/rollout-timeline';

const rollout = { weights: [10, 50, 100], stepIndex: 0, canaryNode: 'colorteller-v2', stableNode: 'colorteller-v1', bakeSeconds: 300, settleSeconds: 0, toleratedFailedChecks: 1 };
let clock = Date.parse('2026-11-22T10:00:00Z');

/** One event as GetExecutionHistory returns it from AWS, a second after the one before. */
function event(type: HistoryEvent['type'], details: Partial<HistoryEvent> = {}): HistoryEvent {
  clock += 1000;
  return { type, id: 0, timestamp: new Date(clock), ...details };
}

const entered = (name: string, input: unknown = {}) => event('TaskStateEntered', { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
const exited = (name: string, output: unknown) => event('TaskStateExited', { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
/** Lambda reports a function's error as JSON, with its trace. */
const lambdaFailed = (error: string, message: string) => event('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause: JSON.stringify({ errorType: error, errorMessage: message, trace: ['at x'] }) } });

describe('rolloutTimeline', () => {
  it('tells each step with its weights, each verdict, retries, and a failure caught into the rollback', () => {
    // Prepare
    const events = [
      event('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify({ cluster: 'default', service: 'colorteller', deploymentId: 'ecs-svc/123' }) } }),
      entered('Prepare rollout'),
      exited('Prepare rollout', { rollout }),
      entered('Shift traffic'),
      event('LambdaFunctionScheduled'),
      lambdaFailed('TransientAwsError', 'UpdateRoute failed transiently'),
      event('LambdaFunctionScheduled'),
      event('LambdaFunctionSucceeded'),
      exited('Shift traffic', { rollout }),
      event('WaitStateEntered', { stateEnteredEventDetails: { name: 'Bake' } }),
      entered('Check health'),
      exited('Check health', { rollout: { ...rollout, verdict: 'hold', failedChecks: 1 } }),
      entered('Check health'),
      lambdaFailed('AlarmBreachedError', 'Health check at 10 % failed: alarm(s) in ALARM: colorteller-5xx'),
      // AWS exits a state into its Catch: the compensation's entry says what happened, not this.
      exited('Check health', { failure: {} }),
      entered('Roll back', { failure: { Error: 'AlarmBreachedError', Cause: JSON.stringify({ errorMessage: 'Health check at 10 % failed: alarm(s) in ALARM: colorteller-5xx' }) } }),
      exited('Roll back', { outcome: { cause: 'Rollout r1 rolled back. Routes restored: colorteller-route.' } }),
      event('ExecutionFailed', { executionFailedEventDetails: { error: 'AlarmBreachedError', cause: 'Rollout r1 rolled back. Routes restored: colorteller-route.' } }),
    ];

    // Act
    const timeline = rolloutTimeline(events);

    // Assess
    expect(timeline.map((entry) => entry.text)).toEqual([
      'started: default/colorteller, deployment ecs-svc/123',
      'prepared: colorteller-v2 takes over from colorteller-v1 in steps 10 → 50 → 100 %, bake 300 s',
      'step 1 of 3: canary 10 %, stable 90 % (after 1 failed attempt(s): TransientAwsError)',
      'health check at 10 %: failed check 1 of 1 tolerated, holding the step',
      'Check health failed: AlarmBreachedError: Health check at 10 % failed: alarm(s) in ALARM: colorteller-5xx',
      'Rollout r1 rolled back. Routes restored: colorteller-route.',
      'execution failed: AlarmBreachedError: Rollout r1 rolled back. Routes restored: colorteller-route.',
    ]);
    expect(timeline[0]?.at).toEqual(events[0]?.timestamp);
  });

  it('says a state it does not know ended, and nothing for states that only route or wait', () => {
    // Act
    const timeline = rolloutTimeline([
      event('ChoiceStateEntered', { stateEnteredEventDetails: { name: 'Is the canary ready for more traffic?' } }),
      event('ChoiceStateExited', { stateExitedEventDetails: { name: 'Is the canary ready for more traffic?' } }),
      entered('Some new state'),
      exited('Some new state', {}),
      event('ExecutionAborted', { executionAbortedEventDetails: { error: 'RolloutAbortedError', cause: 'Rolled back: aborted by an operator (meshshift abort)' } }),
    ]);

    // Assess
    expect(timeline.map((entry) => entry.text)).toEqual(['Some new state done', 'execution stopped: RolloutAbortedError: Rolled back: aborted by an operator (meshshift abort)']);
  });
});

describe('howItEnded', () => {
  it.each([
    [{ status: 'SUCCEEDED' }, 'SUCCEEDED'],
    [{ status: 'ABORTED', error: 'AlarmBreachedError', cause: 'alarm colorteller-5xx went into ALARM' }, 'ABORTED by an alarm or a failed health check: AlarmBreachedError: alarm colorteller-5xx went into ALARM'],
    [{ status: 'FAILED', error: 'RouteEditedError', cause: 'a person changed it' }, 'FAILED by a person who edited the route: RouteEditedError: a person changed it'],
    [{ status: 'FAILED', error: 'States.Runtime', cause: 'boom' }, 'FAILED: States.Runtime: boom'],
    [{ status: 'TIMED_OUT' }, 'TIMED_OUT'],
  ] as const)('%j reads "%s"', (execution, text) => {
    // Act
    const line = howItEnded(execution);

    // Assess
    expect(line).toBe(text);
  });
});

describe('executionLink', () => {
  it.each([
    ['arn:aws:states:us-west-2:111122223333:execution:m:r1', 'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/arn:aws:states:us-west-2:111122223333:execution:m:r1'],
    ['arn:aws-cn:states:cn-north-1:111122223333:execution:m:r1', 'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:111122223333:execution:m:r1'],
    ['arn:aws-iso:states:us-iso-east-1:111122223333:execution:m:r1', undefined],
  ])('links %s to its console page', (arn, link) => {
    // Act
    const url = executionLink(arn);

    // Assess
    expect(url).toBe(link);
  });
});
