import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../functions/shared/domain/errors';
import { canaryDeploymentTimeoutSeconds, executionTimeoutSeconds, maxRolloutSeconds } from '../../functions/shared/domain/schedule';
import { generatedDefinitionText } from '../../scripts/build-state-machine';

type Retrier = { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds: number };
type State = { Type: string; Retry?: Retrier[]; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; TimeoutSeconds?: number; Next?: string; Choices?: Array<{ Next: string }>; Default?: string };
const committedText = readFileSync(join(__dirname, '../../statemachines/rollout.asl.json'), 'utf8');
const definition = JSON.parse(committedText) as {
  TimeoutSeconds: number;
  States: Record<string, State>;
};
const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
const forwardTasks = tasks.filter(([name]) => name !== 'Roll back' && name !== 'Abandon rollout');
const retriedErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'TransientAwsError',
];

/** The longest a retrier keeps trying when every wait is as long as it may be. */
const longestRetrySeconds = (retrier: Retrier) =>
  Array.from({ length: retrier.MaxAttempts }, (_, attempt) => Math.min(retrier.MaxDelaySeconds, retrier.IntervalSeconds * retrier.BackoffRate ** attempt)).reduce((sum, wait) => sum + wait, 0);
const ourErrorNames = (Object.values(errors) as unknown[])
  .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
  .map((ErrorClass) => new ErrorClass('probe').name);

describe('the rollout state machine definition', () => {
  it('is exactly what statemachines/rollout.asl.ts generates (run npm run build after changing it)', () => {
    // Assess
    expect(committedText).toBe(generatedDefinitionText);
  });

  it.each(forwardTasks)('"%s" retries failed, crashed and timed-out invocations and transient AWS errors, and catches everything else', (_, state) => {
    // Assess
    expect(state.Retry?.flatMap((retrier) => retrier.ErrorEquals)).toEqual(expect.arrayContaining(retriedErrors));
    expect(state.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });

  it.each(['Roll back', 'Abandon rollout'])('"%s" retries every error for at least 15 minutes before it pages a person', (name) => {
    // Assess
    const retriers = definition.States[name]?.Retry ?? [];
    expect(retriers.map((retrier) => retrier.ErrorEquals)).toEqual([['States.ALL']]);
    // Full jitter waits half the longest on average, so the longest must be twice the 15 minutes.
    expect(longestRetrySeconds(retriers[0] as Retrier)).toBeGreaterThanOrEqual(15 * 60 * 2);
    expect(definition.States[name]?.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Rollback needs a person' })]);
  });

  it('bakes for what the rollout says to wait next (settle and bake after a shift, the bake alone after a hold), in one state', () => {
    // Assess
    const states = definition.States as Record<string, State & { SecondsPath?: string }>;
    expect(states['Shift traffic']?.Next).toBe('Bake');
    expect(states.Bake).toMatchObject({ Type: 'Wait', SecondsPath: '$.rollout.bakeWaitSeconds', Next: 'Check health' });
    const choice = states['Is the canary ready for more traffic?'] as unknown as { Choices: Array<{ StringEquals?: string; Next: string }> };
    expect(choice.Choices.find((rule) => rule.StringEquals === 'hold')?.Next).toBe('Bake');
  });

  it('fails closed: a verdict the Choice does not know rolls back instead of shifting more traffic', () => {
    // Assess
    const choice = definition.States['Is the canary ready for more traffic?'] as State;
    const fallback = definition.States[choice.Default as string] as State & { Result?: { Error?: string } };
    expect([...new Set(choice.Choices?.map((rule) => rule.Next))].sort()).toEqual([
      'Bake',
      'Promote canary',
      'Set how long the pause may last',
      'Set up the hook after each step',
      'Set up the hook before each step',
      'Set up the hook before promotion',
      'Shift traffic',
    ]);
    expect(fallback).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'Roll back' });
    expect(fallback.Result?.Error).toBe('UnknownVerdictError');
  });

  it('names only errors that the code throws, so ErrorEquals can match', () => {
    // Prepare
    const named = Object.values(definition.States).flatMap((state) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals));

    // Assess
    const ours = named.filter((name) => !/^(States|Lambda|Sandbox)\./.test(name));
    expect(ours.length).toBeGreaterThan(0);
    for (const name of ours) expect(ourErrorNames).toContain(name);
  });

  it('gives every rollout the policy allows time to finish before the execution timeout', () => {
    // Assess: a day of headroom for retries and the rollback itself.
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(maxRolloutSeconds + 24 * 3600);
    expect(definition.States['Wait for canary tasks']?.TimeoutSeconds).toBe(canaryDeploymentTimeoutSeconds);
  });

  it("pauses in one Task parked on a task token for as long as the pause's timeout, and hands every way out to Check health but a failure", () => {
    // Assess
    const states = definition.States as Record<string, State & Record<string, unknown>>;
    const choice = states['Is the canary ready for more traffic?'] as unknown as { Choices: Array<{ StringEquals?: string; Next: string }> };
    expect(choice.Choices.find((rule) => rule.StringEquals === 'pause')?.Next).toBe('Set how long the pause may last');
    expect(states['Set how long the pause may last']).toMatchObject({ Type: 'Pass', ResultPath: '$.Payload', Next: 'Pause rollout' });
    const pause = states['Pause rollout'] as State & { TimeoutSecondsPath?: string; Parameters: { Payload: Record<string, string> }; Catch: unknown[] };
    expect(pause).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', ResultPath: null, Next: 'Check health' });
    expect(pause.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: '$.rollout.pauseTimedOut', Next: 'Check health' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Roll back' },
    ]);
    // The same path finds the timeout in the state's input (the Pass put it there) and in the task's Parameters.
    expect(pause.TimeoutSecondsPath).toBe('$.Payload.rollout.pause.timeoutSeconds');
    expect(pause.Parameters.Payload['rollout.$']).toBe('$.rollout');
    // A pause for a person waits as long as the execution may run: the execution's timeout is its backstop.
    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds);
  });

  it('sends a person-edited route to "Abandon rollout", never to "Roll back", from every state that writes weights', () => {
    // Assess
    for (const name of ['Shift traffic', 'Promote canary']) {
      expect(definition.States[name]?.Catch?.[0]).toMatchObject({ ErrorEquals: ['RouteEditedError'], Next: 'Abandon rollout' });
    }
  });
});
