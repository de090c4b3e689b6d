import type { RolloutEventDetail } from '../../functions/shared/domain/rollout-events';
import { colorApp } from '../../local/color-app';
import type { LocalStack } from '../../local/local-stack';
import { runScenario, type ScenarioReport, type ScenarioSettings } from '../../local/scenarios';
import type { PublishedEvent } from '../../local/simulated-aws';

// Every rollout event the local stack's functions publish, as the simulated EventBridge took it,
// with the function that put it: the same guarantees on both providers.
const providers = ['appmesh', 'lattice'] as const;

interface Run {
  report: ScenarioReport;
  events: Array<PublishedEvent & { detail: RolloutEventDetail }>;
  publishers: string[];
}

async function run(scenario: string, provider: (typeof providers)[number], prepare?: ScenarioSettings['prepare']): Promise<Run> {
  let stack: LocalStack | undefined;
  const report = await runScenario(scenario, { provider, prepare, inspect: (inspected) => (stack = inspected) });
  const published = stack?.sim.eventBridge.published ?? [];
  const publishers = (stack?.sdkCalls ?? []).filter((call) => call.service === 'events').map((call) => call.caller);
  return { report, events: published as Run['events'], publishers };
}

/** What a person reads of each event: its detail-type, step and canary weight, and who published it. */
const told = ({ events, publishers }: Run) => events.map((event, index) => [event['detail-type'], event.detail.step, event.detail.canaryWeight, publishers[index]]);

describe.each(providers)('rollout events on %s', (provider) => {
  it('tell a healthy rollout from its start through every step to its promotion', async () => {
    // Act
    const healthy = await run('healthy', provider);

    // Assess
    expect(told(healthy)).toEqual([
      ['Rollout Started', 0, 0, 'PrepareRolloutFunction'],
      ['Rollout Traffic Shifted', 1, 10, 'ShiftTrafficFunction'],
      ['Rollout Traffic Shifted', 2, 25, 'ShiftTrafficFunction'],
      ['Rollout Traffic Shifted', 3, 50, 'ShiftTrafficFunction'],
      ['Rollout Traffic Shifted', 4, 100, 'ShiftTrafficFunction'],
      ['Rollout Promoted', 5, 100, 'RetireStableFunction'],
    ]);
    for (const event of healthy.events) {
      expect(event).toMatchObject({ eventBusName: 'default', source: 'meshshift', resources: [event.detail.executionArn] });
      expect(event.detail).toMatchObject({ version: 1, rolloutId: healthy.report.rolloutId, provider, service: colorApp.canaryService });
    }
  });

  it('tell a bad canary rolled back by its alarm, with the alarm as the cause and the routes as restored', async () => {
    // Act
    const bad = await run('bad-canary', provider);

    // Assess
    expect(told(bad)).toEqual([
      ['Rollout Started', 0, 0, 'PrepareRolloutFunction'],
      ['Rollout Traffic Shifted', 1, 10, 'ShiftTrafficFunction'],
      ['Rollout Rolled Back', 1, 10, 'HandleAlarmEventFunction'],
    ]);
    const rolledBack = bad.events.at(-1)?.detail;
    expect(rolledBack?.cause).toContain('went into ALARM');
    expect(rolledBack?.routes.map((route) => route.weights.map((target) => target.weight))).toEqual([bad.report.originalRoute.map((target) => target.weight)]);
  });

  it("tell a rollout abandoned to a person's edit, after the steps it took", async () => {
    // Act
    const edited = await run('manual-edit', provider);

    // Assess
    expect(told(edited)).toEqual([
      ['Rollout Started', 0, 0, 'PrepareRolloutFunction'],
      ['Rollout Traffic Shifted', 1, 10, 'ShiftTrafficFunction'],
      ['Rollout Traffic Shifted', 2, 25, 'ShiftTrafficFunction'],
      ['Rollout Abandoned', 2, 25, 'AbandonRolloutFunction'],
    ]);
    // Each provider's router says it in its own words: App Mesh "changed outside meshshift", Lattice "someone else changed it".
    expect(edited.events.at(-1)?.detail.cause).toMatch(/changed/);
  });

  it('tell a failed deployment rolled back before any traffic moved', async () => {
    // Act
    const failed = await run('deployment-fails', provider);

    // Assess
    expect(told(failed)).toEqual([
      ['Rollout Started', 0, 0, 'PrepareRolloutFunction'],
      ['Rollout Rolled Back', 0, 0, 'RollBackFunction'],
    ]);
  });

  it('never hold a rollback: with EventBridge refusing every event, the bad canary is restored at the same moment', async () => {
    // Prepare
    const refuseEverything: ScenarioSettings['prepare'] = (stack) => {
      for (const caller of ['PrepareRolloutFunction', 'ShiftTrafficFunction', 'HandleAlarmEventFunction']) stack.faults.arm({ caller, service: 'events', operation: 'PutEvents' }, 'throttled for 15 minutes');
    };
    const restoredAt = (report: ScenarioReport) => report.timeline.find((entry) => entry.kind === 'restore')?.at;

    // Act
    const clean = await run('bad-canary', provider);
    const refused = await run('bad-canary', provider, refuseEverything);

    // Assess
    expect(refused.events).toEqual([]);
    expect(refused.report.outcome).toBe('rolled back');
    expect(refused.report.finalRoute).toEqual(refused.report.originalRoute);
    expect(restoredAt(refused.report)).toBe(restoredAt(clean.report));
  });
});
