import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError, InvalidInputError, PolicyInvalidError } from '../functions/shared/domain/errors';
import { executionNameForManualRollout } from '../functions/shared/domain/execution-name';
import { parsePolicy, type Policy } from '../functions/shared/domain/policy';
import { isActivePhase, rolloutPhases } from '../functions/shared/domain/rollout-phase';
import { parseStartRequest } from '../functions/shared/domain/rollout';
import { dollarsPerTransition, estimatedTransitions, planSteps, plannedDurationSeconds, worstCaseDurationSeconds } from '../functions/shared/domain/schedule';
import { abortRollout } from '../functions/shared/use-cases/handle-alarm';
import type { AwsSettings, CliPorts } from './cli-ports';

/** 0: done. 1: the operation failed or the input is invalid. 2: the command line is wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Builds the AWS-facing ports; called only after the input was validated. */
  connect: (settings: AwsSettings) => CliPorts;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const awsOptions = {
  region: { type: 'string' },
  table: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const help: Record<string, string> = {
  '': `Usage: meshshift <command> [options]

Commands:
  validate <policy.json>   check a policy file and say what is wrong
  plan <policy.json>       show a policy's steps, timing, state transitions and cost
  start                    start a manual rollout (validated before any AWS call)
  status [--watch]         active rollouts from the registry and Step Functions
  promote <rollout-id>     promote at the next health check
  abort <rollout-id>       roll back now, as an alarm would

Run "meshshift <command> --help" for a command's options. AWS access uses the default
credential chain; --region, --table (or MESHSHIFT_TABLE) and --state-machine-arn
(or MESHSHIFT_STATE_MACHINE_ARN) say which deployment of meshshift to talk to.
Exit codes: 0 done, 1 failed or invalid input, 2 wrong command line.`,
  validate: 'Usage: meshshift validate <policy.json>\n\nValidates a rollout policy; prints every mistake with its field path.',
  plan: 'Usage: meshshift plan <policy.json> [--deploys]\n\nPrints each step with its start time, the total duration, the state transitions and the cost.\n  --deploys   the manual rollout names a task definition (one more state)',
  start: `Usage: meshshift start --cluster NAME --service NAME [--task-definition TD] [--policy FILE] [--name NAME]
                      --state-machine-arn ARN [--region REGION]

Starts a manual rollout. With --task-definition meshshift deploys it to the service; with
--policy the file replaces the policy the service's meshshift:policy tag names.`,
  status: 'Usage: meshshift status --table NAME [--state-machine-arn ARN] [--watch] [--interval SECONDS] [--count N] [--region REGION]\n\nLists active rollouts: service, phase, canary weight, step, execution status.',
  promote: 'Usage: meshshift promote <rollout-id> --table NAME [--region REGION]\n\nAsks the rollout to promote at its next health check (the bake in progress finishes first).',
  abort: 'Usage: meshshift abort <rollout-id> --table NAME --state-machine-arn ARN [--region REGION]\n\nRolls the rollout back now: routes restored exactly, canary retired, execution stopped.',
};

function parse<Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...awsOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!(parsed.values as { help?: boolean }).help && parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${positionals} argument(s), got ${parsed.positionals.length}`);
  }
  return parsed;
}

function settings(values: { region?: string; table?: string; 'state-machine-arn'?: string }, need: Array<'table' | 'state-machine-arn'>): AwsSettings {
  const tableName = values.table ?? process.env.MESHSHIFT_TABLE ?? '';
  const stateMachineArn = values['state-machine-arn'] ?? process.env.MESHSHIFT_STATE_MACHINE_ARN ?? '';
  if (need.includes('table') && !tableName) throw new UsageError('--table (or MESHSHIFT_TABLE) is required');
  if (need.includes('state-machine-arn') && !/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:.+/.test(stateMachineArn)) {
    throw new UsageError('--state-machine-arn (or MESHSHIFT_STATE_MACHINE_ARN) must be a Step Functions state machine ARN');
  }
  return { region: values.region, tableName, stateMachineArn };
}

function readPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`Cannot read policy file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parsePolicy(text, path);
}

function clock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return `${hours > 0 ? `${hours}h` : ''}${String(minutes).padStart(hours > 0 ? 2 : 1, '0')}m${String(rest).padStart(2, '0')}s`;
}

type Command = (args: string[], io: CliIo) => Promise<number>;

const commands: Record<string, Command> = {
  async validate(args, io) {
    const { positionals } = parse(args, {}, 1);
    const policy = readPolicyFile(positionals[0] as string);
    const plan = planSteps(policy);
    const where = policy.provider === 'lattice' ? `Lattice service ${policy.service}, stable ECS service ${policy.stableService}` : `mesh ${policy.mesh}, router ${policy.virtualRouter}`;
    io.out(`${positionals[0]} is valid: ${where}, route(s) ${policy.routes.join(', ')}; steps ${plan.weights.join(' → ')} %, bake ${plan.bakeSeconds} s; alarms ${policy.alarms.join(', ') || '(none)'}`);
    return exitCodes.ok;
  },

  async plan(args, io) {
    const { positionals, values } = parse(args, { deploys: { type: 'boolean' } }, 1);
    const policy = readPolicyFile(positionals[0] as string);
    const plan = planSteps(policy);
    const settles = plan.settleSeconds > 0;
    io.out(`step  canary  starts at  ${settles ? 'settle  ' : ''}bake`);
    plan.weights.forEach((weight, index) => {
      const settle = settles ? `${`${plan.settleSeconds} s`.padEnd(6)}  ` : '';
      io.out(`${String(index + 1).padStart(4)}  ${String(weight).padStart(4)} %  ${clock(index * (plan.settleSeconds + plan.bakeSeconds)).padStart(9)}  ${settle}${plan.bakeSeconds} s`);
    });
    const healthy = plannedDurationSeconds(plan, policy.promotion.drainSeconds);
    const transitions = estimatedTransitions(plan.weights.length, Boolean(values.deploys));
    io.out(`duration: ${clock(healthy)} after the canary tasks are up (at most ${clock(worstCaseDurationSeconds(policy))} with the deployment wait and tolerated re-checks)`);
    io.out(`state transitions: ${transitions} for a healthy rollout (4 per step); $${(transitions * dollarsPerTransition).toFixed(6)} per rollout, $${(transitions * dollarsPerTransition * 1000).toFixed(2)} per 1,000 rollouts`);
    return exitCodes.ok;
  },

  async start(args, io) {
    const { values } = parse(
      args,
      { cluster: { type: 'string' }, service: { type: 'string' }, 'task-definition': { type: 'string' }, policy: { type: 'string' }, name: { type: 'string' } },
      0,
    );
    const aws = settings(values, ['state-machine-arn']);
    const request = parseStartRequest({
      cluster: values.cluster,
      service: values.service,
      taskDefinition: values['task-definition'],
      policy: values.policy === undefined ? undefined : readPolicyFile(values.policy),
    });
    const name = values.name ?? executionNameForManualRollout(request.service, io.now().toISOString().replace(/[:.]/g, '-'));
    const started = await io.connect(aws).orchestrator.start(name, request);
    if (started.duplicate) {
      io.err(`A rollout named ${name} already exists: ${started.executionArn}`);
      return exitCodes.failed;
    }
    io.out(`Started rollout ${name}: ${started.executionArn}`);
    return exitCodes.ok;
  },

  async status(args, io) {
    const { values } = parse(args, { watch: { type: 'boolean' }, interval: { type: 'string' }, count: { type: 'string' } }, 0);
    const aws = settings(values, ['table']);
    const interval = Number(values.interval ?? '5');
    const count = values.count === undefined ? (values.watch ? Infinity : 1) : Number(values.count);
    if (!(interval > 0) || !(count >= 1)) throw new UsageError('--interval and --count must be positive numbers');
    const ports = io.connect(aws);
    for (let round = 0; round < count; round++) {
      if (round > 0) await io.sleep(interval * 1000);
      const rollouts = await ports.registry.activeRollouts();
      io.out(`${io.now().toISOString()}  ${rollouts.length} active rollout(s)`);
      for (const rollout of rollouts) {
        const execution = aws.stateMachineArn ? await ports.executionStatus(rollout.executionArn).catch(() => 'UNKNOWN') : '-';
        io.out(`  ${rollout.rolloutId}  ${rollout.cluster}/${rollout.service}  ${rollout.phase}  canary ${rollout.canaryNode} at ${rollout.canaryWeight} %  step ${rollout.stepIndex + 1}  execution ${execution}`);
      }
    }
    return exitCodes.ok;
  },

  async promote(args, io) {
    const { positionals, values } = parse(args, {}, 1);
    const ports = io.connect(settings(values, ['table']));
    const rolloutId = positionals[0] as string;
    const updated = await ports.registry.updateRollout(rolloutId, { operatorRequest: 'promote' }, [rolloutPhases.waitingForCanary, rolloutPhases.shifting]);
    if (!updated) {
      const record = await ports.registry.getRollout(rolloutId);
      io.err(record ? `Rollout ${rolloutId} is ${record.phase}; only a rollout that is waiting or shifting can be promoted` : `No rollout ${rolloutId} in the registry`);
      return exitCodes.failed;
    }
    io.out(`Rollout ${rolloutId} will promote at its next health check`);
    return exitCodes.ok;
  },

  async abort(args, io) {
    const { positionals, values } = parse(args, {}, 1);
    const ports = io.connect(settings(values, ['table', 'state-machine-arn']));
    const rolloutId = positionals[0] as string;
    const record = await ports.registry.getRollout(rolloutId);
    if (!record || !isActivePhase(record.phase)) {
      io.err(record ? `Rollout ${rolloutId} already ended: ${record.phase}` : `No rollout ${rolloutId} in the registry`);
      return exitCodes.failed;
    }
    const report = await abortRollout(rolloutId, 'aborted by an operator with meshshift abort', 'RolloutAbortedError', ports);
    io.out(`Rollout ${rolloutId} rolled back; routes restored: ${report.restoredRoutes.join(', ') || 'none needed'}${report.editedRoutes.length ? `; left as edited: ${report.editedRoutes.join(', ')}` : ''}`);
    return exitCodes.ok;
  },
};

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
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
      io.err(`meshshift ${command}: ${error.message}\n\n${help[command]}`);
      return exitCodes.usage;
    }
    const invalid = error instanceof InvalidInputError || error instanceof PolicyInvalidError;
    io.err(`meshshift ${command}: ${invalid ? (error as Error).message : `${(error as Error).name}: ${describeError(error)}`}`);
    return exitCodes.failed;
  }
}
