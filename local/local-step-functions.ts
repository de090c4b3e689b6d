import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/** One entry of the engine's event log (the package does not export its type). */
export type EventLog = { type: string; timestamp: number; state?: { name: string; type: string }; Error?: string; Cause?: unknown };

/** A Lambda handler as the local engine calls it: the task's input, and a context. */
export type LocalLambda = (event: unknown, context: unknown) => Promise<unknown>;

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
  /** Logical function id (e.g. ShiftTrafficFunction) to its in-process handler. */
  functions: Record<string, LocalLambda>;
  /**
   * Time compression: called with each task's result; the Wait durations (ms) it returns
   * apply from then on in that execution. The engine reads them only when a Wait starts.
   */
  waitMillisecondsAfter?: (stateName: string, result: unknown) => Record<string, number> | undefined;
  /** Milliseconds between retries, instead of the ASL's seconds. */
  retryIntervalMilliseconds?: number;
}

interface PendingTask {
  executionName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

const placeholder = /^\$\{(\w+)Arn\}$/;

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Step Functions on this machine: the real ASL run by aws-local-stepfunctions, each Lambda
 * task mapped to our real handler in-process, behind the SFN client's `send` so handlers
 * that start executions, resume task tokens or stop executions work unchanged.
 */
export class LocalStepFunctions {
  readonly executions = new Map<string, LocalExecution>();
  private readonly pendingTasks = new Map<string, PendingTask>();
  private readonly definition: StateMachineDefinition;
  private readonly aborters = new Map<string, () => void>();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    const resolved = options.definitionText.replace(/\$\{(\w+)Arn\}/g, (_, logicalId: string) => `arn:aws:lambda:us-west-2:111122223333:function:${logicalId}`);
    this.definition = JSON.parse(resolved) as StateMachineDefinition;
  }

  /** The `send` to put on an SFNClient. */
  send = async (command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> => {
    const input = command.input;
    switch (command.constructor.name) {
      case 'StartExecutionCommand':
        return this.startExecution(String(input.name ?? randomUUID()), String(input.input ?? '{}'));
      case 'SendTaskSuccessCommand':
        return this.settleTask(String(input.taskToken), (task) => task.resolve(JSON.parse(String(input.output ?? '{}'))));
      case 'SendTaskFailureCommand':
        return this.settleTask(String(input.taskToken), (task) => task.reject(lambdaError(String(input.error ?? 'TaskFailed'), String(input.cause ?? ''))));
      case 'StopExecutionCommand':
        return this.stopExecution(String(input.executionArn), input.error as string | undefined, input.cause as string | undefined);
      case 'DescribeExecutionCommand':
        return this.describeExecution(String(input.executionArn));
      default:
        throw new Error(`The local Step Functions does not implement ${command.constructor.name}`);
    }
  };

  executionArnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Resolves when the named execution has ended. */
  async waitFor(name: string): Promise<LocalExecution> {
    const execution = this.executions.get(name);
    if (!execution) throw new Error(`No local execution named ${name}`);
    return execution.done;
  }

  private async startExecution(name: string, input: string) {
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.executionArn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.executionArn}'`, $metadata: { httpStatusCode: 400 } });
    }
    const executionArn = this.executionArnOf(name);
    const startDate = new Date();
    const parsedInput = JSON.parse(input) as Record<string, unknown>;
    const machine = new StateMachine(this.definition, { validationOptions: { checkArn: true, checkPaths: true } });
    const waits: Record<string, number> = {};
    const retryInterval = this.options.retryIntervalMilliseconds;
    const retryIntervalOverrides =
      retryInterval === undefined ? undefined : Object.fromEntries(Object.keys(this.definition.States).map((state) => [state, retryInterval]));
    const run = machine.run(parsedInput as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(name, waits), waitTimeOverrides: waits, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString(), Input: parsedInput as Parameters<StateMachine['run']>[0] },
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
    this.aborters.set(executionArn, run.abort);
    return { executionArn, startDate };
  }

  private async follow(execution: LocalExecution, run: ReturnType<StateMachine['run']>): Promise<LocalExecution> {
    const collecting = (async () => {
      for await (const event of run.eventLogs) execution.events.push(event as EventLog);
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
    execution.stopDate ??= new Date();
    for (const [token, task] of this.pendingTasks) {
      if (task.executionName === execution.name) {
        this.pendingTasks.delete(token);
        task.reject(lambdaError('States.Runtime', 'execution ended'));
      }
    }
    return execution;
  }

  private taskHandlers(executionName: string, waits: Record<string, number>): Record<string, (input: unknown) => Promise<never>> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [stateName, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      const waitsForToken = state.Resource.endsWith('.waitForTaskToken');
      const functionArn = waitsForToken ? String((state.Parameters as Record<string, unknown>).FunctionName) : state.Resource;
      const logicalId = functionArn.split(':').pop() ?? '';
      const lambda = this.options.functions[logicalId] ?? this.options.functions[logicalId.replace(placeholder, '$1')];
      if (!lambda) throw new Error(`No local handler for ${logicalId} (state "${stateName}")`);
      const context = { functionName: logicalId, functionVersion: '$LATEST', invokedFunctionArn: functionArn, memoryLimitInMB: '256', getRemainingTimeInMillis: () => 30_000 };
      handlers[stateName] = async (input: unknown) => {
        const invocation = { ...context, awsRequestId: randomUUID() };
        const result = waitsForToken
          ? await this.invokeWithToken(executionName, lambda, input as { Payload: Record<string, unknown> }, invocation)
          : await lambda(input, invocation);
        Object.assign(waits, this.options.waitMillisecondsAfter?.(stateName, result));
        return result as never;
      };
    }
    return handlers;
  }

  /** `.waitForTaskToken`: invoke the function with a fresh token, then park until someone settles it. */
  private async invokeWithToken(executionName: string, lambda: LocalLambda, input: { Payload: Record<string, unknown> }, context: unknown): Promise<unknown> {
    const taskToken = `${executionName}:${randomUUID()}`;
    const settled = new Promise<unknown>((resolve, reject) => this.pendingTasks.set(taskToken, { executionName, resolve, reject }));
    try {
      await lambda({ ...input.Payload, taskToken }, context);
    } catch (error) {
      this.pendingTasks.delete(taskToken);
      throw error;
    }
    return settled;
  }

  private settleTask(taskToken: string, settle: (task: PendingTask) => void): Record<string, never> {
    const task = this.pendingTasks.get(taskToken);
    if (!task) {
      const known = [...this.executions.keys()].some((name) => taskToken.startsWith(`${name}:`));
      const message = `Task token ${taskToken} is not waiting`;
      throw known
        ? new TaskTimedOut({ message, $metadata: { httpStatusCode: 400 } })
        : new InvalidToken({ message, $metadata: { httpStatusCode: 400 } });
    }
    this.pendingTasks.delete(taskToken);
    settle(task);
    return {};
  }

  private stopExecution(executionArn: string, error?: string, cause?: string) {
    const execution = [...this.executions.values()].find((candidate) => candidate.executionArn === executionArn);
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution ${executionArn} does not exist`, $metadata: { httpStatusCode: 400 } });
    const stopDate = new Date();
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.error = error;
      execution.cause = cause;
      execution.stopDate = stopDate;
      this.aborters.get(executionArn)?.();
    }
    return { stopDate };
  }

  private describeExecution(executionArn: string) {
    const execution = [...this.executions.values()].find((candidate) => candidate.executionArn === executionArn);
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution ${executionArn} does not exist`, $metadata: { httpStatusCode: 400 } });
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
