import { EventBridgeClient, InternalException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeRolloutEvents, RolloutEventsNotPublishedError } from '../../../../functions/shared/adapters/eventbridge-rollout-events';
import { needsAttentionEvent, rolloutEventsOf } from '../../../../functions/shared/domain/rollout-events';
import { rolloutRecord } from '../rollout-record';

const eventBridge = mockClient(EventBridgeClient);

const events = () => new EventBridgeRolloutEvents(new EventBridgeClient({ region: 'us-west-2' }), 'platform');
const started = rolloutEventsOf(undefined, rolloutRecord());

beforeEach(() => {
  eventBridge.reset();
});

describe('EventBridgeRolloutEvents', () => {
  it('puts each event on the bus with source meshshift, its detail-type, its execution and the time of its transition', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    const [event] = started;

    // Act
    await events().publish(started);

    // Assess
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'platform',
          Source: 'meshshift',
          DetailType: 'Rollout Started',
          Detail: JSON.stringify(event?.detail),
          Resources: [rolloutRecord().executionArn],
          Time: new Date(rolloutRecord().updatedAt),
        },
      ],
    });
  });

  it('puts at most 10 events a call, in their order', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }) => ({ FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: 'id' })) }));
    const many = Array.from({ length: 12 }, (_, index) => needsAttentionEvent(rolloutRecord({ rolloutId: `rollout-${index}` }), 'stuck', '2026-11-20T12:31:00.000Z'));

    // Act
    await events().publish(many);

    // Assess
    const calls = eventBridge.commandCalls(PutEventsCommand).map((call) => (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.Detail ?? '{}').rolloutId));
    expect(calls).toEqual([many.slice(0, 10).map((event) => event.detail.rolloutId), many.slice(10).map((event) => event.detail.rolloutId)]);
  });

  it('throws RolloutEventsNotPublishedError naming the entries EventBridge refused, which a 200 answer does not show', async () => {
    // Prepare
    const results = [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }];
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: results });

    // Act
    const publishing = events().publish(started);

    // Assess
    await expect(publishing).rejects.toThrow(RolloutEventsNotPublishedError);
    await expect(publishing).rejects.toThrow('EventBridge bus platform refused Rollout Started (ThrottlingException: Rate exceeded)');
    await expect(publishing).rejects.toHaveProperty('cause', results);
  });

  it('throws RolloutEventsNotPublishedError carrying the failed call as its cause', async () => {
    // Prepare
    const failure = new InternalException({ message: 'internal', $metadata: {} });
    eventBridge.on(PutEventsCommand).rejects(failure);

    // Act
    const publishing = events().publish(started);

    // Assess
    await expect(publishing).rejects.toThrow('PutEvents to EventBridge bus platform failed: InternalException');
    await expect(publishing).rejects.toHaveProperty('cause', failure);
  });
});
