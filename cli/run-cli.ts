import { version } from '../package.json';
import { describeError, InvalidInputError, PolicyInvalidError, ResourceMissingError } from '../functions/shared/domain/errors';
import { executionNameForManualRollout } from '../functions/shared/domain/execution-name';
import { type GatingHook, namedHooks } from '../functions/shared/domain/lifecycle-hooks';
import { isActivePhase, rolloutPhases } from '../functions/shared/domain/rollout-phase';
import { parseStartRequest } from '../functions/shared/domain/rollout';
import { dollarsPerTransition, estimatedTransitions, pausesForPeople, planSteps, plannedDurationSeconds, selfEndingSeconds, type StepPause, worstCaseDurationSeconds } from '../functions/shared/domain/schedule';
import type { RolloutRecord } from '../functions/shared/ports/registry';
import { OperatorRequestRefusedError, type OperatorRequestResult, requestAbort, requestPause, requestPromote, requestResume } from '../functions/shared/use-cases/operator-request';
import { awsSettings, durationSeconds, ecsName, existingFile, parse, rolloutId, since, taskDefinition, UsageError } from './arguments';
import { type CliIo, exitCodes } from './cli-io';
import type { CliPorts } from './cli-ports';
import { type Frame, rolloutLine, waitForOutcome, watch } from './follow-rollout';
import { duration, timestamp } from './format';
import { readPolicyFile } from './policy-file';
import { executionLink, howItEnded, rolloutTimeline } from './rollout-timeline';

const awsFlags = `AWS options (every command that calls AWS):
  --table NAME|ARN          the registry table (or MESHSHIFT_TABLE; the stack's RegistryTableName output)
  --state-machine-arn ARN   the rollout state machine (or MESHSHIFT_STATE_MACHINE_ARN; the StateMachineArn output)
  --region REGION           default: the region the state machine or table ARN names, else AWS_REGION or the profile's
  --endpoint-url URL        send every AWS call there (or MESHSHIFT_ENDPOINT_URL), e.g. the local stack
                            that npm start -- --keep serves (no AWS credentials needed on loopback)`;

const help: Record<string, string> = {
  '': `Usage: meshshift <command> [options]

Commands:
  validate <policy.json>    check a policy file and say what is wrong
  plan <policy.json>        show a policy's steps, timing, state transitions and cost
  start                     start a manual rollout [--wait for its outcome]
  status [<rollout-id>]     active rollouts, or one [--watch | --wait]
  list [--all]              active rollouts, and with --all or --since those that ended
  describe <rollout-id>     a rollout's steps, weights, health verdicts and how it ended
  pause <rollout-id>        hold at the current weight once the bake in progress ends
  resume <rollout-id>       go on from a pause
  promote <rollout-id>      move on to the next step now [--full: straight to 100 %]
  abort <rollout-id>        roll back now: meshshift restores the routes exactly

Run "meshshift <command> --help" for a command's options; "meshshift --version" for the version.
AWS access uses the default credential chain; the operator needs read and write on the registry
table and its indexes, and Step Functions' StartExecution, DescribeExecution, GetExecutionHistory,
StopExecution, SendTaskSuccess and SendTaskFailure on the rollout state machine. Nothing else.

${awsFlags}

Exit codes: 0 done (with --wait: promoted), 1 failed, invalid input, or (with --wait) rolled back,
2 wrong command line, 3 --timeout passed while the rollout still runs.`,
  validate: 'Usage: meshshift validate <policy.json>\n\nValidates a rollout policy; prints every mistake with its field.',
  plan: 'Usage: meshshift plan <policy.json> [--deploys]\n\nPrints each step with its start time, the total duration, the state transitions and the cost.\n  --deploys   the manual rollout names a task definition (one more state)',
  start: `Usage: meshshift start --cluster NAME --service NAME [--task-definition TD] [--policy FILE] [--name NAME]
                      [--wait [--timeout DURATION] [--interval DURATION]]

Starts a manual rollout of an ECS service. With --task-definition (FAMILY, FAMILY:REVISION or an
ARN) meshshift deploys it to the service; with --policy the file replaces the policy the service's
meshshift:policy tag names. --name is the rollout id (a Step Functions execution name, 1 to 80
characters); by default manual-SERVICE-TIME. Needs --state-machine-arn; --wait also --table.
  --wait                wait for the outcome: exit 0 when promoted, 1 when rolled back or failed
  --timeout DURATION    with --wait: give up after this long (exit 3), e.g. 45m or 2h
  --interval DURATION   with --wait: how often to look (default 10s)

${awsFlags}`,
  status: `Usage: meshshift status [<rollout-id>] [--watch | --wait [--timeout DURATION]] [--interval DURATION]

Active rollouts (or the one named): service, phase, canary weight, step, pause, execution status.
  --watch               refresh every --interval (default 5s) until nothing shown is active; on a
                        terminal each refresh redraws the screen, in a pipe they follow one another
  --wait                with a <rollout-id>: wait for its outcome; exit 0 promoted, 1 rolled back or failed
  --timeout DURATION    with --wait: give up after this long (exit 3)
  --interval DURATION   how often to look (default 5s with --watch, 10s with --wait)
A refresh that fails transiently (throttling, a network error) is reported and retried.
Needs --table.

${awsFlags}`,
  list: `Usage: meshshift list [--all] [--since DURATION|DATE]

Active rollouts, newest first; with --all also ended ones (kept for the stack's RolloutRetentionDays,
90 days by default), with --since only those that ended since then (implies --all): a duration
before now (24h, 7d) or a date (2026-11-20, 2026-11-20T10:00:00Z). Needs --table.

${awsFlags}`,
  describe: `Usage: meshshift describe <rollout-id>

The rollout from the registry and its Step Functions execution history: every step with its
weights and time, every health verdict, failures and retries, who or what ended it, and the
execution's console link. Needs --table; with --state-machine-arn it also finds an execution
whose registry record has expired.

${awsFlags}`,
  pause: `Usage: meshshift pause <rollout-id>\n\nThe rollout holds at its current weight once the bake in progress ends, until resume, promote or abort. Needs --table.\n\n${awsFlags}`,
  resume: `Usage: meshshift resume <rollout-id>\n\nA paused rollout moves on to its next step now; a pause not reached yet is withdrawn. Needs --table.\n\n${awsFlags}`,
  promote: `Usage: meshshift promote <rollout-id> [--full]

Moves the rollout on to its next step: now when paused, else when the bake in progress ends, past a
failed check that would hold it. With --full, straight to the canary alone (the stable then retires
as the policy says). Needs --table.

${awsFlags}`,
  abort: `Usage: meshshift abort <rollout-id>

Rolls the rollout back now: meshshift's own functions restore every route exactly and retire the
canary. Needs --table.

${awsFlags}`,
};

type Command = (args: string[], io: CliIo) => Promise<number>;

/** A gating hook's time limit and what then; onRollback has none (it is told, not asked). */
function hookLimit(hook: GatingHook | { function: string } | undefined): string {
  if (!hook || !('timeoutSeconds' in hook)) return ' (told after a rollback; it cannot stop it)';
  return ` (answers within ${duration(hook.timeoutSeconds)}, else ${hook.onTimeout === 'proceed' ? 'the rollout goes on' : 'it rolls back'})`;
}

function pauseSummary(pause: StepPause): string {
  if (pause.seconds === undefined) return 'waits for a person (resume, promote or abort)';
  const then = { promote: 'goes on', 'roll-back': 'rolls back', stay: 'keeps waiting for a person' }[pause.then];
  return `${duration(pause.seconds)}, then ${then} unless a person acts first`;
}

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** --wait's --timeout and --interval, refused without --wait so a mistyped flag is never silently ignored. */
function waitOptions(values: { wait?: boolean; timeout?: string; interval?: string }, defaultInterval: string) {
  if (!values.wait) {
    if (values.timeout !== undefined) throw new UsageError('--timeout needs --wait');
    return undefined;
  }
  return {
    intervalSeconds: durationSeconds(values.interval ?? defaultInterval, '--interval'),
    timeoutSeconds: values.timeout === undefined ? undefined : durationSeconds(values.timeout, '--timeout'),
  };
}

/** Rows under a header, each column as wide as its widest cell. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '));
}

function traffic(record: RolloutRecord): string {
  if (record.provider === 'lattice') return `VPC Lattice service ${record.virtualRouter}, rule(s) ${record.routes.join(', ')}`;
  return `App Mesh mesh ${record.mesh}, router ${record.virtualRouter}, route(s) ${record.routes.join(', ')}`;
}

/** One operator request: validated, sent through the registry and Step Functions only, its result said in one line. */
function operatorCommand(send: (rolloutId: string, ports: CliPorts, values: { full?: boolean }) => Promise<OperatorRequestResult>): Command {
  return async (args, io) => {
    const { positionals, values } = parse(args, { full: { type: 'boolean' } }, { min: 1, max: 1 });
    const id = rolloutId(positionals[0] as string);
    const ports = await io.connect(awsSettings(values, ['table']));
    io.out((await send(id, ports, values)).message);
    return exitCodes.ok;
  };
}

const commands: Record<string, Command> = {
  async validate(args, io) {
    const { positionals } = parse(args, {}, { min: 1, max: 1 });
    const policy = readPolicyFile(positionals[0] as string);
    const plan = planSteps(policy);
    const where = policy.provider === 'lattice' ? `Lattice service ${policy.service}, stable ECS service ${policy.stableService}` : `mesh ${policy.mesh}, router ${policy.virtualRouter}`;
    io.out(`${positionals[0]} is valid: ${where}, route(s) ${policy.routes.join(', ')}; steps ${plan.weights.join(' → ')} %, bake ${plan.bakeSeconds} s; alarms ${policy.alarms.join(', ') || '(none)'}`);
    return exitCodes.ok;
  },

  async plan(args, io) {
    const { positionals, values } = parse(args, { deploys: { type: 'boolean' } }, { min: 1, max: 1 });
    const policy = readPolicyFile(positionals[0] as string);
    const plan = planSteps(policy);
    const settles = plan.settleSeconds > 0;
    io.out(`step  canary  starts at  ${settles ? 'settle  ' : ''}bake`);
    let startsAt = 0;
    plan.weights.forEach((weight, index) => {
      const settle = settles ? `${`${plan.settleSeconds} s`.padEnd(6)}  ` : '';
      io.out(`${String(index + 1).padStart(4)}  ${String(weight).padStart(4)} %  ${duration(startsAt).padStart(9)}  ${settle}${plan.bakeSeconds} s`);
      startsAt += plan.settleSeconds + plan.bakeSeconds;
      for (const pause of plan.pauses.filter((candidate) => candidate.afterStep === index)) {
        io.out(`      pause at ${weight} %: ${pauseSummary(pause)}`);
        startsAt += selfEndingSeconds(pause);
      }
    });
    const healthy = plannedDurationSeconds(plan, policy.promotion.drainSeconds);
    const waiting = pausesForPeople(plan).length;
    const transitions = estimatedTransitions(plan.weights.length, Boolean(values.deploys), plan.pauses.length, policy.hooks);
    for (const hook of namedHooks(policy.hooks)) io.out(`hook ${hook.point}: ${hook.function}${hookLimit(policy.hooks?.[hook.point])}`);
    const people = waiting === 0 ? '' : `, plus however long people take at ${waiting} pause(s) that wait for them`;
    io.out(`duration: ${duration(healthy)} after the canary tasks are up${people} (at most ${duration(worstCaseDurationSeconds(policy))} with the deployment wait and tolerated re-checks)`);
    const perPause = `${plan.pauses.length === 0 ? '' : ', 4 per pause'}${policy.hooks ? ', 3 per hook asked' : ''}`;
    io.out(`state transitions: ${transitions} for a healthy rollout (4 per step${perPause}); $${(transitions * dollarsPerTransition).toFixed(6)} per rollout, $${(transitions * dollarsPerTransition * 1000).toFixed(2)} per 1,000 rollouts`);
    return exitCodes.ok;
  },

  async start(args, io) {
    const { values } = parse(
      args,
      {
        cluster: { type: 'string' },
        service: { type: 'string' },
        'task-definition': { type: 'string' },
        policy: { type: 'string' },
        name: { type: 'string' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        interval: { type: 'string' },
      },
      { min: 0, max: 0 },
    );
    const aws = awsSettings(values, values.wait ? ['state-machine-arn', 'table'] : ['state-machine-arn']);
    const waiting = waitOptions(values, '10s');
    const cluster = ecsName(values.cluster, '--cluster');
    const service = ecsName(values.service, '--service');
    const name = values.name === undefined ? undefined : rolloutId(values.name, '--name');
    const policyPath = existingFile(values.policy, '--policy');
    const request = parseStartRequest({
      cluster,
      service,
      taskDefinition: taskDefinition(values['task-definition'], aws.region),
      policy: policyPath === undefined ? undefined : readPolicyFile(policyPath),
    });
    const execution = name ?? executionNameForManualRollout(service, io.now().toISOString().replace(/[:.]/g, '-'));
    const ports = await io.connect(aws);
    const started = await ports.orchestrator.start(execution, request);
    if (started.duplicate) {
      io.err(`A rollout named ${execution} already exists: ${started.executionArn}`);
      return exitCodes.failed;
    }
    io.out(`Started rollout ${execution}: ${started.executionArn}`);
    return waiting ? waitForOutcome(execution, started.executionArn, ports, io, waiting) : exitCodes.ok;
  },

  async status(args, io) {
    const { positionals, values } = parse(
      args,
      { watch: { type: 'boolean' }, wait: { type: 'boolean' }, interval: { type: 'string' }, timeout: { type: 'string' } },
      { min: 0, max: 1 },
    );
    const id = positionals[0] === undefined ? undefined : rolloutId(positionals[0]);
    if (values.wait && values.watch) throw new UsageError('give --watch or --wait, not both');
    if (values.wait && !id) throw new UsageError('--wait needs a <rollout-id>');
    const aws = awsSettings(values, ['table']);
    const waiting = waitOptions(values, '10s');
    const intervalSeconds = durationSeconds(values.interval ?? '5s', '--interval');
    const ports = await io.connect(aws);
    if (id && waiting) {
      const record = await ports.registry.getRollout(id);
      const executionArn = record?.executionArn ?? (aws.stateMachineArn ? executionArnOf(aws.stateMachineArn, id) : undefined);
      if (!executionArn) {
        io.err(`No rollout ${id} in the registry; give --state-machine-arn to wait for one that is still starting`);
        return exitCodes.failed;
      }
      return waitForOutcome(id, executionArn, ports, io, waiting);
    }
    const executionOf = async (record: RolloutRecord) => (await ports.execution(record.executionArn))?.status ?? 'MISSING';
    const frame = async (): Promise<Frame> => {
      const header = timestamp(io.now());
      if (id) {
        const record = await ports.registry.getRollout(id);
        if (!record) throw new ResourceMissingError(`No rollout ${id} in the registry`);
        return { lines: [header, `  ${rolloutLine(record, await executionOf(record))}`], active: isActivePhase(record.phase) };
      }
      const rollouts = await ports.registry.activeRollouts();
      const lines = [`${header}  ${rollouts.length} active rollout(s)`];
      for (const record of rollouts) lines.push(`  ${rolloutLine(record, await executionOf(record))}`);
      return { lines, active: rollouts.length > 0 };
    };
    if (values.watch) return watch(frame, intervalSeconds, io);
    for (const line of (await frame()).lines) io.out(line);
    return exitCodes.ok;
  },

  async list(args, io) {
    const { values } = parse(args, { all: { type: 'boolean' }, since: { type: 'string' } }, { min: 0, max: 0 });
    const aws = awsSettings(values, ['table']);
    const from = values.since === undefined ? undefined : since(values.since, io.now());
    const ports = await io.connect(aws);
    const active = (await ports.registry.activeRollouts()).reverse();
    const ended = values.all || from ? await ports.registry.endedRollouts(from) : [];
    const rollouts = [...active, ...ended];
    if (rollouts.length === 0) {
      io.out(from ? `No active rollouts, and none ended since ${timestamp(from)}` : values.all ? 'No rollouts in the registry' : 'No active rollouts');
      return exitCodes.ok;
    }
    const rows = rollouts.map((record) => [
      record.rolloutId,
      `${record.cluster}/${record.service}`,
      record.phase,
      // A rollback restores the route: the canary's last weight is history, not what it serves.
      isActivePhase(record.phase) || record.phase === rolloutPhases.promoted ? `${record.canaryWeight} %` : `(was ${record.canaryWeight} %)`,
      timestamp(record.startedAt),
      record.endedAt ? timestamp(record.endedAt) : '-',
      record.outcome ?? '',
    ]);
    for (const line of table(['ROLLOUT', 'SERVICE', 'PHASE', 'CANARY', 'STARTED', 'ENDED', 'OUTCOME'], rows)) io.out(line.trimEnd());
    return exitCodes.ok;
  },

  async describe(args, io) {
    const { positionals, values } = parse(args, {}, { min: 1, max: 1 });
    const id = rolloutId(positionals[0] as string);
    const aws = awsSettings(values, ['table']);
    const ports = await io.connect(aws);
    const record = await ports.registry.getRollout(id);
    const executionArn = record?.executionArn ?? (aws.stateMachineArn ? executionArnOf(aws.stateMachineArn, id) : undefined);
    const execution = executionArn === undefined ? undefined : await ports.execution(executionArn);
    if (!record && !execution) {
      io.err(`No rollout ${id}: not in the registry${executionArn ? ', and Step Functions has no execution of that name' : '; give --state-machine-arn to look for its execution'}`);
      return exitCodes.failed;
    }
    io.out(`Rollout ${id}: ${record?.phase ?? `not in the registry (its record expired), execution ${execution?.status}`}`);
    const field = (name: string, value: string | undefined) => {
      if (value) io.out(`  ${name.padEnd(11)} ${value}`);
    };
    if (record) {
      field('service', `${record.cluster}/${record.service}, task definition ${record.taskDefinitionArn}`);
      field('traffic', traffic(record));
      field('canary', `${record.canaryNode} at ${record.canaryWeight} % (step ${record.stepIndex + 1}), stable ${record.stableNode}`);
      field('started', timestamp(record.startedAt));
      field('ended', record.endedAt && `${timestamp(record.endedAt)} (${duration((Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000)} after it started)`);
      field('outcome', record.outcome);
    }
    if (execution && executionArn) {
      field('execution', howItEnded(execution));
      field('arn', executionArn);
      field('console', executionLink(executionArn));
      const timeline = rolloutTimeline(await ports.executionHistory(executionArn));
      const first = timeline[0]?.at.getTime() ?? 0;
      io.out('Timeline:');
      for (const entry of timeline) io.out(`  ${timestamp(entry.at)}  +${duration((entry.at.getTime() - first) / 1000).padEnd(8)}  ${entry.text}`);
    }
    return exitCodes.ok;
  },

  pause: operatorCommand((id, ports) => requestPause(id, ports)),
  resume: operatorCommand((id, ports) => requestResume(id, ports)),
  promote: operatorCommand((id, ports, values) => requestPromote(id, { full: Boolean(values.full) }, ports)),
  abort: operatorCommand((id, ports) => requestAbort(id, ports)),
};

/** Errors whose message is the whole story for an operator: no error class name in front. */
function speaksForItself(error: unknown): boolean {
  return [InvalidInputError, PolicyInvalidError, ResourceMissingError, OperatorRequestRefusedError].some((type) => error instanceof type);
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--version' || command === '-v') {
    io.out(version);
    return exitCodes.ok;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(help[''] as string);
    return command ? exitCodes.ok : exitCodes.usage;
  }
  const run = commands[command];
  if (!run) {
    io.err(`Unknown command "${command}".\n\n${help['']}`);
    return exitCodes.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help[command] as string);
    return exitCodes.ok;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`meshshift ${command}: ${error.message}\nRun "meshshift ${command} --help" for its options.`);
      return exitCodes.usage;
    }
    io.err(`meshshift ${command}: ${speaksForItself(error) ? (error as Error).message : `${(error as Error).name}: ${describeError(error)}`}`);
    return exitCodes.failed;
  }
}
