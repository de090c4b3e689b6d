import { parsePolicy } from '../../../../functions/shared/domain/policy';
import { planSteps, plannedDurationSeconds } from '../../../../functions/shared/domain/schedule';

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
    expect(plan).toEqual({ weights: [5, 25, 100], settleSeconds: 0, bakeSeconds: 120 });
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
    expect(plan).toEqual({ weights, settleSeconds: 0, bakeSeconds: 45 });
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
    expect(plan).toEqual({ weights, settleSeconds: 0, bakeSeconds });
  });
});

describe('plannedDurationSeconds', () => {
  it('counts one bake after every step plus the drain', () => {
    // Act
    const seconds = plannedDurationSeconds({ weights: [30, 60, 90, 100], settleSeconds: 0, bakeSeconds: 60 }, 30);

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
