import { hookTransitions, hookWaitSeconds, type LifecycleHooks } from './lifecycle-hooks';
import type { Policy } from './policy';
import type { ScheduleStep } from './policy-common';
import { presets } from './presets';
import { providerOf, settleSecondsByProvider } from './traffic-provider';

/** What ends a pause when no person does: its seconds ran out. A pause without seconds waits for a person ('stay'). */
export type PauseEnd = 'promote' | 'roll-back' | 'stay';

/** A policy pause: after the bake of step `afterStep`, the rollout parks at that step's weight. */
export interface StepPause {
  /** Index into the plan's weights. */
  afterStep: number;
  /** How long until `then` applies; absent, the pause waits for a person. */
  seconds?: number;
  then: PauseEnd;
}

/** The canary weights to walk through, how long the provider takes to apply each, how long to bake after, and where to pause. */
export interface StepPlan {
  weights: number[];
  /** Waited after each shift before the bake starts counting; a bake held for another look does not wait it again. */
  settleSeconds: number;
  bakeSeconds: number;
  pauses: StepPause[];
}

/**
 * Expands a policy's schedule into explicit canary weights, always ending at 100, and the pauses between them.
 * @example planSteps({ ...policy, schedule: { type: 'linear', stepPercent: 30, everySeconds: 60 } })
 * // { weights: [30, 60, 90, 100], settleSeconds: 0, bakeSeconds: 60, pauses: [] }
 */
export function planSteps(policy: Pick<Policy, 'schedule' | 'bakeSeconds'> & Partial<Pick<Policy, 'provider'>>): StepPlan {
  const settleSeconds = settleSecondsByProvider[providerOf(policy)];
  const { schedule } = policy;
  switch (schedule.type) {
    case 'steps':
      return { ...stepsAndPauses(schedule.steps), settleSeconds, bakeSeconds: policy.bakeSeconds };
    case 'preset': {
      const preset = presets[schedule.name];
      return { weights: [...preset.weights], settleSeconds, bakeSeconds: preset.bakeSeconds, pauses: [] };
    }
    case 'linear': {
      const weights: number[] = [];
      for (let weight = schedule.stepPercent; weight < 100; weight += schedule.stepPercent) weights.push(weight);
      weights.push(100);
      return { weights, settleSeconds, bakeSeconds: schedule.everySeconds, pauses: [] };
    }
  }
}

/** A pause with seconds goes on by itself unless it says otherwise, as Argo Rollouts' timed pauses do. */
function stepsAndPauses(steps: ScheduleStep[]): Pick<StepPlan, 'weights' | 'pauses'> {
  const weights: number[] = [];
  const pauses: StepPause[] = [];
  for (const step of steps) {
    if (typeof step === 'number') weights.push(step);
    else if (step.pause.seconds === undefined) pauses.push({ afterStep: weights.length - 1, then: 'stay' });
    else pauses.push({ afterStep: weights.length - 1, seconds: step.pause.seconds, then: step.pause.then ?? 'promote' });
  }
  return { weights, pauses };
}

/**
 * The seconds meshshift waits in a pause before acting on its own: a timed pause that goes on or
 * rolls back. Zero for a pause that stays for a person, however long people leave it.
 * @example selfEndingSeconds({ afterStep: 0, seconds: 600, then: 'stay' }) // 0
 */
export function selfEndingSeconds(pause: StepPause): number {
  return pause.then === 'stay' ? 0 : (pause.seconds ?? 0);
}

/** The pauses that wait for a person to resume, promote or abort: they add however long people take. */
export function pausesForPeople(plan: StepPlan): StepPause[] {
  return plan.pauses.filter((pause) => pause.then === 'stay');
}

/**
 * Wall-clock length of a plan if every check passes and every timed pause runs out: the provider's
 * settle and one bake after each step, the timed pauses, and the drain. Pauses that wait for a
 * person add however long they wait.
 */
export function plannedDurationSeconds(plan: StepPlan, drainSeconds: number): number {
  const pausedSeconds = plan.pauses.reduce((sum, pause) => sum + selfEndingSeconds(pause), 0);
  return plan.weights.length * (plan.settleSeconds + plan.bakeSeconds) + pausedSeconds + drainSeconds;
}

/** The state machine's TimeoutSeconds: the backstop of a pause that waits for a person, which then rolls back. */
export const executionTimeoutSeconds = 10 * 24 * 3600;

/** A rollout must fit in 9 days, leaving a day of the execution's 10 for retries and rollback. */
export const maxRolloutSeconds = executionTimeoutSeconds - 24 * 3600;

/** The canary deployment may take an hour ("Wait for canary tasks" times out then). */
export const canaryDeploymentTimeoutSeconds = 3600;

/**
 * The longest a rollout may run without a person: the canary deployment wait, every bake and
 * timed pause, one extra bake per tolerated failed check, every hook taking all its time, and the drain.
 * @example worstCaseDurationSeconds(policy) // 3600 + 4 * 60 + 0 + 10
 */
export function worstCaseDurationSeconds(policy: Pick<Policy, 'schedule' | 'bakeSeconds' | 'toleratedFailedChecks' | 'promotion'> & Partial<Pick<Policy, 'provider' | 'hooks'>>): number {
  const plan = planSteps(policy);
  return (
    canaryDeploymentTimeoutSeconds +
    plannedDurationSeconds(plan, policy.promotion.drainSeconds) +
    policy.toleratedFailedChecks * plan.bakeSeconds +
    hookWaitSeconds(policy.hooks, plan.weights.length)
  );
}

/** Step Functions Standard bills $0.025 per 1,000 state transitions. */
export const dollarsPerTransition = 0.025 / 1000;

/**
 * State transitions of a healthy rollout on statemachines/rollout.asl.json: Prepare, Ensure
 * canary node, the deploy Choice, Wait for canary tasks and the Choice of a hook before traffic
 * moves; four per step (Shift, Bake, which waits the provider's settle time too, Check health,
 * Choice); four per pause (setting its timeout, Pause rollout, then Check health and its Choice
 * again); Promote, the Choice of a hook after promotion, drain, Retire and the final Succeed; and
 * three per hook asked (lifecycle-hooks.ts). Retries add one each.
 * @example estimatedTransitions(4, false) // 26
 * @example estimatedTransitions(4, false, 1) // 30
 */
export function estimatedTransitions(stepCount: number, meshshiftDeploys: boolean, pauseCount = 0, hooks?: LifecycleHooks): number {
  return 5 + (meshshiftDeploys ? 1 : 0) + 4 * stepCount + 4 * pauseCount + 5 + hookTransitions(hooks, stepCount);
}
