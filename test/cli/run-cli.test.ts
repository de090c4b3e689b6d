import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type AwsSettings, cliPorts } from '../../cli/cli-ports';
import type { CliIo } from '../../cli/cli-io';
import { clearScreen } from '../../cli/follow-rollout';
import { runCli } from '../../cli/run-cli';
import { colorApp, defaultColorAppPolicy } from '../../local/color-app';
import { registryDocumentClient } from '../../functions/shared/wiring/registry';
import { latticePolicyDocument } from '../support/lattice-policy';
import { waitForPhase } from '../support/local-rollout';
import { type DemoApp, seedDemoApp } from '../../local/demo-app';
import { LocalStack } from '../../local/local-stack';
import { trafficProviders } from '../../functions/shared/domain/traffic-provider';
import { version } from '../../package.json';

const stateMachineArn = 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout';
const table = process.env.REGISTRY_TABLE_NAME ?? '';
const directory = mkdtempSync(join(tmpdir(), 'meshshift-cli-'));

function policyFile(name: string, policy: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return path;
}

type Send = LocalStack['stepFunctions']['send'];

/**
 * Captures output. Time is the stack's simulated clock (a fixed instant without a stack), and
 * `connect` fails the test unless a stack is given, proving no AWS call was attempted.
 */
function io(stack?: LocalStack, options: { interactive?: boolean; send?: (local: Send) => Send } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const connect = jest.fn(async (settings: AwsSettings) => {
    if (!stack) throw new Error('the CLI tried to reach AWS');
    const sfn = new SFNClient({});
    const local = stack.stepFunctions.send;
    sfn.send = (options.send ? options.send(local) : local) as typeof sfn.send;
    return cliPorts(settings, { sfn, dynamo: registryDocumentClient });
  });
  const cli: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    connect,
    now: () => (stack ? new stack.clock.Date() : new Date('2026-11-22T10:00:00Z')),
    sleep: (ms) => (stack ? stack.clock.sleep(ms) : Promise.resolve()),
    interactive: options.interactive ?? false,
  };
  return { cli, out: () => out.join('\n'), err: () => err.join('\n'), connect };
}

describe('command line errors', () => {
  const start = ['start', '--cluster', 'default', '--service', 'colorteller', '--state-machine-arn', stateMachineArn];
  it.each([
    [[], /Usage: meshshift <command>/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['validate'], /expected 1 argument\(s\), got 0/],
    [['status', '--colour'], /Unknown option '--colour'/],
    [['status'], /--table \(or MESHSHIFT_TABLE\) is required/],
    [['start', '--cluster', 'default', '--service', 'colorteller'], /--state-machine-arn \(or MESHSHIFT_STATE_MACHINE_ARN\) is required/],
    [['start', '--service', 'colorteller', '--state-machine-arn', stateMachineArn], /--cluster is required/],
    [['start', '--cluster', 'default', '--service', 'colorteller', '--state-machine-arn', 'arn:aws:states:us-west-2:111122223333:execution:x:y'], /--state-machine-arn .* must be a Step Functions state machine ARN/],
    [[...start, '--name', 'has spaces!'], /--name must be a Step Functions execution name: 1 to 80 characters, without spaces.*\(got "has spaces!"\)/],
    [[...start, '--name', 'x'.repeat(81)], /--name must be a Step Functions execution name: 1 to 80 characters/],
    [[...start, '--task-definition', 'colorteller:-1'], /--task-definition must be FAMILY, FAMILY:REVISION \(a revision from 1 up\) or a task definition ARN \(got "colorteller:-1"\)/],
    [[...start, '--task-definition', 'arn:aws:ecs:eu-west-1:111122223333:task-definition/colorteller:3'], /--task-definition is in eu-west-1, but this deployment of meshshift is in us-west-2/],
    [['start', '--cluster', 'default', '--service', 'color/teller', '--state-machine-arn', stateMachineArn], /--service must be an ECS name: 1 to 255 letters, digits, hyphens and underscores \(got "color\/teller"\)/],
    [['start', '--cluster', 'x'.repeat(256), '--service', 'colorteller', '--state-machine-arn', stateMachineArn], /--cluster must be an ECS name/],
    [[...start, '--region', 'eu-west-1'], /--region names region eu-west-1, but --state-machine-arn names us-west-2/],
    [['status', '--table', 'arn:aws:dynamodb:eu-west-1:111122223333:table/meshshift', '--state-machine-arn', stateMachineArn], /--state-machine-arn names region us-west-2, but --table names eu-west-1/],
    [['status', '--table', 'meshshift', '--region', 'Oregon'], /--region must be an AWS region such as us-west-2 \(got "Oregon"\)/],
    [[...start, '--policy', join(directory, 'missing.json')], /--policy .*missing\.json: no such file/],
    [[...start, '--timeout', '5m'], /--timeout needs --wait/],
    [['status', '--table', 't'], /--table \(or MESHSHIFT_TABLE\) must be a DynamoDB table name \(3 to 255 letters, digits, _ - .\) or table ARN \(got "t"\)/],
    [['status', '--table', 'meshshift', '--interval', '0'], /--interval must be a positive duration such as 30s, 5m, 2h or 1d \(got "0"\)/],
    [['status', '--table', 'meshshift', '--wait'], /--wait needs a <rollout-id>/],
    [['status', 'r1', '--table', 'meshshift', '--wait', '--watch'], /give --watch or --wait, not both/],
    [['status', 'r1', '--table', 'meshshift', '--wait', '--timeout', 'soon'], /--timeout must be a positive duration/],
    [['status', '--table', 'meshshift', '--endpoint-url', 'ftp://127.0.0.1:9'], /--endpoint-url \(or MESHSHIFT_ENDPOINT_URL\) must be an http:\/\/ or https:\/\/ URL/],
    [['list', '--table', 'meshshift', '--since', 'yesterday'], /--since must be a positive duration such as 30s, 5m, 2h or 1d \(got "yesterday"\)/],
    [['list', '--table', 'meshshift', '--since', '2026-13-45'], /--since 2026-13-45 is not a date/],
    [['describe', 'no/such:id', '--table', 'meshshift'], /<rollout-id> must be a Step Functions execution name/],
    [['promote', '--table', 'meshshift'], /expected 1 argument\(s\), got 0/],
    [['abort', 'r1', 'r2', '--table', 'meshshift'], /expected 1 argument\(s\), got 2/],
  ])('%j exits 2 naming the problem, before any AWS call', async (argv, message) => {
    // Prepare
    const { cli, err, out, connect } = io();

    // Act
    const exit = await runCli(argv, cli);

    // Assess
    expect(exit).toBe(2);
    expect(`${out()}${err()}`).toMatch(message);
    expect(connect).not.toHaveBeenCalled();
  });

  it.each(['validate', 'plan', 'start', 'status', 'list', 'describe', 'pause', 'resume', 'promote', 'abort'])('%s --help explains the command and exits 0', async (command) => {
    // Prepare
    const { cli, out } = io();

    // Act
    const exit = await runCli([command, '--help'], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain(`Usage: meshshift ${command}`);
  });

  it('--version prints the package version', async () => {
    // Prepare
    const { cli, out } = io();

    // Act
    const exit = await runCli(['--version'], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toBe(version);
  });
});

describe('validate and plan', () => {
  it('accepts a valid policy and summarises it', async () => {
    // Prepare
    const { cli, out } = io();

    // Act
    const exit = await runCli(['validate', policyFile('good.json', defaultColorAppPolicy)], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toMatch(/is valid: mesh colorapp, router colorteller-vr, route\(s\) colorteller-route; steps 10 → 25 → 50 → 100 %, bake 60 s; alarms colorteller-5xx/);
  });

  it.each([
    [{ ...defaultColorAppPolicy, schedule: { type: 'steps', steps: [10, 5, 100] } }, '\n  schedule.steps: must be strictly increasing'],
    [{ ...defaultColorAppPolicy, version: 2 }, '\n  version: '],
    [{ ...defaultColorAppPolicy, colour: 'blue' }, 'Unrecognized key: "colour"'],
    [{ ...defaultColorAppPolicy, routes: ['a', 7] }, '\n  routes[1]: '],
    [{ ...defaultColorAppPolicy, bakeSeconds: 100_000 }, '\n  bakeSeconds: must be at most 86400 s (1d00h00m)'],
    [{ ...defaultColorAppPolicy, schedule: { type: 'linear', stepPercent: 1, everySeconds: 86_400 } }, 'limit is 777600 s (9d00h00m)'],
    ['{ not json', 'bad.json is not valid JSON'],
  ])('rejects a bad policy with exit 1, the file and then the field that is wrong (%#)', async (policy, message) => {
    // Prepare
    const { cli, err } = io();
    const path = policyFile('bad.json', policy);

    // Act
    const exit = await runCli(['validate', path], cli);

    // Assess
    expect(exit).toBe(1);
    expect(err()).toContain(message);
    expect(err()).not.toContain(`${path}.`);
  });

  it('says which file cannot be read', async () => {
    // Prepare
    const { cli, err } = io();

    // Act
    const exit = await runCli(['validate', join(directory, 'missing.json')], cli);

    // Assess
    expect(exit).toBe(1);
    expect(err()).toMatch(/Cannot read policy file .*missing\.json/);
  });

  it('plans the steps, the duration, the transitions and the cost', async () => {
    // Prepare
    const { cli, out } = io();

    // Act
    const exit = await runCli(['plan', policyFile('plan.json', defaultColorAppPolicy)], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain('   4   100 %      3m00s  60 s');
    expect(out()).toContain('duration: 4m10s');
    expect(out()).toContain('state transitions: 26 for a healthy rollout (4 per step); $0.000650 per rollout, $0.65 per 1,000 rollouts');
  });

  it('plans each pause after its step: timed ones move later steps, ones for a person are named, each adds four transitions', async () => {
    // Prepare
    const { cli, out } = io();
    const paused = { ...defaultColorAppPolicy, schedule: { type: 'steps', steps: [10, { pause: { seconds: 600 } }, 50, { pause: {} }, 100] } };

    // Act
    const exit = await runCli(['plan', policyFile('paused.json', paused)], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain('      pause at 10 %: 10m00s, then goes on unless a person acts first');
    expect(out()).toContain('   2    50 %     11m00s  60 s');
    expect(out()).toContain('      pause at 50 %: waits for a person (resume, promote or abort)');
    // 3 bakes of 60 s, the 600 s pause and the 10 s drain.
    expect(out()).toContain('duration: 13m10s after the canary tasks are up, plus however long people take at 1 pause(s) that wait for them');
    expect(out()).toContain('state transitions: 30 for a healthy rollout (4 per step, 4 per pause)');
  });

  it('plans the hooks: each with its time limit and what then, their wait in the worst case, three transitions per hook asked', async () => {
    // Prepare
    const { cli, out } = io();
    const hooked = {
      ...defaultColorAppPolicy,
      hooks: { beforeStep: { function: 'meshshift-hook-gate', timeoutSeconds: 600, onTimeout: 'proceed' }, onRollback: { function: 'meshshift-hook-page' } },
    };

    // Act
    const exit = await runCli(['plan', policyFile('hooked.json', hooked)], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain('hook beforeStep: meshshift-hook-gate (answers within 10m00s, else the rollout goes on)');
    expect(out()).toContain('hook onRollback: meshshift-hook-page (told after a rollback; it cannot stop it)');
    // The deployment's hour, four bakes, the drain, and four hook waits of 10 minutes.
    expect(out()).toContain('(at most 1h44m10s with the deployment wait and tolerated re-checks)');
    expect(out()).toContain('state transitions: 38 for a healthy rollout (4 per step, 3 per hook asked)');
  });

  it('plans a Lattice rollout with 90 s for each shift to settle before its bake', async () => {
    // Prepare
    const { cli, out } = io();
    const lattice = { ...latticePolicyDocument, bakeSeconds: 60 };

    // Act
    const exit = await runCli(['plan', policyFile('lattice.json', lattice)], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain('step  canary  starts at  settle  bake');
    expect(out()).toContain('   3   100 %      5m00s  90 s    60 s');
    // 3 × (90 s settle + 60 s bake) + 30 s drain.
    expect(out()).toContain('duration: 8m00s');
  });
});

describe.each(trafficProviders)('against the local stack on %s', (provider) => {
  let stack: LocalStack;
  let demo: DemoApp;
  let canaryTaskDefinition: string;

  beforeEach(async () => {
    stack = await LocalStack.start();
    demo = await seedDemoApp(stack.sim, provider);
    canaryTaskDefinition = await demo.registerCanaryTaskDefinition();
  });

  afterEach(async () => {
    await stack.stop();
  });

  const startArgs = (name: string) => ['start', '--cluster', colorApp.cluster, '--service', colorApp.canaryService, '--task-definition', canaryTaskDefinition, '--name', name, '--state-machine-arn', stateMachineArn];

  async function startManualRollout(name: string) {
    const { cli, out } = io(stack);
    const exit = await runCli(startArgs(name), cli);
    return { exit, out: out() };
  }

  const untilPhase = (name: string, phase: string) => waitForPhase(stack, name, phase);

  /** ECS finishes the canary's deployment once the rollout waits for it. */
  async function canaryTasksUp(name: string) {
    await untilPhase(name, 'WAITING_FOR_CANARY');
    await stack.settled();
    const primary = stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
    stack.sim.ecs.completeDeployment(primary);
  }

  async function shifting(name: string) {
    await startManualRollout(name);
    await canaryTasksUp(name);
    await untilPhase(name, 'SHIFTING');
  }

  it('start refuses an invalid inline policy without calling AWS', async () => {
    // Prepare
    const { cli, err, connect } = io(stack);

    // Act
    const exit = await runCli(
      ['start', '--cluster', 'default', '--service', 'colorteller', '--policy', policyFile('bad-start.json', { ...defaultColorAppPolicy, routes: [] }), '--state-machine-arn', stateMachineArn],
      cli,
    );

    // Assess
    expect(exit).toBe(1);
    expect(err()).toMatch(/bad-start\.json is not a valid policy:\n {2}routes: Too small/);
    expect(connect).not.toHaveBeenCalled();
  });

  it('start, status and promote --full drive a manual rollout to an early promotion', async () => {
    // Act
    const started = await startManualRollout('manual-cli-1');
    await canaryTasksUp('manual-cli-1');
    await untilPhase('manual-cli-1', 'SHIFTING');
    const status = io(stack);
    const statusExit = await runCli(['status', '--table', table], status.cli);
    const promote = io(stack);
    const promoteExit = await runCli(['promote', 'manual-cli-1', '--full', '--table', table], promote.cli);
    const execution = await stack.waitForExecution('manual-cli-1');

    // Assess
    expect(started.exit).toBe(0);
    expect(started.out).toContain('Started rollout manual-cli-1: arn:aws:states:us-west-2:111122223333:execution:meshshift-local-rollout:manual-cli-1');
    expect(statusExit).toBe(0);
    expect(status.out()).toMatch(new RegExp(`1 active rollout\\(s\\)\\n {2}manual-cli-1 {2}default/colorteller {2}SHIFTING {2}canary ${demo.canaryBackend} at 10 % {2}step 1 {2}execution RUNNING`));
    expect(promoteExit).toBe(0);
    expect(promote.out()).toBe('Rollout manual-cli-1 promotes the canary to 100 % when the bake in progress ends');
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('abort rolls a running rollout back through meshshift itself, and a second abort changes nothing', async () => {
    // Prepare
    const original = demo.routeTargets();
    await shifting('manual-cli-2');

    // Act
    const first = io(stack);
    const firstExit = await runCli(['abort', 'manual-cli-2', '--table', table], first.cli);
    const execution = await stack.waitForExecution('manual-cli-2');
    await untilPhase('manual-cli-2', 'ROLLED_BACK');
    const second = io(stack);
    const secondExit = await runCli(['abort', 'manual-cli-2', '--table', table], second.cli);

    // Assess
    expect(firstExit).toBe(0);
    expect(first.out()).toBe('Rollout manual-cli-2 is rolling back now: meshshift restores its routes and retires the canary');
    expect(execution.status).toBe('ABORTED');
    expect(execution.error).toBe('RolloutAbortedError');
    expect(demo.routeTargets()).toEqual(original);
    expect(secondExit).toBe(0);
    expect(second.out()).toBe('Rollout manual-cli-2 is already rolled back; nothing changed');
  });

  it('operator commands and status name a rollout that does not exist', async () => {
    // Act
    const runs = await Promise.all(
      [['promote', 'nope'], ['abort', 'nope'], ['pause', 'nope'], ['resume', 'nope'], ['status', 'nope']].map(async (argv) => {
        const run = io(stack);
        return { exit: await runCli([...argv, '--table', table], run.cli), err: run.err() };
      }),
    );

    // Assess
    for (const run of runs) {
      expect(run.exit).toBe(1);
      expect(run.err).toMatch(/: No rollout nope in the registry$/);
    }
  });

  it('start --wait exits 0 once the rollout is promoted, saying each change on the way', async () => {
    // Prepare
    const waiting = io(stack);

    // Act
    const exit = runCli([...startArgs('manual-cli-3'), '--wait', '--table', table], waiting.cli);
    await canaryTasksUp('manual-cli-3');

    // Assess
    expect(await exit).toBe(0);
    expect(waiting.out()).toMatch(/manual-cli-3 {2}default\/colorteller {2}SHIFTING {2}canary \S+ at 10 % {2}step 1 {2}execution RUNNING/);
    expect(waiting.out()).toMatch(/manual-cli-3 {2}default\/colorteller {2}PROMOTED {2}canary \S+ at 100 %/);
    expect(waiting.out().split('\n').at(-1)).toBe('Rollout manual-cli-3 promoted');
  });

  it('status --wait exits 1 once an aborted rollout is rolled back, and 3 when --timeout passes first', async () => {
    // Prepare
    await shifting('manual-cli-4');
    const timedOut = io(stack);
    const aborted = io(stack);

    // Act
    const timedOutExit = await runCli(['status', 'manual-cli-4', '--wait', '--timeout', '20s', '--table', table], timedOut.cli);
    const abortedExit = runCli(['status', 'manual-cli-4', '--wait', '--table', table], aborted.cli);
    await runCli(['abort', 'manual-cli-4', '--table', table], io(stack).cli);

    // Assess
    expect(timedOutExit).toBe(3);
    expect(timedOut.err()).toBe('Rollout manual-cli-4 has not ended after --timeout 0m20s; it goes on (meshshift status manual-cli-4 --watch)');
    expect(await abortedExit).toBe(1);
    expect(aborted.err()).toMatch(/^Rollout manual-cli-4 ROLLED_BACK: execution ABORTED by an operator \(meshshift abort\): RolloutAbortedError: /);
  });

  it('status --watch prints one frame per refresh after a blank line and stops when nothing is active', async () => {
    // Prepare
    await shifting('manual-cli-5');
    const watching = io(stack);

    // Act
    const exit = runCli(['status', '--watch', '--interval', '30s', '--table', table], watching.cli);
    await runCli(['promote', 'manual-cli-5', '--full', '--table', table], io(stack).cli);

    // Assess
    expect(await exit).toBe(0);
    const frames = watching.out().split('\n\n');
    expect(frames.length).toBeGreaterThan(2);
    expect(frames[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}1 active rollout\(s\)\n {2}manual-cli-5 .* SHIFTING /);
    expect(frames.at(-1)).toMatch(/^\S+ \S+ {2}0 active rollout\(s\)$/);
    expect(watching.out()).not.toContain(clearScreen);
  });

  it('status --watch on a terminal redraws each frame over the last', async () => {
    // Prepare
    await shifting('manual-cli-6');
    const watching = io(stack, { interactive: true });

    // Act
    const exit = runCli(['status', 'manual-cli-6', '--watch', '--table', table], watching.cli);
    await runCli(['abort', 'manual-cli-6', '--table', table], io(stack).cli);

    // Assess
    expect(await exit).toBe(0);
    const frames = watching.out().split(clearScreen).slice(1);
    expect(watching.out().startsWith(clearScreen)).toBe(true);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.at(-1)).toMatch(/^\S+ \S+\n {2}manual-cli-6 .* ROLLED_BACK /);
  });

  it('status --watch survives a refresh that fails transiently, and stops on one that does not', async () => {
    // Prepare
    await shifting('manual-cli-7');
    const failing = (error: Error) => (local: Send): Send => {
      let failures = 0;
      return async (command) => {
        if (command.constructor.name === 'DescribeExecutionCommand' && failures++ === 0) throw error;
        return local(command);
      };
    };
    const throttled = io(stack, { send: failing(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })) });
    const denied = io(stack, { send: failing(Object.assign(new Error('not authorized to perform: states:DescribeExecution'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } })) });

    // Act
    const deniedExit = await runCli(['status', '--watch', '--table', table], denied.cli);
    const throttledExit = runCli(['status', '--watch', '--interval', '10s', '--table', table], throttled.cli);
    // Past the retry 10 s after the failed refresh, while the rollout is still active.
    await stack.clock.sleep(15_000);
    await runCli(['abort', 'manual-cli-7', '--table', table], io(stack).cli);

    // Assess
    expect(deniedExit).toBe(1);
    expect(denied.err()).toBe('meshshift status: AccessDeniedException: not authorized to perform: states:DescribeExecution');
    expect(await throttledExit).toBe(0);
    expect(throttled.err()).toMatch(/^\S+ \S+ {2}refresh failed \(DescribeExecution \S+ failed transiently \(ThrottlingException\); safe to retry \(cause: ThrottlingException: Rate exceeded\)\); trying again in 0m10s$/);
    expect(throttled.out()).toMatch(/1 active rollout\(s\)/);
  });

  it('list shows active rollouts, and with --all or --since those that ended', async () => {
    // Prepare
    await shifting('manual-cli-8');
    await runCli(['abort', 'manual-cli-8', '--table', table], io(stack).cli);
    await untilPhase('manual-cli-8', 'ROLLED_BACK');
    await shifting('manual-cli-9');
    const [active, all, recent] = [io(stack), io(stack), io(stack)];

    // Act
    const activeExit = await runCli(['list', '--table', table], active.cli);
    const allExit = await runCli(['list', '--all', '--table', table], all.cli);
    const recentExit = await runCli(['list', '--since', '1s', '--table', table], recent.cli);

    // Assess
    expect([activeExit, allExit, recentExit]).toEqual([0, 0, 0]);
    expect(active.out().replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, '<time>              ')).toBe(
      ['ROLLOUT       SERVICE              PHASE     CANARY  STARTED               ENDED  OUTCOME', 'manual-cli-9  default/colorteller  SHIFTING  10 %    <time>                -'].join('\n'),
    );
    expect(all.out().split('\n')).toEqual([
      expect.stringMatching(/^ROLLOUT/),
      expect.stringMatching(/^manual-cli-9 .* SHIFTING /),
      expect.stringMatching(/^manual-cli-8 {2}default\/colorteller {2}ROLLED_BACK {2}\(was 10 %\) {2}\S+ \S+ {2}\S+ \S+ {2}\S.*$/),
    ]);
    expect(recent.out().split('\n')).toHaveLength(2);
  });

  it('describe tells a promoted rollout step by step, with its weights, verdicts and console link', async () => {
    // Prepare
    const name = 'manual-cli-10';
    await startManualRollout(name);
    await canaryTasksUp(name);
    await stack.waitForExecution(name);
    const described = io(stack);

    // Act
    const exit = await runCli(['describe', name, '--table', table], described.cli);

    // Assess
    expect(exit).toBe(0);
    const text = described.out();
    expect(text).toMatch(new RegExp(`^Rollout ${name}: PROMOTED\\n {2}service {5}default/colorteller, task definition ${canaryTaskDefinition}`));
    expect(text).toContain(`  execution   SUCCEEDED\n  arn         arn:aws:states:us-west-2:111122223333:execution:meshshift-local-rollout:${name}`);
    expect(text).toContain(`  console     https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/arn:aws:states:us-west-2:111122223333:execution:meshshift-local-rollout:${name}`);
    const timeline = text.split('Timeline:\n')[1]?.split('\n').map((line) => line.replace(/^ {2}\S+ \S+ {2}\+\S+ +/, ''));
    expect(timeline).toEqual([
      `started: default/colorteller, task definition ${canaryTaskDefinition}`,
      expect.stringMatching(/^prepared: \S+ takes over from \S+ in steps 10 → 25 → 50 → 100 %, bake 60 s/),
      expect.stringMatching(/^canary deployment started: /),
      'canary tasks running',
      'step 1 of 4: canary 10 %, stable 90 %',
      'health check at 10 %: healthy, next step',
      'step 2 of 4: canary 25 %, stable 75 %',
      'health check at 25 %: healthy, next step',
      'step 3 of 4: canary 50 %, stable 50 %',
      'health check at 50 %: healthy, next step',
      'step 4 of 4: canary 100 %, stable 0 %',
      'health check at 100 %: promote',
      'canary 100 %',
      'stable retired',
      'execution succeeded: promoted',
    ]);
  });

  it('describe names who ended an aborted rollout, and finds a failed one by its execution alone', async () => {
    // Prepare
    await shifting('manual-cli-11');
    await runCli(['abort', 'manual-cli-11', '--table', table], io(stack).cli);
    await untilPhase('manual-cli-11', 'ROLLED_BACK');
    await runCli(['start', '--cluster', 'other', '--service', colorApp.canaryService, '--name', 'manual-cli-12', '--state-machine-arn', stateMachineArn], io(stack).cli);
    await stack.waitForExecution('manual-cli-12');
    const [aborted, failed] = [io(stack), io(stack)];

    // Act
    const abortedExit = await runCli(['describe', 'manual-cli-11', '--table', table], aborted.cli);
    const failedExit = await runCli(['describe', 'manual-cli-12', '--table', table, '--state-machine-arn', 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-local-rollout'], failed.cli);

    // Assess
    expect([abortedExit, failedExit]).toEqual([0, 0]);
    expect(aborted.out()).toMatch(/^Rollout manual-cli-11: ROLLED_BACK\n/);
    expect(aborted.out()).toContain('  execution   ABORTED by an operator (meshshift abort): RolloutAbortedError: ');
    expect(aborted.out()).toMatch(/\+\S+ +execution stopped: RolloutAbortedError: /);
    expect(failed.out()).toMatch(/^Rollout manual-cli-12: not in the registry \(its record expired\), execution FAILED\n/);
    expect(failed.out()).toContain('Prepare rollout failed: InvalidInputError: input.cluster is other, but this meshshift deployment rolls out services of cluster default only');
    expect(failed.out()).toMatch(/execution failed: InvalidInputError: Rollout manual-cli-12 did not start, nothing was changed\./);
  });
});
