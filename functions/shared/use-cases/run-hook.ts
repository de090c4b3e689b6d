import { type GatingHookPoint, hookEventOf, rollbackHookEventOf } from '../domain/lifecycle-hooks';
import type { Rollout } from '../domain/rollout';
import type { LifecycleHookInvoker } from '../ports/lifecycle-hooks';
import type { Orchestrator } from '../ports/orchestrator';
import type { RolloutRecord } from '../ports/registry';

/** The error a rejected hook fails its task with; the state machine rolls back on it. */
export const hookRejectedError = 'HookRejectedError';

export interface HookRun {
  hook: GatingHookPoint;
  function: string;
  verdict: 'approve' | 'reject' | 'pending';
}

/**
 * The Run hook task: asks the policy's hook at this point and ends the task with its answer:
 * approval goes on, rejection fails the task (the state machine rolls back), and a pending answer
 * leaves the task waiting for the hook's own SendTaskSuccess or SendTaskFailure, or the timeout.
 * Asking again on a retry is safe: the hook gets the same rollout, point and token.
 */
export async function runHook(rollout: Rollout, point: GatingHookPoint, taskToken: string, ports: { hooks: LifecycleHookInvoker; orchestrator: Pick<Orchestrator, 'resumeTask' | 'failTask'> }): Promise<HookRun> {
  const hook = rollout.hooks?.[point];
  if (!hook) {
    // The state machine comes here only for a hook the policy names; anything else never moves traffic on.
    await ports.orchestrator.failTask(taskToken, hookRejectedError, `The rollout has no ${point} hook to ask`);
    return { hook: point, function: '', verdict: 'reject' };
  }
  const event = hookEventOf(rollout, point, taskToken);
  const answer = await ports.hooks.ask(hook.function, event);
  const run: HookRun = { hook: point, function: hook.function, verdict: answer.verdict };
  if (answer.verdict === 'approve') await ports.orchestrator.resumeTask(taskToken, run);
  if (answer.verdict === 'reject') {
    const where = event.step === 0 ? 'before any traffic moved' : `at step ${event.step} of ${event.steps} (${event.canaryWeight} %)`;
    await ports.orchestrator.failTask(taskToken, hookRejectedError, `The ${point} hook ${hook.function} rejected the rollout ${where}: ${answer.reason}`);
  }
  return run;
}

/**
 * Tells the policy's onRollback hook that the routes are back, best effort: a notification must
 * never hold or fail the rollback it tells of. Lambda retries a failed run of the hook itself.
 * Returns what happened, for the rollback's report (and so its log).
 */
export async function tellRollbackHook(record: RolloutRecord, reason: string, hooks: LifecycleHookInvoker | undefined): Promise<string | undefined> {
  if (!record.rollbackHook || !hooks) return undefined;
  try {
    await hooks.tell(record.rollbackHook, rollbackHookEventOf(record, reason));
    return `told ${record.rollbackHook}`;
  } catch (error) {
    return `could not tell ${record.rollbackHook}: ${(error as Error).name}: ${(error as Error).message}`;
  }
}
