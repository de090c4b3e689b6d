import type { Policy } from './policy';
import { presets } from './policy';

/** The canary weights to walk through, and how long to bake after each. */
export interface StepPlan {
  weights: number[];
  bakeSeconds: number;
}

/**
 * Expands a policy's schedule into explicit canary weights, always ending at 100.
 * @example planSteps({ ...policy, schedule: { type: 'linear', stepPercent: 30, everySeconds: 60 } })
 * // { weights: [30, 60, 90, 100], bakeSeconds: 60 }
 */
export function planSteps(policy: Pick<Policy, 'schedule' | 'bakeSeconds'>): StepPlan {
  const { schedule } = policy;
  switch (schedule.type) {
    case 'steps':
      return { weights: [...schedule.steps], bakeSeconds: policy.bakeSeconds };
    case 'preset': {
      const preset = presets[schedule.name];
      return { weights: [...preset.weights], bakeSeconds: preset.bakeSeconds };
    }
    case 'linear': {
      const weights: number[] = [];
      for (let weight = schedule.stepPercent; weight < 100; weight += schedule.stepPercent) weights.push(weight);
      weights.push(100);
      return { weights, bakeSeconds: schedule.everySeconds };
    }
  }
}

/** Wall-clock length of a plan if every check passes: one bake after each step. */
export function plannedDurationSeconds(plan: StepPlan, drainSeconds: number): number {
  return plan.weights.length * plan.bakeSeconds + drainSeconds;
}
