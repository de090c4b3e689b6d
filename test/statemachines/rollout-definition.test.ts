import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../functions/shared/domain/errors';
import { canaryDeploymentTimeoutSeconds, maxRolloutSeconds } from '../../functions/shared/domain/schedule';

type State = { Type: string; Retry?: Array<{ ErrorEquals: string[] }>; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; TimeoutSeconds?: number; Next?: string };
const definition = JSON.parse(readFileSync(join(__dirname, '../../statemachines/rollout.asl.json'), 'utf8')) as {
  TimeoutSeconds: number;
  States: Record<string, State>;
};
const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
const transientErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'TransientAwsError'];
const ourErrorNames = (Object.values(errors) as unknown[])
  .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
  .map((ErrorClass) => new ErrorClass('probe').name);

describe('the rollout state machine definition', () => {
  it.each(tasks)('"%s" retries every transient error and catches everything else', (_, state) => {
    // Assess
    expect(state.Retry?.flatMap((retrier) => retrier.ErrorEquals)).toEqual(expect.arrayContaining(transientErrors));
    expect(state.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });

  it('names only errors that the code throws, so ErrorEquals can match', () => {
    // Prepare
    const named = Object.values(definition.States).flatMap((state) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals));

    // Assess
    const ours = named.filter((name) => !name.startsWith('States.') && !name.startsWith('Lambda.'));
    expect(ours.length).toBeGreaterThan(0);
    for (const name of ours) expect(ourErrorNames).toContain(name);
  });

  it('gives every rollout the policy allows time to finish before the execution timeout', () => {
    // Assess: a day of headroom for retries and the rollback itself.
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(maxRolloutSeconds + 24 * 3600);
    expect(definition.States['Wait for canary tasks']?.TimeoutSeconds).toBe(canaryDeploymentTimeoutSeconds);
  });

  it('sends a person-edited route to "Abandon rollout", never to "Roll back", from every state that writes weights', () => {
    // Assess
    for (const name of ['Shift traffic', 'Promote canary']) {
      expect(definition.States[name]?.Catch?.[0]).toMatchObject({ ErrorEquals: ['RouteEditedError'], Next: 'Abandon rollout' });
    }
  });
});
