/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function is what keeps the EventBridge SDK out of init */
import { needsAttentionEvent, type RolloutEvent, type RolloutState, rolloutEventsOf } from '../domain/rollout-events';
import { logger, recordMetric } from '../lambda-handler';
import type { Registry, RolloutRecord } from '../ports/registry';
import type { RolloutEvents } from '../ports/rollout-events';
import { onFirstUse } from './built-on-first-use';
import { clock } from './clock';

/**
 * Publishes rollout events and never throws. Events are notifications and the registry is the
 * truth: a rollback must not wait on, or fail with, a message to people. A publication that fails
 * is logged with what it would have said, and counted (RolloutEventsNotPublished), so a gap in a
 * channel can be found and filled from the registry.
 */
export class RolloutEventPublisher {
  constructor(
    private readonly events: RolloutEvents,
    private readonly onFailure: (error: unknown, events: RolloutEvent[]) => void,
  ) {}

  /** `describe` runs inside the guard too: a record the events cannot be made of costs a notification, not a write. */
  async publish(describe: () => RolloutEvent[]): Promise<void> {
    let events: RolloutEvent[] = [];
    try {
      events = describe();
      if (events.length > 0) await this.events.publish(events);
    } catch (error) {
      this.onFailure(error, events);
    }
  }
}

/**
 * Each rollout's record as this process last read or wrote it, so that what a write changed is
 * told against it without a read of its own: publishing costs a rollout no registry call. Lambda
 * runs one invocation at a time per process, and the functions read a rollout before they write it
 * on most paths; where they do not (Retire stable, Abandon rollout, Pause rollout), or the record here is older
 * than a write by another function, the events are still those of the write (rolloutEventsOf).
 */
class RecordsSeen {
  private readonly records = new Map<string, RolloutRecord>();

  /** A process may live for hours while the reconciler reads every active rollout each minute: the oldest go first. */
  constructor(private readonly capacity = 1000) {}

  get(rolloutId: string): RolloutRecord | undefined {
    return this.records.get(rolloutId);
  }

  note(record: RolloutRecord): void {
    this.records.delete(record.rolloutId);
    this.records.set(record.rolloutId, record);
    const oldest = this.records.keys().next().value;
    if (this.records.size > this.capacity && oldest !== undefined) this.records.delete(oldest);
  }

  forget(rolloutId: string): void {
    this.records.delete(rolloutId);
  }
}

/**
 * The registry, publishing the events of every write that changed a rollout, after the write
 * landed: one place for every function and path, so no use-case knows about events. A write that
 * did not land (a phase condition failed) publishes nothing.
 */
export function publishingRolloutEvents<R extends Registry>(registry: R, publisher: RolloutEventPublisher): R {
  const seen = new RecordsSeen();
  const remember = (rolloutId: string, record: RolloutRecord | undefined) => {
    if (record) seen.note(record);
    else seen.forget(rolloutId);
    return record;
  };
  const overrides: Pick<Registry, 'getRollout' | 'createRollout' | 'updateRollout' | 'activeRollouts'> = {
    getRollout: async (rolloutId) => remember(rolloutId, await registry.getRollout(rolloutId)),
    activeRollouts: async () => {
      const records = await registry.activeRollouts();
      for (const record of records) seen.note(record);
      return records;
    },
    createRollout: async (record) => {
      const stored = await registry.createRollout(record);
      seen.note(stored);
      // A record another attempt stored first keeps that attempt's updatedAt: only the write that made it starts the rollout.
      if (stored.updatedAt === record.updatedAt) await publisher.publish(() => rolloutEventsOf(undefined, stored));
      return stored;
    },
    updateRollout: async (rolloutId, changes, onlyInPhases) => {
      const before = seen.get(rolloutId);
      const after = remember(rolloutId, await registry.updateRollout(rolloutId, changes, onlyInPhases));
      if (after) await publisher.publish(() => rolloutEventsOf(before ?? withFieldsUnknown(after, Object.keys(changes)), after));
      return after;
    },
  };
  return new Proxy(registry, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof typeof overrides];
      const member: unknown = Reflect.get(target, key);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}

/** A record as it was before a write nobody here saw it before: all but the fields the write set. */
function withFieldsUnknown(after: RolloutRecord, fields: string[]): Partial<RolloutState> {
  return Object.fromEntries(Object.entries(after).filter(([field]) => !fields.includes(field)));
}

/**
 * Publishes that the reconciler could not bring these rollouts to a safe end this minute. Rollouts
 * with no record left (a stray execution or lease) have nothing to tell beyond the page.
 */
export async function publishNeedsAttention(registry: Pick<Registry, 'getRollout'>, needAttention: Array<{ rolloutId: string; error: string }>): Promise<void> {
  if (!rolloutEventPublisher || needAttention.length === 0) return;
  const records = await Promise.all(needAttention.map(async ({ rolloutId, error }) => ({ record: await registry.getRollout(rolloutId), error })));
  const at = clock.now().toISOString();
  await rolloutEventPublisher.publish(() => records.flatMap(({ record, error }) => (record ? [needsAttentionEvent(record, error, at)] : [])));
}

/**
 * Bounds on one publication: a slow EventBridge must not hold a rollback for the SDK's default of
 * no timeout, so each event is given up within seconds (two attempts of at most 1 s to connect and
 * 2 s to answer).
 */
const eventBridgeClientConfig = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } };

/** The bus of template.yaml's RolloutEventBusName. Unset (unit tests) nothing is published. */
const eventBusName = process.env.ROLLOUT_EVENT_BUS_NAME;

/** Built on first use: Ensure canary node, Deploy canary and Wait for canary tasks never publish. */
function eventBridgeOnFirstUse(busName: string): RolloutEvents {
  return onFirstUse<RolloutEvents>(() => {
    const { EventBridgeClient } = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
    const { EventBridgeRolloutEvents } = require('../adapters/eventbridge-rollout-events') as typeof import('../adapters/eventbridge-rollout-events');
    return new EventBridgeRolloutEvents(new EventBridgeClient(eventBridgeClientConfig), busName);
  });
}

const rolloutEventPublisher =
  eventBusName === undefined || eventBusName === ''
    ? undefined
    : new RolloutEventPublisher(
        eventBridgeOnFirstUse(eventBusName),
        (error, events) => {
          logger.warn('Rollout events not published; the registry holds the transitions they tell', {
            error: error as Error,
            events: events.map(({ detailType, detail }) => ({ detailType, dedupeKey: detail.dedupeKey })),
          });
          recordMetric('RolloutEventsNotPublished', Math.max(events.length, 1));
        },
      );

/** The registry the functions use: publishing rollout events where the stack has a bus for them. */
export function withRolloutEvents<R extends Registry>(registry: R): R {
  return rolloutEventPublisher ? publishingRolloutEvents(registry, rolloutEventPublisher) : registry;
}
