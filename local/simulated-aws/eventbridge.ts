import { EventBridgeServiceException, type PutEventsRequest, type PutEventsRequestEntry, type PutEventsResponse, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { deepClone, isoSeconds, operationTable, type Operations, type SimulationContext } from './shared';

/** PutEvents takes 1 to 10 entries, together under 256 KB (eb-quota.html, CalculatePutEventsEntrySize.html). */
const maxEntries = 10;
const maxRequestBytes = 256 * 1024;

/** An event as EventBridge hands it to a rule's target. */
export interface BusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** An event a bus took, and which bus. */
export interface PublishedEvent extends BusEvent {
  eventBusName: string;
}

/**
 * EventBridge's PutEvents for custom events, keeping every event a bus took so a test can read
 * what was published, in order. Like EventBridge, it judges each entry on its own: an entry
 * without Source, DetailType or Detail, or whose Detail is not a JSON object, is refused in its
 * result entry while the others go through, and only a request over the limits fails whole.
 */
export class SimulatedEventBridge {
  readonly operations: Operations = operationTable({
    PutEvents: (input: PutEventsRequest) => this.putEvents(input),
  });

  readonly published: PublishedEvent[] = [];

  constructor(private readonly context: Pick<SimulationContext, 'region' | 'accountId' | 'now'>) {}

  /** Answers a command as the SDK client would, sharing no object with the caller. */
  async send(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    const operation = this.operations.get(command.constructor.name.replace(/Command$/, ''));
    if (!operation) throw new Error(`SimulatedEventBridge does not simulate ${command.constructor.name}.`);
    return deepClone(operation(deepClone(command.input)));
  }

  private putEvents({ Entries: entries = [] }: PutEventsRequest): PutEventsResponse {
    if (entries.length < 1 || entries.length > maxEntries) throw validationError(`Entries must hold 1 to ${maxEntries} entries, not ${entries.length}.`);
    const bytes = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (bytes >= maxRequestBytes) throw validationError(`Total size of the entries in the request is over the limit: ${bytes} bytes.`);
    const results = entries.map((entry) => this.publish(entry));
    return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
  }

  private publish(entry: PutEventsRequestEntry): PutEventsResultEntry {
    const { Source: source, DetailType: detailType, Detail: detailText } = entry;
    if (!source || !detailType || detailText === undefined) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' };
    const detail = parsedObject(detailText);
    if (detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    // Ids count up rather than come from the simulation's seeded stream, so publishing shifts no other id of a run.
    const id = `00000000-0000-4000-8000-${String(this.published.length + 1).padStart(12, '0')}`;
    const { region, accountId: account } = this.context;
    const time = isoSeconds(entry.Time ?? this.context.now());
    this.published.push({ eventBusName: entry.EventBusName ?? 'default', version: '0', id, 'detail-type': detailType, source, account, time, region, resources: entry.Resources ?? [], detail });
    return { EventId: id };
  }
}

/** The size EventBridge counts: 14 bytes for a Time, and the UTF-8 bytes of every other field given. */
function entrySize(entry: PutEventsRequestEntry): number {
  const utf8 = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (entry.Time ? 14 : 0) + utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail) + (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0);
}

function parsedObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** EventBridge reports a malformed request as the unmodeled `ValidationException`. */
function validationError(message: string): Error {
  return new EventBridgeServiceException({ name: 'ValidationException', $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}
