import type { Policy } from './policy';
import { presets } from './presets';
import { providerOf, settleSecondsByProvider } from './traffic-provider';

/** The canary weights to walk through, how long the provider takes to apply each, and how long to bake after. */
export interface StepPlan {
  weights: number[];
  /** Waited after each shift before the bake starts counting; a bake held for another look does not wait it again. */
  settleSeconds: number;
  bakeSeconds: number;
}

/**
 * Expands a policy's schedule into explicit canary weights, always ending at 100.
 * @example planSteps({ ...policy, schedule: { type: 'linear', stepPercent: 30, everySeconds: 60 } })
 * // { weights: [30, 60, 90, 100], bakeSeconds: 60 }
 */
export function planSteps(policy: Pick<Policy, 'schedule' | 'bakeSeconds'> & Partial<Pick<Policy, 'provider'>>): StepPlan {
  const settleSeconds = settleSecondsByProvider[providerOf(policy)];
  const { schedule } = policy;
  switch (schedule.type) {
    case 'steps':
      return { weights: [...schedule.steps], settleSeconds, bakeSeconds: policy.bakeSeconds };
    case 'preset': {
      const preset = presets[schedule.name];
      return { weights: [...preset.weights], settleSeconds, bakeSeconds: preset.bakeSeconds };
    }
    case 'linear': {
      const weights: number[] = [];
      for (let weight = schedule.stepPercent; weight < 100; weight += schedule.stepPercent) weights.push(weight);
      weights.push(100);
      return { weights, settleSeconds, bakeSeconds: schedule.everySeconds };
    }
  }
}

/** Wall-clock length of a plan if every check passes: the provider's settle and one bake after each step. */
export function plannedDurationSeconds(plan: StepPlan, drainSeconds: number): number {
  return plan.weights.length * (plan.settleSeconds + plan.bakeSeconds) + drainSeconds;
}

/** The state machine's TimeoutSeconds is 10 days; a rollout must fit in 9, leaving a day for retries and rollback. */
export const maxRolloutSeconds = 9 * 24 * 3600;

/** The canary deployment may take an hour ("Wait for canary tasks" times out then). */
export const canaryDeploymentTimeoutSeconds = 3600;

/**
 * The longest a rollout may run: the canary deployment wait, every bake, one extra bake per
 * tolerated failed check, and the drain.
 * @example worstCaseDurationSeconds(policy) // 3600 + 4 * 60 + 0 + 10
 */
export function worstCaseDurationSeconds(policy: Pick<Policy, 'schedule' | 'bakeSeconds' | 'toleratedFailedChecks' | 'promotion'> & Partial<Pick<Policy, 'provider'>>): number {
  const plan = planSteps(policy);
  return canaryDeploymentTimeoutSeconds + plannedDurationSeconds(plan, policy.promotion.drainSeconds) + policy.toleratedFailedChecks * plan.bakeSeconds;
}

/** Step Functions Standard bills $0.025 per 1,000 state transitions. */
export const dollarsPerTransition = 0.025 / 1000;

/**
 * State transitions of a healthy rollout on statemachines/rollout.asl.json: Prepare, Ensure
 * canary node, the deploy Choice and Wait for canary tasks; four per step (Shift, Bake, which
 * waits the provider's settle time too, Check health, Choice); Promote, drain, Retire and the
 * final Succeed. Retries add one each.
 * @example estimatedTransitions(4, false) // 24
 */
export function estimatedTransitions(stepCount: number, meshshiftDeploys: boolean): number {
  return 4 + (meshshiftDeploys ? 1 : 0) + 4 * stepCount + 4;
}
