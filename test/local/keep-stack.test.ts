import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectToAws } from '../../cli/cli-ports';
import { runCli } from '../../cli/run-cli';
import { type TrafficProviderName, trafficProviders } from '../../functions/shared/domain/traffic-provider';
import type { DemoApp } from '../../local/demo-app';
import { keepStack, type KeptStack, manualRolloutId } from '../../local/keep-stack';
import type { LocalStack } from '../../local/local-stack';
import { runScenario, type ScenarioReport } from '../../local/scenarios';
import type { PaceSource } from '../../local/virtual-clock';

const root = join(__dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'meshshift-keep-'));
/** Only what a clean shell has: no AWS region, profile or credentials. */
const cleanEnvironment = { PATH: process.env.PATH ?? '', HOME: directory, AWS_CONFIG_FILE: join(directory, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(directory, 'none') };

async function node(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--no-warnings', '--import', 'tsx', ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs a scenario and keeps its stack, paced by `pace`. */
async function keptAfter(scenario: string, provider: TrafficProviderName, pace: PaceSource) {
  let handedOver: { stack: LocalStack; demo: DemoApp } | undefined;
  const report = await runScenario(scenario, { provider, handOver: (stack, demo) => (handedOver = { stack, demo }) });
  const { stack, demo } = handedOver as { stack: LocalStack; demo: DemoApp };
  const kept = await keepStack(stack, demo, { port: 0, pace, requestsPerSecond: 100, rolloutId: report.rolloutId });
  return { report, stack, kept };
}

// The failed deployment leaves the route on the stable version, so a new rollout has something to shift from on either provider.
describe.each(trafficProviders)('a stack kept after the deployment-fails scenario on %s, driven by the operator CLI over its endpoint', (provider) => {
  let stack: LocalStack;
  let kept: KeptStack;
  let report: ScenarioReport;
  let advance: (ms: number) => void = () => undefined;
  const byHand: PaceSource = (given) => {
    advance = given;
    return () => undefined;
  };
  /** Lets `ms` of simulated time pass, as the CLI's own waits do here: the test is the pace. */
  const passes = (ms: number) => {
    const slept = stack.clock.sleep(ms);
    advance(ms);
    return slept;
  };
  const printed = (command: string) => kept.commands.find((candidate) => candidate.argv[0] === command)?.argv ?? [];
  const deployment = () => printed('list').slice(2);

  async function meshshift(argv: string[]) {
    const [out, err]: [string[], string[]] = [[], []];
    const exit = await runCli(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      connect: connectToAws,
      now: () => new stack.clock.Date(),
      sleep: passes,
      interactive: false,
    });
    return { exit, out: out.join('\n'), err: err.join('\n') };
  }

  beforeAll(async () => {
    ({ report, stack, kept } = await keptAfter('deployment-fails', provider, byHand));
  });

  afterAll(async () => {
    await kept.close();
  });

  it('prints every command with the endpoint it bound and the deployment filled in', () => {
    // Assess
    expect(kept.commands.map((command) => command.argv[0])).toEqual(['list', 'describe', 'start', 'status', 'pause', 'resume', 'promote', 'abort']);
    expect(deployment()).toEqual([
      '--endpoint-url',
      `http://127.0.0.1:${kept.endpoint.port}`,
      '--table',
      process.env.REGISTRY_TABLE_NAME,
      '--state-machine-arn',
      'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-local-rollout',
    ]);
    expect(printed('describe')[1]).toBe(report.rolloutId);
  });

  it("lists the scenario's rollout with list --all, and describe tells it", async () => {
    // Act
    const listed = await meshshift(printed('list'));
    const described = await meshshift(printed('describe'));

    // Assess
    expect(listed.exit).toBe(0);
    expect(listed.out).toMatch(new RegExp(`\\n${report.rolloutId} +default/colorteller +ROLLED_BACK +\\(was 0 %\\) .* CanaryDeploymentFailedError: `));
    expect(described.exit).toBe(0);
    expect(described.out).toMatch(new RegExp(`^Rollout ${report.rolloutId}: ROLLED_BACK\\n`));
    expect(described.out).toContain('  execution   FAILED');
    expect(described.out).toContain('Timeline:\n');
  });

  it('moves a manual rollout started over the endpoint as time passes: pause holds it, resume moves it on, abort rolls it back, status --wait sees the end', async () => {
    // Act
    const started = await meshshift(printed('start'));
    // ECS brings the canary up after 30 s; the first step is written and settling or baking.
    await passes(45_000);
    const pause = await meshshift(printed('pause'));
    // Past the first step's settle (Lattice) and bake: the rollout parks there.
    await passes(180_000);
    const paused = await meshshift(['status', manualRolloutId, ...deployment()]);
    const resume = await meshshift(printed('resume'));
    await passes(10_000);
    const abort = await meshshift(printed('abort'));
    const waited = await meshshift(['status', manualRolloutId, '--wait', ...deployment()]);

    // Assess
    expect(started).toMatchObject({ exit: 0, out: `Started rollout ${manualRolloutId}: arn:aws:states:us-west-2:111122223333:execution:meshshift-local-rollout:${manualRolloutId}` });
    expect(pause).toMatchObject({ exit: 0, out: `Rollout ${manualRolloutId} will pause when the bake in progress ends` });
    expect(paused.out).toMatch(new RegExp(`${manualRolloutId} {2}default/colorteller {2}SHIFTING {2}canary \\S+ at 10 % {2}step 1 {2}paused since \\S+ \\S+ {2}execution RUNNING`));
    expect(resume).toMatchObject({ exit: 0, out: `Rollout ${manualRolloutId} resumed: it moves on to its next step now` });
    expect(abort).toMatchObject({ exit: 0, out: `Rollout ${manualRolloutId} is rolling back now: meshshift restores its routes and retires the canary` });
    expect(waited.exit).toBe(1);
    expect(waited.err).toMatch(new RegExp(`^Rollout ${manualRolloutId} ROLLED_BACK: `));
  });
});

describe('a stack kept after a promotion on VPC Lattice', () => {
  it('offers no rollout, since the route has nothing left to shift from, and says why', async () => {
    // Prepare
    const { kept } = await keptAfter('healthy', 'lattice', () => () => undefined);

    // Act
    await kept.close();

    // Assess
    expect(kept.commands.map((command) => command.argv[0])).toEqual(['list', 'describe']);
    expect(kept.note).toBe(
      'The route already sends all its traffic to colorteller, where a new version of colorteller goes: the next rollout would deploy colorteller-blue with the policy turned around, which the demo app does not lay out. To try a rollout, keep a scenario that leaves the route on colorteller-blue, such as --scenario deployment-fails.',
    );
  });
});

describe('npm start -- --keep', () => {
  /** Resolves with all the child wrote once its standard output holds `text`. */
  const untilPrinted = (child: ChildProcess, text: string) =>
    new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes(text)) resolve(stdout);
      });
      child.once('exit', (code) => reject(new Error(`npm start -- --keep exited ${code} before printing ${JSON.stringify(text)}:\n${stdout}`)));
    });

  it('writes the report as without --keep, prints commands that work from a clean shell, and stops with exit 0 on Ctrl-C', async () => {
    // Prepare
    const json = join(directory, 'kept.json');
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', 'local/run.ts', '--keep', '--port', '0', '--json', json], { cwd: root });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Act
    const stdout = await untilPrinted(child, `abort ${manualRolloutId} --endpoint-url`);
    const list = stdout.split('\n').find((line) => line.startsWith('  npm run cli -- list --all')) ?? '';
    const listed = await node(['cli/meshshift.ts', ...list.replace('  npm run cli -- ', '').split(' ')], cleanEnvironment);
    child.kill('SIGINT');
    const code = await exited;
    const unkept = await node(['local/run.ts', '--json']);

    // Assess
    expect(stdout).toMatch(/\nThe stack stays up on http:\/\/127\.0\.0\.1:(\d+) \(port \1\)/);
    expect(stdout).toContain('Its clock now runs 10 simulated seconds per real second. Ctrl-C stops it.');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/\ndefault-colorteller-\d+ +default\/colorteller +PROMOTED/);
    expect(code).toBe(0);
    expect(readFileSync(json, 'utf8')).toBe(unkept.stdout);
  }, 60_000);

  it.each([
    [['--port', '65536'], '--port must be a whole number from 0 to 65535; got "65536"'],
    [['--speed', '0'], '--speed must be a whole number from 1 to 3600; got "0"'],
    [['--speed', 'fast'], '--speed must be a whole number from 1 to 3600; got "fast"'],
  ])('--keep %j exits 2 before running anything, naming the flag and the value', async (flags, message) => {
    // Act
    const run = await node(['local/run.ts', '--keep', ...flags]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
