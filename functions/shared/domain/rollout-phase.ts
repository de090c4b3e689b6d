import type { PauseEnd } from './schedule';

/** Where a rollout is. Stored in the registry; the CLI and alarm handler read it. */
export const rolloutPhases = {
  /** Policy loaded, route snapshot taken, leases held; no traffic moved yet. */
  preparing: 'PREPARING',
  /** Canary node exists; waiting for the canary's ECS tasks to be up. */
  waitingForCanary: 'WAITING_FOR_CANARY',
  /** Moving traffic step by step and baking. */
  shifting: 'SHIFTING',
  /** A rollback is running: route restore first, then canary cleanup. */
  rollingBack: 'ROLLING_BACK',
  /** Ended: canary at 100 %, stable retired. */
  promoted: 'PROMOTED',
  /** Ended: route restored exactly, canary retired. */
  rolledBack: 'ROLLED_BACK',
  /** Ended: a person edited the route; meshshift let go without touching it. */
  abandoned: 'ABANDONED',
} as const;

export type RolloutPhase = (typeof rolloutPhases)[keyof typeof rolloutPhases];

const endedPhases: ReadonlySet<RolloutPhase> = new Set([rolloutPhases.promoted, rolloutPhases.rolledBack, rolloutPhases.abandoned]);

/** Whether a rollout in this phase still owns its routes. */
export function isActivePhase(phase: RolloutPhase): boolean {
  return !endedPhases.has(phase);
}

/** The phases in which a rollout may still move traffic towards the canary (I7 checks this after every write). */
export const shiftablePhases: RolloutPhase[] = [rolloutPhases.preparing, rolloutPhases.waitingForCanary, rolloutPhases.shifting];

export function mayShiftTraffic(phase: RolloutPhase): boolean {
  return shiftablePhases.includes(phase);
}

/**
 * A rollout parked between steps, as the registry shows it: the task token that moves it on, and
 * whether it moves on by itself. A pause is not a phase of its own: a paused rollout still owns its
 * routes at the weights it holds, and may be rolled back like any shifting one.
 */
export interface RolloutPause {
  taskToken: string;
  since: string;
  /** When a timed pause ends by itself; absent while it waits for a person. */
  until?: string;
  /** What the rollout does at `until`: go on, roll back, or stay paused for a person. */
  then?: PauseEnd;
}
