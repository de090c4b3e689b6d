import type { HookAnswer, HookEvent } from '../domain/lifecycle-hooks';

/** The teams' own hook functions (Lambda, in AWS). */
export interface LifecycleHookInvoker {
  /**
   * Asks a gating hook and returns its answer. A hook that is missing, may not be invoked, failed
   * or took too long answers `reject` with why; only a transient failure of the call throws.
   */
  ask(functionName: string, event: HookEvent): Promise<HookAnswer>;
  /** Tells a hook without waiting for it: Lambda queues the event and retries a failed run itself. */
  tell(functionName: string, event: HookEvent): Promise<void>;
}
