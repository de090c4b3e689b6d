import type { RolloutEvent } from '../domain/rollout-events';

/** Where rollout events go for people and their tools: EventBridge, in AWS. */
export interface RolloutEvents {
  /** Publishes the events in their order; throws if any of them was not taken. */
  publish(events: RolloutEvent[]): Promise<void>;
}
