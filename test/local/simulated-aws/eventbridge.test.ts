import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SimulatedAws } from '../../../local/simulated-aws';

const at = new Date('2026-11-20T12:00:00.250Z');

function setup() {
  const sim = new SimulatedAws({ now: () => at });
  return { sim, put: (entries: PutEventsCommand['input']['Entries']) => sim.eventBridge.send(new PutEventsCommand({ Entries: entries })) };
}

describe('simulated EventBridge PutEvents', () => {
  it('keeps each event as a rule would get it, on the bus named or the default one', async () => {
    // Prepare
    const { sim, put } = setup();

    // Act
    const output = await put([
      { Source: 'meshshift', DetailType: 'Rollout Started', Detail: '{"version":1}', Resources: ['arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:r1'] },
      { EventBusName: 'platform', Source: 'meshshift', DetailType: 'Rollout Promoted', Detail: '{"version":1}', Time: new Date('2026-11-20T11:59:59.900Z') },
    ]);

    // Assess
    expect(output).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: '00000000-0000-4000-8000-000000000001' }, { EventId: '00000000-0000-4000-8000-000000000002' }] });
    expect(sim.eventBridge.published).toEqual([
      {
        eventBusName: 'default',
        version: '0',
        id: '00000000-0000-4000-8000-000000000001',
        'detail-type': 'Rollout Started',
        source: 'meshshift',
        account: '111122223333',
        time: '2026-11-20T12:00:00Z',
        region: 'us-west-2',
        resources: ['arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:r1'],
        detail: { version: 1 },
      },
      expect.objectContaining({ eventBusName: 'platform', 'detail-type': 'Rollout Promoted', time: '2026-11-20T11:59:59Z', resources: [] }),
    ]);
  });

  it('refuses an entry without Source, DetailType or Detail, or whose Detail is no JSON object, and takes the others', async () => {
    // Prepare
    const { sim, put } = setup();

    // Act
    const output = await put([
      { Source: 'meshshift', DetailType: 'Rollout Started' },
      { Source: 'meshshift', DetailType: 'Rollout Started', Detail: '[1, 2]' },
      { Source: 'meshshift', DetailType: 'Rollout Started', Detail: '{"version":1}' },
    ]);

    // Assess
    expect(output).toMatchObject({ FailedEntryCount: 2, Entries: [{ ErrorCode: 'InvalidArgument' }, { ErrorCode: 'MalformedDetail' }, { EventId: expect.any(String) }] });
    expect(sim.eventBridge.published).toHaveLength(1);
  });

  it.each([
    ['no entries', []],
    ['11 entries', Array.from({ length: 11 }, () => ({ Source: 'meshshift', DetailType: 'Rollout Started', Detail: '{}' }))],
    ['entries of 256 KB', [{ Source: 'meshshift', DetailType: 'Rollout Started', Detail: JSON.stringify({ padding: 'x'.repeat(256 * 1024) }) }]],
  ])('fails a request of %s whole, with ValidationException', async (_label, entries) => {
    // Prepare
    const { sim, put } = setup();

    // Act
    const error = await put(entries).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(sim.eventBridge.published).toEqual([]);
  });
});
