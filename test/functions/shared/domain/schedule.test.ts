import { parsePolicy } from '../../../../functions/shared/domain/policy';
import {
  estimatedTransitions,
  maxRolloutSeconds,
  pausesForPeople,
  planSteps,
  plannedDurationSeconds,
  worstCaseDurationSeconds,
} from '../../../../functions/shared/domain/schedule';

function policyWith(schedule: unknown, bakeSeconds?: number) {
  return parsePolicy({ version: 1, mesh: 'colorapp', virtualRouter: 'colorteller-vr', routes: ['colorteller-route'], schedule, bakeSeconds });
}

describe('planSteps', () => {
  it('walks explicit steps and bakes for the policy bakeSeconds after each', () => {
    // Prepare
    const policy = policyWith({ type: 'steps', steps: [5, 25, 100] }, 120);

    // Act
    const plan = planSteps(policy);

    // Assess
    expect(plan).toEqual({ weights: [5, 25, 100], settleSeconds: 0, bakeSeconds: 120, pauses: [] });
  });

  it('returns a copy of the steps, so the plan cannot change the policy', () => {
    // Prepare
    const policy = policyWith({ type: 'steps', steps: [10, 100] });

    // Act
    planSteps(policy).weights.push(200);

    // Assess
    expect(planSteps(policy).weights).toEqual([10, 100]);
  });

  it.each([
    [30, [30, 60, 90, 100]],
    [25, [25, 50, 75, 100]],
    [50, [50, 100]],
    [100, [100]],
    [40, [40, 80, 100]],
  ])('expands linear steps of %i %% and always ends at 100', (stepPercent, weights) => {
    // Prepare
    const policy = policyWith({ type: 'linear', stepPercent, everySeconds: 45 });

    // Act
    const plan = planSteps(policy);

    // Assess
    expect(plan).toEqual({ weights, settleSeconds: 0, bakeSeconds: 45, pauses: [] });
  });

  // The CodeDeploy / ECS schedules the presets are named after.
  it.each([
    ['Canary10Percent5Minutes', [10, 100], 300],
    ['Canary10Percent15Minutes', [10, 100], 900],
    ['Linear10PercentEvery1Minute', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 60],
    ['Linear10PercentEvery3Minutes', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 180],
    ['AllAtOnce', [100], 0],
  ])('expands preset %s with its own bake, not the policy default', (name, weights, bakeSeconds) => {
    // Prepare
    const policy = policyWith({ type: 'preset', name }, 7);

    // Act
    const plan = planSteps(policy);

    // Assess
    expect(plan).toEqual({ weights, settleSeconds: 0, bakeSeconds, pauses: [] });
  });
});

describe('plannedDurationSeconds', () => {
  it('counts one bake after every step plus the drain', () => {
    // Act
    const seconds = plannedDurationSeconds({ weights: [30, 60, 90, 100], settleSeconds: 0, bakeSeconds: 60, pauses: [] }, 30);

    // Assess
    expect(seconds).toBe(4 * 60 + 30);
  });

  it('waits the provider\'s settle time before every bake: 90 s per step on Lattice', () => {
    // Act
    const plan = planSteps({ provider: 'lattice', schedule: { type: 'steps', steps: [10, 50, 100] }, bakeSeconds: 60 });

    // Assess
    expect(plan.settleSeconds).toBe(90);
    expect(plannedDurationSeconds(plan, 30)).toBe(3 * (90 + 60) + 30);
  });

  it('is just the drain for an all-at-once plan', () => {
    // Act
    const seconds = plannedDurationSeconds(planSteps(policyWith({ type: 'preset', name: 'AllAtOnce' })), 15);

    // Assess
    expect(seconds).toBe(15);
  });
});

describe('pauses in a schedule', () => {
  it('places each pause after the weight before it: a bare pause waits for a person, a timed one goes on unless it says otherwise', () => {
    // Prepare
    const policy = policyWith({ type: 'steps', steps: [10, { pause: {} }, 50, { pause: { seconds: 600 } }, 75, { pause: { seconds: 300, then: 'roll-back' } }, 100, { pause: { seconds: 60, then: 'stay' } }] });

    // Act
    const plan = planSteps(policy);

    // Assess
    expect(plan.weights).toEqual([10, 50, 75, 100]);
    expect(plan.pauses).toEqual([
      { afterStep: 0, then: 'stay' },
      { afterStep: 1, seconds: 600, then: 'promote' },
      { afterStep: 2, seconds: 300, then: 'roll-back' },
      { afterStep: 3, seconds: 60, then: 'stay' },
    ]);
    // A pause that rolls back when its seconds run out ends by itself: only those that stay wait on people.
    expect(pausesForPeople(plan)).toEqual([plan.pauses[0], plan.pauses[3]]);
  });

  it('counts the pauses that end by themselves in the duration, not the ones that stay for a person', () => {
    // Prepare
    const plan = planSteps(policyWith({ type: 'steps', steps: [10, { pause: { seconds: 600 } }, 50, { pause: { seconds: 300, then: 'roll-back' } }, 100, { pause: {} }] }, 60));

    // Act
    const seconds = plannedDurationSeconds(plan, 30);

    // Assess
    expect(seconds).toBe(3 * 60 + 600 + 300 + 30);
  });

  it('counts the timed pauses against the execution timeout, so a schedule that could outlast it is refused', () => {
    // Prepare
    const day = 86_400;
    const pausedDays = (days: number) => [...Array.from({ length: days }, (_, index) => [10 * (index + 1), { pause: { seconds: day } }]).flat(), 100];

    // Act
    const parse = () => policyWith({ type: 'steps', steps: pausedDays(9) });

    // Assess
    expect(parse).toThrow(`policy.schedule: takes up to ${3600 + 10 * 60 + 9 * day + 30} s with bakes, tolerated failed checks and drain; the limit is ${maxRolloutSeconds} s`);
    expect(worstCaseDurationSeconds(policyWith({ type: 'steps', steps: pausedDays(8) }))).toBe(3600 + 9 * 60 + 8 * day + 30);
  });

  it('lets pauses that wait for a person pass the timeout check: the execution timeout is their backstop', () => {
    // Act
    const policy = policyWith({ type: 'steps', steps: [10, { pause: {} }, 50, { pause: { seconds: 86_400, then: 'stay' } }, 100] });

    // Assess
    expect(worstCaseDurationSeconds(policy)).toBe(3600 + 3 * 60 + 30);
  });

  it('adds four state transitions per pause: its timeout set, Pause rollout, then Check health and its Choice again', () => {
    // Assess
    expect(estimatedTransitions(4, false, 0)).toBe(26);
    expect(estimatedTransitions(4, false, 2)).toBe(34);
  });
});
