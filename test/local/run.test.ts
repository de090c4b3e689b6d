import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ScenarioReport } from '../../local/scenarios';

// The one-command local run, as `npm start -- --all --json` runs it, in its own process.
const root = join(__dirname, '../..');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', 'local/run.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

const original = [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }];
const promoted = [{ virtualNode: 'colorteller-v2', weight: 100, port: 9080 }];

describe('npm start -- --all --json', () => {
  let reports: Record<string, ScenarioReport>;

  beforeAll(() => {
    // Act
    const result = run('--all', '--json', '--ms-per-second', '5');
    expect(result.status).toBe(0);
    reports = Object.fromEntries((JSON.parse(result.stdout) as ScenarioReport[]).map((report) => [report.scenario, report]));
  }, 120_000);

  it('promotes the healthy canary and serves it 100 %', () => {
    // Assess
    const report = reports.healthy as ScenarioReport;
    expect(report.outcome).toBe('promoted');
    expect(report.finalRoute).toEqual(promoted);
    expect(report.timeline.filter((entry) => entry.kind === 'weights').map((entry) => entry.canaryWeight)).toEqual([10, 25, 50, 100]);
  });

  it('rolls the bad canary back to the exact original route, with failures bounded by one alarm period', () => {
    // Assess: 100 rps × 10 % × 20 % errors = 2 failures per second; the 10 s alarm plus 2 s of
    // Envoy propagation each way bounds them well under 60 (a 60 s poll would allow ~120).
    const report = reports['bad-canary'] as ScenarioReport;
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('AlarmBreachedError');
    expect(report.finalRoute).toEqual(original);
    expect(report.requests.failedOnCanary).toBeGreaterThan(0);
    expect(report.requests.failedOnCanary).toBeLessThan(60);
    expect(Math.max(...report.series.map((point) => point.canaryWeight))).toBe(10);
  });

  it('ends a failed ECS deployment before any traffic reaches the canary', () => {
    // Assess
    const report = reports['deployment-fails'] as ScenarioReport;
    expect(report.outcome).toBe('rolled back');
    expect(report.error).toBe('CanaryDeploymentFailedError');
    expect(report.finalRoute).toEqual(original);
    expect(report.awsCalls.byOperation.UpdateRoute).toBeUndefined();
    expect(report.requests.failedOnCanary).toBe(0);
  });

  it("leaves a person's edit in place and says why it stopped", () => {
    // Assess
    const report = reports['manual-edit'] as ScenarioReport;
    expect(report.outcome).toBe('abandoned');
    expect(report.error).toBe('RouteEditedError');
    expect(report.cause).toContain('changed outside meshshift');
    expect(report.finalRoute).toEqual([
      { virtualNode: 'colorteller-v1', weight: 60, port: 9080 },
      { virtualNode: 'colorteller-v2', weight: 40, port: 9080 },
    ]);
  });

  it('promotes through a throttling storm by retrying', () => {
    // Assess
    const report = reports['throttling-storm'] as ScenarioReport;
    expect(report.outcome).toBe('promoted');
    expect(report.finalRoute).toEqual(promoted);
    expect(report.retries).toBeGreaterThan(0);
  });
});

describe('npm start argument errors', () => {
  it.each([
    [['--scenario', 'nope'], /Unknown scenario nope; choose one of: healthy, bad-canary/],
    [['--rps', 'lots'], /--ms-per-second and --rps must be numbers/],
    [['--colour'], /Unknown option '--colour'/],
  ])('%j exits 2 naming the problem', (args, message) => {
    // Act
    const result = run(...args);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
