import * as z from 'zod';
import type { Rollout, RolloutSubject } from './rollout';
import { providerOf } from './traffic-provider';

/**
 * Where a rollout asks a team's own Lambda function before it goes on. The canary tasks are up
 * before `beforeRollout` (a smoke test can call them), each step's shift waits on `beforeStep`,
 * a step judged healthy waits on `afterStep`, the promotion on `beforePromotion`, and the
 * stable's retirement on `afterPromotion` (the stable still runs, so rejecting then rolls back).
 * `onRollback` is told after a rollback restored the routes and cannot stop it.
 */
export const gatingHookPoints = ['beforeRollout', 'beforeStep', 'afterStep', 'beforePromotion', 'afterPromotion'] as const;
export type GatingHookPoint = (typeof gatingHookPoints)[number];
export type HookPoint = GatingHookPoint | 'onRollback';

/** What the rollout does when a gating hook has not answered within its time: roll back (the default) or go on. */
export const hookTimeoutOutcomes = ['roll-back', 'proceed'] as const;

/** Lambda's own rule for a function name (Invoke's FunctionName, without a qualifier). */
const functionName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a Lambda function name: letters, digits, - and _ (64 at most)');

const gatingHook = z
  .object({
    function: functionName,
    /** A hook may answer later through its task token; this long after it was asked, `onTimeout` applies. */
    timeoutSeconds: z.number().int('must be a whole number').min(1).max(86_400).default(300),
    onTimeout: z.enum(hookTimeoutOutcomes).default('roll-back'),
  })
  .strict();

export type GatingHook = z.output<typeof gatingHook>;

export const hooksSchema = z
  .object({
    ...(Object.fromEntries(gatingHookPoints.map((point) => [point, gatingHook.optional()])) as Record<GatingHookPoint, z.ZodOptional<typeof gatingHook>>),
    onRollback: z.object({ function: functionName }).strict().optional(),
  })
  .strict();

export type LifecycleHooks = z.output<typeof hooksSchema>;
/** Hooks as a policy document writes them, defaults left out. */
export type LifecycleHooksDocument = z.input<typeof hooksSchema>;

/** What a hook is asked with: enough to find the rollout and its canary, and the token a late answer goes to. */
export interface HookEvent {
  version: 1;
  hook: HookPoint;
  rolloutId: string;
  executionArn: string;
  provider: string;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  routes: string[];
  /** The step this hook is about (1-based; 0 before the first) and its canary weight; on promotion and rollback, the last one reached. */
  step: number;
  /** How many steps the rollout has; not told on rollback. */
  steps?: number;
  canaryWeight: number;
  /** Only for gating hooks: SendTaskSuccess approves, SendTaskFailure rejects. */
  taskToken?: string;
  /** Only for onRollback: why the rollout was rolled back. */
  reason?: string;
}

/** A hook's answer as meshshift reads it; anything else is a rejection that says what came back. */
const hookAnswerSchema = z.union([
  z.object({ approve: z.literal(true) }).loose(),
  z.object({ approve: z.literal(false), reason: z.string().max(1024).optional() }).loose(),
  z.object({ pending: z.literal(true) }).loose(),
]);

export type HookAnswer = { verdict: 'approve' } | { verdict: 'reject'; reason: string } | { verdict: 'pending' };

/**
 * Reads what a hook returned. `{ "approve": true }` goes on, `{ "approve": false, "reason": … }`
 * rolls back, `{ "pending": true }` means the hook answers later with the task token.
 * @example readHookAnswer({ approve: false, reason: 'smoke test: 3 of 20 requests failed' }) // { verdict: 'reject', reason: 'smoke test: …' }
 */
export function readHookAnswer(payload: unknown): HookAnswer {
  const result = hookAnswerSchema.safeParse(payload);
  if (!result.success) {
    const shown = JSON.stringify(payload) ?? 'nothing';
    return { verdict: 'reject', reason: `answered ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}, not {"approve": true|false} or {"pending": true}` };
  }
  if ('pending' in result.data) return { verdict: 'pending' };
  if (result.data.approve) return { verdict: 'approve' };
  return { verdict: 'reject', reason: result.data.reason ?? 'no reason given' };
}

/** The hooks a policy names, in the order a rollout reaches them; for checks that apply to every one. */
export function namedHooks(hooks: LifecycleHooks | undefined): Array<{ point: HookPoint; function: string }> {
  if (!hooks) return [];
  return ([...gatingHookPoints, 'onRollback'] as const).flatMap((point) => {
    const hook = hooks[point];
    return hook ? [{ point, function: hook.function }] : [];
  });
}

/** How many times a rollout of `stepCount` steps asks a gating hook at this point. */
function timesAsked(point: GatingHookPoint, stepCount: number): number {
  return point === 'beforeStep' || point === 'afterStep' ? stepCount : 1;
}

/** The longest the hooks can hold a rollout: each one asked taking all its time. */
export function hookWaitSeconds(hooks: LifecycleHooks | undefined, stepCount: number): number {
  if (!hooks) return 0;
  return gatingHookPoints.reduce((sum, point) => sum + (hooks[point]?.timeoutSeconds ?? 0) * timesAsked(point, stepCount), 0);
}

/**
 * State transitions the hooks add to a healthy rollout: each hook asked costs three (setting it
 * up, asking, and the Choice after it); a step hook is asked once per step.
 */
export function hookTransitions(hooks: LifecycleHooks | undefined, stepCount: number): number {
  if (!hooks) return 0;
  const asked = gatingHookPoints.reduce((count, point) => count + (hooks[point] ? timesAsked(point, stepCount) : 0), 0);
  return 3 * asked;
}

/** What every hook is told of its rollout: which it is, where its execution runs, and what it deploys where. */
type RolloutFacts = Omit<RolloutSubject, 'canaryNode' | 'stableNode' | 'mesh' | 'meshOwner' | 'virtualRouter' | 'deploymentId'>;

function aboutRollout(rollout: RolloutFacts, hook: HookPoint): Omit<HookEvent, 'step' | 'canaryWeight'> {
  const { rolloutId, executionArn, cluster, service, taskDefinitionArn, routes } = rollout;
  return { version: 1, hook, rolloutId, executionArn, provider: providerOf(rollout), cluster, service, taskDefinitionArn, routes };
}

/** What a rollout's hook is told: the step it is about and that step's weight, as the rollout stands. */
export function hookEventOf(rollout: RolloutFacts & Pick<Rollout, 'weights' | 'stepIndex' | 'verdict'>, point: GatingHookPoint, taskToken: string): HookEvent {
  // Check health has already moved stepIndex on when its verdict is advance: the step it judged is the one before.
  const step = point === 'beforeRollout' ? -1 : point === 'afterStep' && rollout.verdict === 'advance' ? rollout.stepIndex - 1 : rollout.stepIndex;
  const canaryWeight = point === 'beforeRollout' ? 0 : point === 'afterPromotion' ? 100 : (rollout.weights[step] ?? 100);
  return { ...aboutRollout(rollout, point), step: step + 1, steps: rollout.weights.length, canaryWeight, taskToken };
}

/** What the onRollback hook is told, from the registry's record: the rollback may run in any of several functions. */
export function rollbackHookEventOf(record: RolloutFacts & { stepIndex: number; canaryWeight: number }, reason: string): HookEvent {
  return { ...aboutRollout(record, 'onRollback'), step: record.stepIndex + 1, canaryWeight: record.canaryWeight, reason };
}
