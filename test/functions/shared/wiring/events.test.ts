import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDbRegistry } from '../../../../functions/shared/adapters/dynamodb-registry';
import type { RolloutEvent } from '../../../../functions/shared/domain/rollout-events';
import type { Registry } from '../../../../functions/shared/ports/registry';
import { publishingRolloutEvents, RolloutEventPublisher } from '../../../../functions/shared/wiring/events';
import { LocalRegistryServer } from '../local-registry';
import { rolloutRecord } from '../rollout-record';

let server: LocalRegistryServer;
let table: DynamoDbRegistry;

beforeAll(async () => {
  server = await LocalRegistryServer.start();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(async () => {
  ({ registry: table } = await server.registry());
});

const rolloutId = rolloutRecord().rolloutId;
const shiftTo = (canaryWeight: number, stepIndex: number) => ({
  phase: 'SHIFTING' as const,
  stepIndex,
  canaryWeight,
  lastWrittenTargets: { 'colorteller-route': [{ virtualNode: 'colorteller-v1', weight: 100 - canaryWeight }, { virtualNode: 'colorteller-v2', weight: canaryWeight }] },
});

/** The registry on `table` as a function sees it, with what it publishes and what failed to. */
function publishing(publish: (events: RolloutEvent[]) => Promise<void> = async () => undefined) {
  const published: RolloutEvent[] = [];
  const failures: Array<{ error: unknown; events: RolloutEvent[] }> = [];
  const publisher = new RolloutEventPublisher(
    {
      publish: async (events) => {
        await publish(events);
        published.push(...events);
      },
    },
    (error, events) => failures.push({ error, events }),
  );
  return { registry: publishingRolloutEvents<Registry>(table, publisher), published, failures, types: () => published.map((event) => event.detail.type) };
}

describe('publishingRolloutEvents', () => {
  it('publishes that a rollout started when its record is made, and not when a retry finds it made', async () => {
    // Prepare
    const { registry, types } = publishing();

    // Act
    await registry.createRollout(rolloutRecord());
    const retried = await registry.createRollout(rolloutRecord({ updatedAt: '2026-11-20T12:00:05.000Z' }));

    // Assess
    expect(types()).toEqual(['started']);
    expect(retried.updatedAt).toBe(rolloutRecord().updatedAt);
  });

  it('tells a write against the record as the function read it: a step once, its retry not again', async () => {
    // Prepare
    await table.createRollout(rolloutRecord());
    const { registry, published } = publishing();

    // Act
    await registry.getRollout(rolloutId);
    await registry.updateRollout(rolloutId, shiftTo(10, 0), ['PREPARING', 'WAITING_FOR_CANARY', 'SHIFTING']);
    await registry.updateRollout(rolloutId, shiftTo(10, 0), ['PREPARING', 'WAITING_FOR_CANARY', 'SHIFTING']);

    // Assess
    expect(published.map((event) => [event.detail.type, event.detail.canaryWeight, event.detail.previousPhase])).toEqual([['traffic-shifted', 10, 'PREPARING']]);
  });

  it('tells a write nobody here read before by what it set: Retire stable promoting in a fresh process', async () => {
    // Prepare
    await table.createRollout(rolloutRecord());
    await table.updateRollout(rolloutId, shiftTo(100, 3));
    const { registry, published } = publishing();

    // Act
    await registry.updateRollout(rolloutId, { phase: 'PROMOTED', outcome: 'promoted' }, ['SHIFTING', 'PROMOTED']);

    // Assess
    expect(published.map((event) => [event.detail.type, event.detail.previousPhase])).toEqual([['promoted', undefined]]);
  });

  it('counts a promotion that moves the rest of the traffic (a schedule ending below 100 %) as a shift', async () => {
    // Prepare
    await table.createRollout(rolloutRecord());
    const { registry, types } = publishing();
    await registry.updateRollout(rolloutId, shiftTo(50, 1));

    // Act: Promote canary's write, after the schedule's last step.
    await registry.updateRollout(rolloutId, shiftTo(100, 2), ['SHIFTING']);

    // Assess
    expect(types()).toEqual(['traffic-shifted', 'traffic-shifted']);
  });

  it('publishes nothing for a write whose phase condition failed, and forgets what it knew of that rollout', async () => {
    // Prepare
    await table.createRollout(rolloutRecord({ phase: 'ROLLING_BACK' }));
    const { registry, types } = publishing();
    await registry.getRollout(rolloutId);

    // Act
    const written = await registry.updateRollout(rolloutId, shiftTo(10, 0), ['SHIFTING']);
    await table.updateRollout(rolloutId, { phase: 'ROLLED_BACK' });
    await registry.updateRollout(rolloutId, { phase: 'ROLLED_BACK' });

    // Assess
    expect(written).toBeUndefined();
    // Not knowing the rollback had landed, it tells the retry's write as an end: once too often, never not at all.
    expect(types()).toEqual(['rolled-back']);
  });

  it('returns the write whatever the publishing does: a failed PutEvents is reported with the events it lost', async () => {
    // Prepare
    await table.createRollout(rolloutRecord());
    const failure = new Error('EventBridge is down');
    const { registry, failures } = publishing(async () => {
      throw failure;
    });

    // Act
    const written = await registry.updateRollout(rolloutId, { phase: 'ROLLING_BACK' });
    const ended = await registry.updateRollout(rolloutId, { phase: 'ROLLED_BACK', outcome: 'AlarmBreachedError: colorteller-5xx' });

    // Assess
    expect(written?.phase).toBe('ROLLING_BACK');
    expect(ended?.phase).toBe('ROLLED_BACK');
    expect(failures.map(({ error, events }) => [error, events.map((event) => event.detail.type)])).toEqual([[failure, ['rolled-back']]]);
  });

  it('keeps every other registry call as it is', async () => {
    // Prepare
    const { registry } = publishing();
    const lease = { routeKey: 'colorapp/colorteller-vr/colorteller-route', rolloutId, startedAt: rolloutRecord().startedAt };

    // Act
    const acquired = await registry.acquireRoute(lease);
    const held = await registry.heldLeases();

    // Assess
    expect(acquired).toEqual({ acquired: true });
    expect(held).toEqual([lease]);
  });
});

describe('the functions’ registry', () => {
  const eventBridge = mockClient(EventBridgeClient);

  /** The wiring as a function loads it with these settings (undefined: unset). */
  function loadWiring(busName: string | undefined, settings: Record<string, string | undefined> = {}): typeof import('../../../../functions/shared/wiring/events') {
    const wanted: Record<string, string | undefined> = { ...settings, ROLLOUT_EVENT_BUS_NAME: busName };
    const saved = Object.fromEntries(Object.keys(wanted).map((name) => [name, process.env[name]]));
    const apply = (values: Record<string, string | undefined>) => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    apply(wanted);
    try {
      let loaded: typeof import('../../../../functions/shared/wiring/events') | undefined;
      jest.isolateModules(() => {
        loaded = jest.requireActual<typeof import('../../../../functions/shared/wiring/events')>('../../../../functions/shared/wiring/events');
      });
      return loaded as typeof import('../../../../functions/shared/wiring/events');
    } finally {
      apply(saved);
    }
  }

  beforeEach(() => {
    eventBridge.reset();
  });

  it('publishes to the bus ROLLOUT_EVENT_BUS_NAME names', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    const registry = loadWiring('platform').withRolloutEvents(table);

    // Act
    await registry.createRollout(rolloutRecord());

    // Assess
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ EventBusName: 'platform', DetailType: 'Rollout Started' })] });
  });

  it('needs no setting but its bus, so whatever loads the registry loads it', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });

    // Act
    const registry = loadWiring('default', { STATE_MACHINE_ARN: undefined }).withRolloutEvents(table);
    await registry.createRollout(rolloutRecord());

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('lets a rollback through when PutEvents fails', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).rejects(new Error('connect ETIMEDOUT'));
    const { withRolloutEvents, publishNeedsAttention } = loadWiring('platform');
    const registry = withRolloutEvents(table);
    await registry.createRollout(rolloutRecord());

    // Act
    const ended = await registry.updateRollout(rolloutId, { phase: 'ROLLED_BACK', outcome: 'AlarmBreachedError: colorteller-5xx' });
    const attention = publishNeedsAttention(registry, [{ rolloutId, error: 'TransientAwsError: throttled' }]);

    // Assess
    expect(ended?.phase).toBe('ROLLED_BACK');
    await expect(attention).resolves.toBeUndefined();
  });

  it('is the registry itself where no bus is set, as in unit tests: nothing is published', async () => {
    // Act
    const registry = loadWiring(undefined).withRolloutEvents(table);
    await registry.createRollout(rolloutRecord());

    // Assess
    expect(registry).toBe(table);
    expect(eventBridge.commandCalls(PutEventsCommand)).toEqual([]);
  });
});
