import './promise-with-resolvers';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { StateMachine as StateMachineClass, StateMachineDefinition } from 'aws-local-stepfunctions';
import { executionHistory } from './execution-history';
import type { VirtualClock } from './virtual-clock';

/** One entry of the engine's event log (the package does not export its type). */
export type EventLog = { type: string; timestamp: number; state?: { name: string; type: string; input?: unknown; output?: unknown }; Error?: string; Cause?: unknown };

/** A Lambda function as the local stack invokes it: the task's input in, its result out. */
export type LocalInvoke = (logicalId: string, payload: unknown) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LocalExecution {
  name: string;
  executionArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The engine's event log: one StateEntered per state transition, one StateRetried per retry. */
  events: EventLog[];
  done: Promise<LocalExecution>;
}

export interface LocalStepFunctionsOptions {
  /** The ASL text with `${...}` placeholders, as template.yaml's DefinitionUri holds it. */
  definitionText: string;
  stateMachineArn: string;
  /** Runs a Lambda task: the logical function id (e.g. ShiftTrafficFunction) and its payload. */
  invoke: LocalInvoke;
  clock: VirtualClock;
  /** Draws the retry jitter (`JitterStrategy: FULL`), so a seed replays it. */
  random: () => number;
}

interface PendingTask {
  executionName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/** AWS's default for a Task without TimeoutSeconds; the engine's own default, 60 s, is not what AWS does. */
const awsDefaultTaskTimeoutSeconds = 99_999_999;

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The clock and random of the stack whose executions the engine runs now; a process runs one stack at a time. */
let engineTime: { clock: VirtualClock; random: () => number } | undefined;
let engine: { StateMachine: typeof StateMachineClass } | undefined;
/** Validating the ASL costs more than a short run: one machine per definition, per process. */
const machines = new Map<string, StateMachineClass>();

const time = () => {
  if (!engineTime) throw new Error('No local stack is running the state machine engine');
  return engineTime;
};

/**
 * aws-local-stepfunctions reads timers, the date and randomness from globals. It is loaded the
 * way Node loads any CommonJS module, with those names bound to the current stack's clock and
 * seeded random instead, so Waits, retries, timeouts and event times all run on simulated time.
 * `Function` and `require` are this module's own, so under jest the engine's objects share the
 * test's realm (its plain-object checks compare prototypes).
 */
function engineOnClock(clock: VirtualClock, random: () => number): { StateMachine: typeof StateMachineClass } {
  engineTime = { clock, random };
  if (engine) return engine;
  const path = require.resolve('aws-local-stepfunctions');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engineRequire = (id: string): unknown => require(require.resolve(id, { paths: [dirname(path)] }));
  const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'setTimeout', 'clearTimeout', 'Date', 'Math', readFileSync(path, 'utf8'));
  const module = { exports: {} as { StateMachine: typeof StateMachineClass } };
  const CurrentDate = new Proxy(Date, {
    construct: (_, args: unknown[]) => new (time().clock.Date as unknown as new (...values: unknown[]) => Date)(...args),
    get: (target, key) => (key === 'now' ? () => time().clock.now() : Reflect.get(target, key)),
  });
  const seededMath = Object.create(Math, { random: { value: () => time().random() } }) as Math;
  const setTimer = (callback: () => void, ms?: number) => time().clock.setTimeout(callback, ms);
  const clearTimer = (handle: Parameters<VirtualClock['clearTimeout']>[0]) => time().clock.clearTimeout(handle);
  wrapper(module.exports, engineRequire, module, path, dirname(path), setTimer, clearTimer, CurrentDate, seededMath);
  engine = module.exports;
  return engine;
}

/** The definition as AWS would run it: every Task gets AWS's default timeout unless it sets one. */
function withAwsTaskTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  for (const state of Object.values(definition.States)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = awsDefaultTaskTimeoutSeconds;
    }
  }
  return definition;
}

/**
 * Step Functions on this machine: the real ASL run by aws-local-stepfunctions on the stack's
 * clock, each Lambda task handed to the stack's Lambda model, behind the SFN client's `send`
 * so handlers that start executions, resume task tokens or stop executions work unchanged.
 */
export class LocalStepFunctions {
  readonly executions = new Map<string, LocalExecution>();
  private readonly executionsByArn = new Map<string, LocalExecution>();
  /** Every API call made to this Step Functions, by operation name: what AWS would bill or throttle. */
  readonly calls: string[] = [];
  private readonly pendingTasks = new Map<string, PendingTask>();
  private readonly definition: StateMachineDefinition;
  /** Built once per process: validating the ASL per execution cost 46 % of the CPU at 300 rollouts. */
  private readonly machine: StateMachineClass;
  private readonly aborters = new Map<string, () => void>();
  private readonly startListeners = new Set<(execution: LocalExecution) => void>();
  private readonly eventListeners = new Set<(execution: LocalExecution, event: EventLog) => void>();
  private readonly endListeners = new Set<(execution: LocalExecution) => void>();
  private tokenCounter = 0;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    const resolved = options.definitionText.replace(/\$\{(\w+)Arn\}/g, (_, logicalId: string) => `arn:aws:lambda:us-west-2:111122223333:function:${logicalId}`);
    this.definition = withAwsTaskTimeouts(JSON.parse(resolved) as StateMachineDefinition);
    const { StateMachine } = engineOnClock(options.clock, options.random);
    let machine = machines.get(resolved);
    if (!machine) {
      machine = new StateMachine(this.definition, { validationOptions: { checkArn: true, checkPaths: true } });
      machines.set(resolved, machine);
    }
    this.machine = machine;
  }

  /** The `send` to put on an SFNClient. */
  send = async (command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> => {
    const input = command.input;
    this.calls.push(command.constructor.name.replace(/Command$/, ''));
    switch (command.constructor.name) {
      case 'StartExecutionCommand':
        return this.startExecution(String(input.name ?? `execution-${this.executions.size + 1}`), String(input.input ?? '{}'));
      case 'SendTaskSuccessCommand':
        return this.settleTask(String(input.taskToken), (task) => task.resolve(JSON.parse(String(input.output ?? '{}'))));
      case 'SendTaskFailureCommand':
        return this.settleTask(String(input.taskToken), (task) => task.reject(lambdaError(String(input.error ?? 'TaskFailed'), String(input.cause ?? ''))));
      case 'StopExecutionCommand':
        return this.stopExecution(String(input.executionArn), input.error as string | undefined, input.cause as string | undefined);
      case 'DescribeExecutionCommand':
        return this.describeExecution(String(input.executionArn));
      case 'GetExecutionHistoryCommand':
        return executionHistory(this.existing(String(input.executionArn)), this.definition.States);
      case 'ListExecutionsCommand':
        return {
          executions: [...this.executions.values()]
            .filter((execution) => input.statusFilter === undefined || execution.status === input.statusFilter)
            .map((execution) => ({ executionArn: execution.executionArn, name: execution.name, status: execution.status, startDate: execution.startDate })),
        };
      default:
        throw new Error(`The local Step Functions does not implement ${command.constructor.name}`);
    }
  };

  executionArnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Calls `listener` with every execution as it starts. */
  onStart(listener: (execution: LocalExecution) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Calls `listener` with every entry of every execution's event log as it happens. */
  onEvent(listener: (execution: LocalExecution, event: EventLog) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Calls `listener` with every execution once it has ended, as Step Functions' status-change event would. */
  onEnd(listener: (execution: LocalExecution) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Whether any execution is still running. */
  get running(): boolean {
    return [...this.executions.values()].some((execution) => execution.status === 'RUNNING');
  }

  private startExecution(name: string, input: string) {
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.executionArn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.executionArn}'`, $metadata: { httpStatusCode: 400 } });
    }
    const executionArn = this.executionArnOf(name);
    const startDate = new this.options.clock.Date();
    const parsedInput = JSON.parse(input) as Parameters<StateMachineClass['run']>[0];
    const run = this.machine.run(parsedInput, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(name) },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString(), Input: parsedInput },
        StateMachine: { Id: this.options.stateMachineArn, Name: this.options.stateMachineArn.split(':').pop() },
        Task: { Token: 'replaced-per-task' },
      },
    });
    const execution: LocalExecution = {
      name,
      executionArn,
      input,
      status: 'RUNNING',
      startDate,
      events: [],
      done: undefined as unknown as Promise<LocalExecution>,
    };
    execution.done = this.follow(execution, run);
    this.executions.set(name, execution);
    this.executionsByArn.set(executionArn, execution);
    this.aborters.set(executionArn, run.abort);
    for (const listener of [...this.startListeners]) listener(execution);
    return { executionArn, startDate };
  }

  private async follow(execution: LocalExecution, run: ReturnType<StateMachineClass['run']>): Promise<LocalExecution> {
    const collecting = (async () => {
      for await (const event of run.eventLogs) {
        execution.events.push(event as EventLog);
        for (const listener of [...this.eventListeners]) listener(execution, event as EventLog);
      }
    })();
    let failure: Error | undefined;
    try {
      execution.output = await run.result;
      execution.status = 'SUCCEEDED';
    } catch (error) {
      failure = error as Error;
    }
    await collecting;
    if (failure && execution.status === 'RUNNING') {
      const failed = execution.events.findLast((event) => event.type === 'ExecutionFailed');
      execution.status = failure.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      execution.error = failed?.Error ?? failure.name;
      execution.cause = String(failed?.Cause ?? failure.message);
    }
    execution.stopDate ??= new this.options.clock.Date();
    for (const [token, task] of this.pendingTasks) {
      if (task.executionName === execution.name) {
        this.pendingTasks.delete(token);
        task.reject(lambdaError('States.Runtime', 'execution ended'));
      }
    }
    for (const listener of [...this.endListeners]) listener(execution);
    return execution;
  }

  private taskHandlers(executionName: string): Record<string, (input: unknown) => Promise<never>> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [stateName, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      const waitsForToken = state.Resource.endsWith('.waitForTaskToken');
      const functionArn = waitsForToken ? String((state.Parameters as Record<string, unknown>).FunctionName) : state.Resource;
      const logicalId = functionArn.split(':').pop() ?? '';
      handlers[stateName] = async (input: unknown) => {
        const result = waitsForToken
          ? await this.invokeWithToken(executionName, logicalId, input as { Payload: Record<string, unknown> })
          : await this.options.invoke(logicalId, input);
        return result as never;
      };
    }
    return handlers;
  }

  /** `.waitForTaskToken`: invoke the function with a fresh token, then park until someone settles it. */
  private async invokeWithToken(executionName: string, logicalId: string, input: { Payload: Record<string, unknown> }): Promise<unknown> {
    this.tokenCounter += 1;
    const taskToken = `${executionName}:token-${this.tokenCounter}`;
    const settled = new Promise<unknown>((resolve, reject) => this.pendingTasks.set(taskToken, { executionName, resolve, reject }));
    // The execution may end while the function is still being invoked; its rejection is awaited below, or moot.
    settled.catch(() => undefined);
    try {
      await this.options.invoke(logicalId, { ...input.Payload, taskToken });
    } catch (error) {
      this.pendingTasks.delete(taskToken);
      throw error;
    }
    return settled;
  }

  private settleTask(taskToken: string, settle: (task: PendingTask) => void): Record<string, never> {
    const task = this.pendingTasks.get(taskToken);
    if (!task) {
      const known = this.executions.has(taskToken.slice(0, taskToken.lastIndexOf(':token-')));
      const message = `Task token ${taskToken} is not waiting`;
      throw known
        ? new TaskTimedOut({ message, $metadata: { httpStatusCode: 400 } })
        : new InvalidToken({ message, $metadata: { httpStatusCode: 400 } });
    }
    this.pendingTasks.delete(taskToken);
    settle(task);
    return {};
  }

  /** Ends a running execution as Step Functions does at its TimeoutSeconds, whatever state it is in. */
  timeOut(executionArn: string): void {
    this.end(executionArn, 'TIMED_OUT', 'States.Timeout', 'The execution timed out');
  }

  private stopExecution(executionArn: string, error?: string, cause?: string) {
    return this.end(executionArn, 'ABORTED', error, cause);
  }

  private existing(executionArn: string): LocalExecution {
    const execution = this.executionsByArn.get(executionArn);
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution ${executionArn} does not exist`, $metadata: { httpStatusCode: 400 } });
    return execution;
  }

  private end(executionArn: string, status: 'ABORTED' | 'TIMED_OUT', error?: string, cause?: string) {
    const execution = this.existing(executionArn);
    const stopDate = new this.options.clock.Date();
    if (execution.status === 'RUNNING') {
      execution.status = status;
      execution.error = error;
      execution.cause = cause;
      execution.stopDate = stopDate;
      this.aborters.get(executionArn)?.();
    }
    return { stopDate };
  }

  private describeExecution(executionArn: string) {
    const execution = this.existing(executionArn);
    return {
      executionArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate,
      input: execution.input,
      output: execution.output === undefined ? undefined : JSON.stringify(execution.output),
      error: execution.error,
      cause: execution.cause,
    };
  }
}
