import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimatedTransitions } from '../../functions/shared/domain/schedule';
import { canaryPercent, type ScenarioReport } from '../../local/scenarios';

// The one-command local run, as `npm start -- --all --json` runs it, in its own process. The
// stack runs on a simulated clock, so every figure below is exact for seed 1.
const root = join(__dirname, '../..');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', 'local/run.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

const canaryWeightsWritten = (report: ScenarioReport) => report.writes.map((write) => [write.canaryWeight, write.by]);
const secondsAtCanaryWeight = (report: ScenarioReport, weight: number) => report.series.filter((point) => point.canaryWeight === weight).length;
const providers = ['appmesh', 'lattice'] as const;
/** Each provider's control-plane operations: a rollout on one never calls the other. */
const providerOperations = { appmesh: /Route$|VirtualNode$/, lattice: /Rule$|Listener$|TargetGroup$/ };
const reports = {} as Record<(typeof providers)[number], Record<string, ScenarioReport>>;
let appMeshStdout = '';

beforeAll(() => {
  // Act
  for (const provider of providers) {
    const result = run('--all', '--json', '--provider', provider);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    if (provider === 'appmesh') appMeshStdout = result.stdout;
    reports[provider] = Object.fromEntries((JSON.parse(result.stdout) as ScenarioReport[]).map((report) => [report.scenario, report]));
  }
}, 240_000);

describe.each(providers)('npm start -- --all --json --provider %s: the same guarantees on every provider', (provider) => {
  const scenario = (name: string) => reports[provider][name] as ScenarioReport;
  const canaryShare = (report: ScenarioReport) => canaryPercent(report.finalRoute, report.canaryBackend);

  it('runs every scenario on the provider asked for, and calls no other provider', () => {
    // Assess
    const other = providers.find((candidate) => candidate !== provider) ?? provider;
    const operations = Object.values(reports[provider]).flatMap((report) => Object.keys(report.awsCalls.byOperation));
    expect(Object.keys(reports[provider])).toEqual(['healthy', 'bad-canary', 'deployment-fails', 'manual-edit', 'throttling-storm', 'gated']);
    expect(Object.values(reports[provider]).map((report) => report.provider)).toEqual(Array(6).fill(provider));
    expect(operations.filter((operation) => providerOperations[provider].test(operation))).not.toEqual([]);
    expect(operations.filter((operation) => providerOperations[other].test(operation))).toEqual([]);
  });

  it('promotes the healthy canary through every step, a verdict per bake, and leaves it all the traffic', () => {
    // Assess
    const report = scenario('healthy');
    expect(report.outcome).toBe('promoted');
    expect(canaryShare(report)).toBe(100);
    expect(canaryWeightsWritten(report)).toEqual([
      [10, 'ShiftTrafficFunction'],
      [25, 'ShiftTrafficFunction'],
      [50, 'ShiftTrafficFunction'],
      [100, 'ShiftTrafficFunction'],
      [100, 'PromoteCanaryFunction'],
    ]);
    expect(report.verdicts.map((verdict) => [verdict.verdict, verdict.canaryWeight])).toEqual([
      ['advance', 10],
      ['advance', 25],
      ['advance', 50],
      ['promote', 100],
    ]);
    expect(report.stateTransitions).toBe(estimatedTransitions(4, false));
    expect(report.retries).toBe(0);
    // Every step is judged on a whole bake of traffic that users really saw at that weight.
    for (const weight of [10, 25, 50]) expect(secondsAtCanaryWeight(report, weight)).toBeGreaterThanOrEqual(60);
  });

  it('restores the bad canary exactly as it was read, from the alarm handler, within a second of the alarm', () => {
    // Assess
    const report = scenario('bad-canary');
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('AlarmBreachedError');
    expect(report.finalRoute).toEqual(report.originalRoute);
    expect(canaryWeightsWritten(report)).toEqual([
      [10, 'ShiftTrafficFunction'],
      [0, 'HandleAlarmEventFunction'],
    ]);
    expect(report.verdicts).toEqual([]);
    const alarm = report.timeline.find((entry) => entry.kind === 'alarm' && entry.message.includes('→ ALARM'));
    const restore = report.timeline.find((entry) => entry.kind === 'restore');
    expect(restore?.message).toContain('HandleAlarmEventFunction restored the route');
    expect((restore?.at ?? Infinity) - (alarm?.at ?? 0)).toBeLessThan(1);
    expect(report.series.at(-1)?.canaryWeight).toBe(0);
  });

  it('ends a failed ECS deployment before any traffic reaches the canary', () => {
    // Assess
    const report = scenario('deployment-fails');
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('CanaryDeploymentFailedError');
    expect(report.finalRoute).toEqual(report.originalRoute);
    expect(report.writes).toEqual([]);
    expect(report.requests.failedOnCanary).toBe(0);
  });

  it("leaves a person's edit in place and says why it stopped", () => {
    // Assess
    const report = scenario('manual-edit');
    expect(report.outcome).toBe('abandoned');
    expect(report.error).toBe('RouteEditedError');
    expect(canaryWeightsWritten(report)).toEqual([
      [10, 'ShiftTrafficFunction'],
      [25, 'ShiftTrafficFunction'],
    ]);
    const names = Object.values(report.backendNames);
    expect(report.timeline.filter((entry) => entry.kind === 'person').map((entry) => entry.message)).toEqual([`a person sets the route to ${names[0]} 60 % / ${names[1]} 40 % in the console`]);
    expect(canaryShare(report)).toBe(40);
    expect(report.finalRoute.map((target) => target.weight)).toEqual([60, 40]);
  });

  it('promotes through a throttling storm by retrying, every step still written once it lands', () => {
    // Assess
    const report = scenario('throttling-storm');
    expect(report.outcome).toBe('promoted');
    expect(canaryShare(report)).toBe(100);
    expect(report.writes.map((write) => write.canaryWeight)).toEqual([10, 25, 50, 100, 100]);
    expect(report.retries).toBeGreaterThan(0);
    expect(report.stateTransitions).toBe(estimatedTransitions(4, false) + report.retries);
  });

  it("stops where the team's hook rejects, restores the route and tells the onRollback hook, each answer on the timeline", () => {
    // Assess
    const report = scenario('gated');
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('HookRejectedError');
    expect(report.cause).toContain('The afterStep hook meshshift-hook-step-check rejected the rollout at step 3 of 4 (50 %): p99 latency 410 ms over the 300 ms budget');
    expect(report.writes.map((write) => write.canaryWeight)).toEqual([10, 25, 50, 0]);
    expect(canaryShare(report)).toBe(0);
    const hooks = report.timeline.filter((entry) => entry.kind === 'hook');
    expect(hooks.map((entry) => entry.message.split(':')[0])).toEqual([
      'smoke test asked before traffic moves',
      'smoke test passed',
      'step check after step 1 (10 %)',
      'step check after step 2 (25 %)',
      'step check after step 3 (50 %)',
      'onRollback told',
    ]);
    // Nothing moved until the smoke test's late approval, 40 s after it was asked.
    expect((report.writes[0]?.at ?? 0) - (hooks[1]?.at ?? Infinity)).toBeGreaterThanOrEqual(0);
    expect((hooks[1]?.at ?? 0) - (hooks[0]?.at ?? 0)).toBe(40);
  });
});

describe('npm start -- --all --json on App Mesh: the figures of seed 1', () => {
  const scenario = (name: string) => reports.appmesh[name] as ScenarioReport;

  it('prints the whole report, and nothing else, on standard output', () => {
    // Assess: the report is far larger than a pipe's 64 KB, and ends where JSON ends.
    expect(appMeshStdout.length).toBeGreaterThan(64 * 1024);
    expect(appMeshStdout.trimEnd().endsWith(']')).toBe(true);
  });

  it('shows each step of the healthy canary for one bake, with the calls each step needs', () => {
    // Assess
    const report = scenario('healthy');
    expect(report.finalRoute).toEqual([{ virtualNode: 'colorteller-v2', weight: 100, port: 9080 }]);
    // 60 s bakes: users see each step for one bake; writes land mid-second, so one step spans 61.
    expect([10, 25, 50].map((weight) => secondsAtCanaryWeight(report, weight))).toEqual([61, 60, 60]);
    expect(report.requests).toEqual({ served: 28_500, failed: 56, failedOnCanary: 24 });
    // DescribeAlarms: Prepare, four health checks, and the reconciler's four runs (once a simulated minute).
    // Ownership (I8) reads blue's node and pair tag in Prepare; Retire stable re-reads the route before
    // each cleanup and blue's deployments before scaling it down.
    expect(report.awsCalls.byOperation).toEqual({
      CreateVirtualNode: 1,
      DeleteVirtualNode: 1,
      DescribeAlarms: 9,
      DescribeRoute: 9,
      DescribeServices: 6,
      DescribeTaskDefinition: 1,
      DescribeVirtualNode: 7,
      GetParameter: 1,
      ListTagsForResource: 4,
      UpdateRoute: 5,
      UpdateService: 2,
    });
  });

  it('restores the bad canary 0.7 s after its alarm, 13 s of canary traffic in all', () => {
    // Assess
    const report = scenario('bad-canary');
    expect(report.finalRoute).toEqual([{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }]);
    const alarm = report.timeline.find((entry) => entry.kind === 'alarm' && entry.message.includes('→ ALARM'));
    const restore = report.timeline.find((entry) => entry.kind === 'restore');
    // The 30–40 s period's datapoint is visible 3 s after it ends; the restore follows within a second.
    expect(alarm?.at).toBe(43);
    expect(restore?.at).toBe(43.726);
    // Users saw the canary from second 34 to 46 (2 s propagation each way): 13 s × 10 req/s × 20 %.
    expect(secondsAtCanaryWeight(report, 10)).toBe(13);
    expect(report.requests.failedOnCanary).toBe(26);
  });

  it("finds the person's edit at the next shift, 20 s into the 25 % bake", () => {
    // Assess
    const report = scenario('manual-edit');
    expect(report.cause).toContain('changed outside meshshift');
    expect(secondsAtCanaryWeight(report, 25)).toBe(20);
    expect(report.timeline.find((entry) => entry.kind === 'person')?.at).toBe(111.057);
    expect(report.finalRoute).toEqual([
      { virtualNode: 'colorteller-v1', weight: 60, port: 9080 },
      { virtualNode: 'colorteller-v2', weight: 40, port: 9080 },
    ]);
  });

  it('retries 16 times through the throttling storm', () => {
    // Assess
    expect(scenario('throttling-storm').retries).toBe(16);
  });
});

describe('npm start -- --all --json --provider lattice: the 90 s settle, in the figures of seed 1', () => {
  const scenario = (name: string) => reports.lattice[name] as ScenarioReport;
  const firstSecondAt = (report: ScenarioReport, weight: number) => report.series.find((point) => point.canaryWeight === weight)?.at;

  it('judges each step on a whole bake after the settle: users see it 90 s after the write, for settle plus bake', () => {
    // Assess
    const report = scenario('healthy');
    expect(report.writes[0]?.at).toBe(30.796);
    expect(firstSecondAt(report, 10)).toBe(121);
    expect([10, 25, 50].map((weight) => secondsAtCanaryWeight(report, weight))).toEqual([151, 150, 151]);
    expect(report.finalRoute).toEqual([{ virtualNode: report.canaryBackend, weight: 100 }]);
  });

  it('costs time to safe: the alarm comes after the settle, and the restore too reaches users 90 s late', () => {
    // Assess
    const report = scenario('bad-canary');
    const alarm = report.timeline.find((entry) => entry.kind === 'alarm' && entry.message.includes('→ ALARM'));
    const restore = report.timeline.find((entry) => entry.kind === 'restore');
    // The canary sees traffic from 121 s; its first full 10 s period ends at 130 s, visible at 133 s.
    expect(alarm?.at).toBe(133);
    expect(restore?.at).toBe(133.649);
    expect(firstSecondAt(report, 10)).toBe(121);
    expect(secondsAtCanaryWeight(report, 10)).toBe(103);
    expect(report.requests.failedOnCanary).toBe(206);
  });

  it("finds the person's edit when Check health reads the weights back after the bake (VerifyWeight), before any next shift", () => {
    // Assess
    const report = scenario('manual-edit');
    expect(report.cause).toContain('someone else changed it');
    expect(report.timeline.find((entry) => entry.kind === 'person')?.at).toBe(201.209);
    expect(report.finalRoute).toEqual([
      { virtualNode: Object.keys(report.backendNames)[0], weight: 60 },
      { virtualNode: report.canaryBackend, weight: 40 },
    ]);
  });
});

describe('npm start output options', () => {
  it('writes one SVG per scenario into a directory with --all --svg DIR, and the JSON to a file', () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'meshshift-run-'));

    // Act
    const result = run('--all', '--svg', join(directory, 'svg'), '--json', join(directory, 'report.json'));

    // Assess
    expect(result.status).toBe(0);
    expect(readdirSync(join(directory, 'svg')).sort()).toEqual(['bad-canary.svg', 'deployment-fails.svg', 'gated.svg', 'healthy.svg', 'manual-edit.svg', 'throttling-storm.svg']);
    expect((JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')) as ScenarioReport[]).map((report) => report.outcome)).toEqual([
      'promoted',
      'rolled back',
      'rolled back',
      'abandoned',
      'promoted',
      'rolled back',
    ]);
    expect(result.stdout).toContain('▶ healthy');
  }, 120_000);

  it('exits 2 on a wrong command line before running anything, naming the problem', () => {
    // Act
    const result = run('--rps', '1e9');

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--rps must be a whole number from 1 to 10000; got "1e9"/);
    expect(result.stdout).toBe('');
  });
});
