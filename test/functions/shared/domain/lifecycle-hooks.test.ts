import { hookEventOf, hookTransitions, hookWaitSeconds, hooksSchema, namedHooks, readHookAnswer } from '../../../../functions/shared/domain/lifecycle-hooks';
import { parsePolicy } from '../../../../functions/shared/domain/policy';
import { defaultColorAppPolicy } from '../../../../local/color-app';

const rollout = {
  rolloutId: 'default-colorteller-1',
  executionArn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-1',
  cluster: 'default',
  service: 'colorteller',
  taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:2',
  routes: ['colorteller-route'],
  weights: [10, 25, 50, 100],
};

describe('lifecycle hooks in a policy', () => {
  it('fills a gating hook with five minutes and roll-back, and keeps onRollback to a function name', () => {
    // Act
    const hooks = hooksSchema.parse({ beforeStep: { function: 'meshshift-hook-gate' }, onRollback: { function: 'meshshift-hook-page' } });

    // Assess
    expect(hooks).toEqual({ beforeStep: { function: 'meshshift-hook-gate', timeoutSeconds: 300, onTimeout: 'roll-back' }, onRollback: { function: 'meshshift-hook-page' } });
    expect(namedHooks(hooks)).toEqual([
      { point: 'beforeStep', function: 'meshshift-hook-gate' },
      { point: 'onRollback', function: 'meshshift-hook-page' },
    ]);
  });

  it.each([
    [{ beforeStep: { function: 'has spaces' } }, 'policy.hooks.beforeStep.function: must be a Lambda function name'],
    [{ beforeStep: { function: 'a'.repeat(65) } }, 'policy.hooks.beforeStep.function: '],
    [{ afterStep: { function: 'f', timeoutSeconds: 0 } }, 'policy.hooks.afterStep.timeoutSeconds: '],
    [{ afterStep: { function: 'f', onTimeout: 'retry' } }, 'policy.hooks.afterStep.onTimeout: '],
    [{ onRollback: { function: 'f', timeoutSeconds: 60 } }, 'Unrecognized key: "timeoutSeconds"'],
    [{ beforeDeploy: { function: 'f' } }, 'Unrecognized key: "beforeDeploy"'],
  ])('names the field of a wrong hook (%#)', (hooks, message) => {
    // Act / Assess
    expect(() => parsePolicy({ ...defaultColorAppPolicy, hooks })).toThrow(message);
  });

  it('counts every hook waiting its whole time in the worst case, so a schedule that could outlast the execution is refused', () => {
    // Prepare
    const hooks = hooksSchema.parse({ beforeRollout: { function: 'f', timeoutSeconds: 100 }, afterStep: { function: 'g', timeoutSeconds: 86_400 } });

    // Act / Assess
    expect(hookWaitSeconds(hooks, 4)).toBe(100 + 4 * 86_400);
    expect(hookTransitions(hooks, 4)).toBe(3 * (1 + 4));
    expect(() => parsePolicy({ ...defaultColorAppPolicy, schedule: { type: 'linear', stepPercent: 10, everySeconds: 60 }, hooks })).toThrow(/takes up to \d+ s .*the limit is 777600 s/);
  });
});

describe('what a hook is asked', () => {
  it.each([
    ['beforeRollout', 0, undefined, 0, 0],
    ['beforeStep', 1, 'advance', 2, 25],
    ['afterStep', 2, 'advance', 2, 25],
    ['afterStep', 3, 'promote', 4, 100],
    ['beforePromotion', 3, 'promote', 4, 100],
    ['afterPromotion', 4, 'promote', 5, 100],
  ] as const)('%s at stepIndex %i after %s: step %i at %i %%', (point, stepIndex, verdict, step, canaryWeight) => {
    // Act
    const event = hookEventOf({ ...rollout, stepIndex, verdict }, point, 'token-1');

    // Assess
    expect(event).toEqual({ version: 1, hook: point, ...rollout, weights: undefined, provider: 'appmesh', step: expect.any(Number), steps: 4, canaryWeight, taskToken: 'token-1' });
    expect(event.step).toBe(point === 'afterPromotion' ? 5 : step);
  });
});

describe("a hook's answer", () => {
  it.each([
    [{ approve: true }, { verdict: 'approve' }],
    [{ approve: true, details: { checks: 12 } }, { verdict: 'approve' }],
    [{ approve: false, reason: 'smoke test failed' }, { verdict: 'reject', reason: 'smoke test failed' }],
    [{ approve: false }, { verdict: 'reject', reason: 'no reason given' }],
    [{ pending: true }, { verdict: 'pending' }],
    [null, { verdict: 'reject', reason: 'answered null, not {"approve": true|false} or {"pending": true}' }],
    [{ approved: true }, { verdict: 'reject', reason: 'answered {"approved":true}, not {"approve": true|false} or {"pending": true}' }],
    [{ approve: 'yes' }, { verdict: 'reject', reason: expect.stringContaining('answered {"approve":"yes"}') }],
  ])('reads %j as %j: anything unclear is a rejection', (payload, answer) => {
    // Act / Assess
    expect(readHookAnswer(payload)).toEqual(answer);
  });
});
