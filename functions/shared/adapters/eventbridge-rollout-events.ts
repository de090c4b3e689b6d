import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { type RolloutEvent, rolloutEventSource } from '../domain/rollout-events';
import type { RolloutEvents } from '../ports/rollout-events';

/** PutEvents takes 1 to 10 entries a call. */
const maxEntriesPerCall = 10;

/** EventBridge did not take some rollout events: the call failed, or it refused entries (its `cause`). */
export class RolloutEventsNotPublishedError extends Error {
  override name = 'RolloutEventsNotPublishedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Rollout events on an EventBridge bus, with source `meshshift` and the event's detail-type. */
export class EventBridgeRolloutEvents implements RolloutEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: RolloutEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += maxEntriesPerCall) {
      const batch = events.slice(start, start + maxEntriesPerCall);
      const results = await this.put(batch.map((event) => this.entryOf(event)));
      // PutEvents answers 200 with FailedEntryCount when it refuses some entries, so the call succeeding says nothing.
      const refused = results.flatMap((result, index) => (result.ErrorCode ? [`${batch[index]?.detailType} (${result.ErrorCode}: ${result.ErrorMessage ?? 'no message'})`] : []));
      if (refused.length > 0) throw new RolloutEventsNotPublishedError(`EventBridge bus ${this.eventBusName} refused ${refused.join(', ')}`, { cause: results });
    }
  }

  private async put(entries: PutEventsRequestEntry[]): Promise<PutEventsResultEntry[]> {
    try {
      return (await this.client.send(new PutEventsCommand({ Entries: entries }))).Entries ?? [];
    } catch (error) {
      throw new RolloutEventsNotPublishedError(`PutEvents to EventBridge bus ${this.eventBusName} failed: ${(error as Error).name}`, { cause: error });
    }
  }

  private entryOf({ detailType, detail }: RolloutEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: rolloutEventSource,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Resources: [detail.executionArn],
      Time: new Date(detail.occurredAt),
    };
  }
}
