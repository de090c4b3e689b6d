import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { cliPorts } from '../../cli/cli-ports';
import { type CliIo, runCli } from '../../cli/run-cli';
import { colorApp, defaultColorAppPolicy } from '../../local/color-app';
import { registryDocumentClient } from '../../functions/shared/wiring/registry';
import { latticePolicyDocument } from '../support/lattice-policy';
import { waitForPhase } from '../support/local-rollout';
import { type DemoApp, seedDemoApp } from '../../local/demo-app';
import { LocalStack } from '../../local/local-stack';
import { trafficProviders } from '../../functions/shared/domain/traffic-provider';

const stateMachineArn = 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout';
const directory = mkdtempSync(join(tmpdir(), 'meshshift-cli-'));

function policyFile(name: string, policy: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return path;
}

/** Captures output; `connect` fails the test unless a stack is given, proving no AWS call was attempted. */
function io(stack?: LocalStack) {
  const out: string[] = [];
  const err: string[] = [];
  const connect = jest.fn((settings: Parameters<CliIo['connect']>[0]) => {
    if (!stack) throw new Error('the CLI tried to reach AWS');
    const sfn = new SFNClient({});
    sfn.send = stack.stepFunctions.send as typeof sfn.send;
    return cliPorts(settings, {
      appMesh: stack.sim.attach(new AppMeshClient({})),
      lattice: stack.sim.attach(new VPCLatticeClient({})),
      ecs: stack.sim.attach(new ECSClient({})),
      sfn,
      dynamo: registryDocumentClient,
    });
  });
  const cli: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), connect, now: () => new Date('2026-11-22T10:00:00Z'), sleep: async () => undefined };
  return { cli, out: () => out.join('\n'), err: () => err.join('\n'), connect };
}

describe('command line errors', () => {
  it.each([
    [[], 2, /Usage: meshshift <command>/],
    [['frobnicate'], 2, /Unknown command "frobnicate"/],
    [['validate'], 2, /expected 1 argument\(s\), got 0/],
    [['status', '--colour'], 2, /Unknown option '--colour'/],
    [['status'], 2, /--table \(or MESHSHIFT_TABLE\) is required/],
    [['start', '--cluster', 'default', '--service', 'colorteller'], 2, /--state-machine-arn .* must be a Step Functions state machine ARN/],
    [['status', '--table', 't', '--interval', '0'], 2, /--interval and --count must be positive numbers/],
  ])('%j exits %i naming the problem, before any AWS call', async (argv, code, message) => {
    // Prepare
    const { cli, err, out, connect } = io();

    // Act
    const exit = await runCli(argv, cli);

    // Assess
    expect(exit).toBe(code);
    expect(`${out()}${err()}`).toMatch(message);
    expect(connect).not.toHaveBeenCalled();
  });

  it.each(['validate', 'plan', 'start', 'status', 'promote', 'abort'])('%s --help explains the command and exits 0', async (command) => {
    // Prepare
    const { cli, out } = io();

    // Act
    const exit = await runCli([command, '--help'], cli);

    // Assess
    expect(exit).toBe(0);
    expect(out()).toContain(`Usage: meshshift ${command}`);
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
    [{ ...defaultColorAppPolicy, schedule: { type: 'steps', steps: [10, 5, 100] } }, /\.schedule\.steps: must be strictly increasing/],
    [{ ...defaultColorAppPolicy, version: 2 }, /\.version: /],
    [{ ...defaultColorAppPolicy, colour: 'blue' }, /Unrecognized key: "colour"/],
    ['{ not json', /is not valid JSON/],
  ])('rejects a bad policy with exit 1 and the field that is wrong (%#)', async (policy, message) => {
    // Prepare
    const { cli, err } = io();

    // Act
    const exit = await runCli(['validate', policyFile('bad.json', policy)], cli);

    // Assess
    expect(exit).toBe(1);
    expect(err()).toMatch(message);
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
    expect(out()).toContain('state transitions: 24 for a healthy rollout (4 per step); $0.000600 per rollout, $0.60 per 1,000 rollouts');
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

  async function startManualRollout(name: string) {
    const { cli, out } = io(stack);
    const exit = await runCli(
      ['start', '--cluster', colorApp.cluster, '--service', colorApp.canaryService, '--task-definition', canaryTaskDefinition, '--name', name, '--state-machine-arn', stateMachineArn],
      cli,
    );
    return { exit, out: out() };
  }

  const untilPhase = (name: string, phase: string) => waitForPhase(stack, name, phase);

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
    expect(err()).toMatch(/\.routes: Too small/);
    expect(connect).not.toHaveBeenCalled();
  });

  it('start, status and promote drive a manual rollout to an early promotion', async () => {
    // Act
    const started = await startManualRollout('manual-cli-1');
    await untilPhase('manual-cli-1', 'WAITING_FOR_CANARY');
    await stack.settled();
    const primary = stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
    stack.sim.ecs.completeDeployment(primary);
    await untilPhase('manual-cli-1', 'SHIFTING');
    const status = io(stack);
    const statusExit = await runCli(['status', '--table', process.env.REGISTRY_TABLE_NAME ?? '', '--state-machine-arn', stateMachineArn], status.cli);
    const promote = io(stack);
    const promoteExit = await runCli(['promote', 'manual-cli-1', '--table', process.env.REGISTRY_TABLE_NAME ?? ''], promote.cli);
    const execution = await stack.waitForExecution('manual-cli-1');

    // Assess
    expect(started.exit).toBe(0);
    expect(started.out).toContain('Started rollout manual-cli-1: arn:aws:states:us-west-2:111122223333:execution:meshshift-local-rollout:manual-cli-1');
    expect(statusExit).toBe(0);
    expect(status.out()).toMatch(new RegExp(`1 active rollout\\(s\\)\\n {2}manual-cli-1 {2}default/colorteller {2}SHIFTING {2}canary ${demo.canaryBackend} at 10 % {2}step 1 {2}execution RUNNING`));
    expect(promoteExit).toBe(0);
    expect(execution.status).toBe('SUCCEEDED');
    // Promoted at the first check: no 25 % or 50 % step was ever written.
    const canaryWeights = stack.sim.calls.flatMap((call) => demo.writtenTargets(call) ?? []).filter((target) => target.virtualNode === demo.canaryBackend);
    expect(canaryWeights.map((target) => target.weight)).toEqual([10, 100]);
  });

  it('abort rolls a running rollout back at once and a second abort says it already ended', async () => {
    // Prepare
    const original = demo.routeTargets();
    await startManualRollout('manual-cli-2');
    await untilPhase('manual-cli-2', 'WAITING_FOR_CANARY');
    await stack.settled();
    const primary = stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
    stack.sim.ecs.completeDeployment(primary);
    await untilPhase('manual-cli-2', 'SHIFTING');

    // Act
    const first = io(stack);
    const firstExit = await runCli(['abort', 'manual-cli-2', '--table', process.env.REGISTRY_TABLE_NAME ?? '', '--state-machine-arn', stateMachineArn], first.cli);
    const execution = await stack.waitForExecution('manual-cli-2');
    const second = io(stack);
    const secondExit = await runCli(['abort', 'manual-cli-2', '--table', process.env.REGISTRY_TABLE_NAME ?? '', '--state-machine-arn', stateMachineArn], second.cli);

    // Assess
    expect(firstExit).toBe(0);
    expect(first.out()).toMatch(/Rollout manual-cli-2 rolled back; routes restored: \S+/);
    expect(execution.status).toBe('ABORTED');
    expect(execution.error).toBe('RolloutAbortedError');
    expect(demo.routeTargets()).toEqual(original);
    expect(secondExit).toBe(1);
    expect(second.err()).toContain('Rollout manual-cli-2 already ended: ROLLED_BACK');
  });

  it('promote and abort name a rollout that does not exist', async () => {
    // Prepare
    const promote = io(stack);
    const abort = io(stack);

    // Act
    const promoteExit = await runCli(['promote', 'nope', '--table', process.env.REGISTRY_TABLE_NAME ?? ''], promote.cli);
    const abortExit = await runCli(['abort', 'nope', '--table', process.env.REGISTRY_TABLE_NAME ?? '', '--state-machine-arn', stateMachineArn], abort.cli);

    // Assess
    expect(promoteExit).toBe(1);
    expect(promote.err()).toContain('No rollout nope in the registry');
    expect(abortExit).toBe(1);
    expect(abort.err()).toContain('No rollout nope in the registry');
  });
});
