import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioReport } from '../../local/scenarios';

// The one-command local run, as `npm start -- --all --json` runs it, in its own process. The
// stack runs on a simulated clock, so every figure below is exact for seed 1.
const root = join(__dirname, '../..');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', 'local/run.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

const original = [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }];
const promoted = [{ virtualNode: 'colorteller-v2', weight: 100, port: 9080 }];
const canaryWeightsWritten = (report: ScenarioReport) => report.writes.map((write) => [write.canaryWeight, write.by]);
const secondsAtCanaryWeight = (report: ScenarioReport, weight: number) => report.series.filter((point) => point.canaryWeight === weight).length;

describe('npm start -- --all --json', () => {
  let reports: Record<string, ScenarioReport>;
  let stdout: string;

  beforeAll(() => {
    // Act
    const result = run('--all', '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    stdout = result.stdout;
    reports = Object.fromEntries((JSON.parse(stdout) as ScenarioReport[]).map((report) => [report.scenario, report]));
  }, 120_000);

  it('prints the whole report, and nothing else, on standard output', () => {
    // Assess: the report is far larger than a pipe's 64 KB, and ends where JSON ends.
    expect(stdout.length).toBeGreaterThan(64 * 1024);
    expect(stdout.trimEnd().endsWith(']')).toBe(true);
    expect(Object.keys(reports)).toEqual(['healthy', 'bad-canary', 'deployment-fails', 'manual-edit', 'throttling-storm']);
  });

  it('promotes the healthy canary through every step, with a verdict per bake', () => {
    // Assess
    const report = reports.healthy as ScenarioReport;
    expect(report.outcome).toBe('promoted');
    expect(report.finalRoute).toEqual(promoted);
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
    expect(report.stateTransitions).toBe(24);
    expect(report.retries).toBe(0);
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

  it('restores the bad canary from the alarm handler the moment its alarm fires', () => {
    // Assess
    const report = reports['bad-canary'] as ScenarioReport;
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('AlarmBreachedError');
    expect(report.finalRoute).toEqual(original);
    expect(canaryWeightsWritten(report)).toEqual([
      [10, 'ShiftTrafficFunction'],
      [0, 'HandleAlarmEventFunction'],
    ]);
    expect(report.verdicts).toEqual([]);
    const alarm = report.timeline.find((entry) => entry.kind === 'alarm' && entry.message.includes('→ ALARM'));
    const restore = report.timeline.find((entry) => entry.kind === 'restore');
    // The 30–40 s period's datapoint is visible 3 s after it ends; the restore follows within a second.
    expect(alarm?.at).toBe(43);
    expect(restore?.at).toBe(43.726);
    expect(restore?.message).toContain('HandleAlarmEventFunction restored the route');
    // Users saw the canary from second 34 to 46 (2 s propagation each way): 13 s × 10 req/s × 20 %.
    expect(secondsAtCanaryWeight(report, 10)).toBe(13);
    expect(report.requests.failedOnCanary).toBe(26);
  });

  it('ends a failed ECS deployment before any traffic reaches the canary', () => {
    // Assess
    const report = reports['deployment-fails'] as ScenarioReport;
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('CanaryDeploymentFailedError');
    expect(report.finalRoute).toEqual(original);
    expect(report.writes).toEqual([]);
    expect(report.awsCalls.byOperation.UpdateRoute).toBeUndefined();
    expect(report.requests.failedOnCanary).toBe(0);
  });

  it("shows users the 25 % step, then leaves a person's edit in place and says why it stopped", () => {
    // Assess
    const report = reports['manual-edit'] as ScenarioReport;
    expect(report.outcome).toBe('abandoned');
    expect(report.error).toBe('RouteEditedError');
    expect(report.cause).toContain('changed outside meshshift');
    expect(canaryWeightsWritten(report)).toEqual([
      [10, 'ShiftTrafficFunction'],
      [25, 'ShiftTrafficFunction'],
    ]);
    expect(secondsAtCanaryWeight(report, 25)).toBe(20);
    expect(report.timeline.filter((entry) => entry.kind === 'person')).toEqual([
      expect.objectContaining({ at: 111.057, message: 'a person sets the route to colorteller-v1 60 % / colorteller-v2 40 % in the console' }),
    ]);
    expect(report.finalRoute).toEqual([
      { virtualNode: 'colorteller-v1', weight: 60, port: 9080 },
      { virtualNode: 'colorteller-v2', weight: 40, port: 9080 },
    ]);
  });

  it('promotes through a throttling storm by retrying, every step still written once it lands', () => {
    // Assess
    const report = reports['throttling-storm'] as ScenarioReport;
    expect(report.outcome).toBe('promoted');
    expect(report.finalRoute).toEqual(promoted);
    expect(report.writes.map((write) => write.canaryWeight)).toEqual([10, 25, 50, 100, 100]);
    expect(report.retries).toBe(16);
    expect(report.stateTransitions).toBe(24 + 16);
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
    expect(readdirSync(join(directory, 'svg')).sort()).toEqual(['bad-canary.svg', 'deployment-fails.svg', 'healthy.svg', 'manual-edit.svg', 'throttling-storm.svg']);
    expect((JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')) as ScenarioReport[]).map((report) => report.outcome)).toEqual([
      'promoted',
      'rolled back',
      'rolled back',
      'abandoned',
      'promoted',
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
