import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionState, Orchestrator } from '../ports/orchestrator';
import { callAws, errorName } from './aws-error';

/** Tokens and executions that already ended: at-least-once events make these normal. */
const alreadyEnded = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken', 'ExecutionDoesNotExist']);

/** Step Functions as an Orchestrator for one state machine. */
export class StepFunctionsOrchestrator implements Orchestrator {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: unknown): Promise<{ executionArn: string; duplicate: boolean }> {
    try {
      const output = await callAws(`StartExecution ${name}`, () =>
        this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) })),
      );
      return { executionArn: output.executionArn ?? this.executionArn(name), duplicate: false };
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
      return { executionArn: this.executionArn(name), duplicate: true };
    }
  }

  async resumeTask(taskToken: string, output: unknown): Promise<void> {
    await this.ignoringEnded(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })), 'SendTaskSuccess');
  }

  async failTask(taskToken: string, error: string, cause: string): Promise<void> {
    await this.ignoringEnded(() => this.client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) })), 'SendTaskFailure');
  }

  async stop(executionArn: string, error: string, cause: string): Promise<void> {
    await this.ignoringEnded(() => this.client.send(new StopExecutionCommand({ executionArn, error, cause: cause.slice(0, 32_768) })), 'StopExecution');
  }

  async stateOf(executionArn: string): Promise<ExecutionState> {
    try {
      const output = await callAws(`DescribeExecution ${executionArn}`, () => this.client.send(new DescribeExecutionCommand({ executionArn })));
      return (output.status ?? 'MISSING') as ExecutionState;
    } catch (error) {
      if (errorName(error) === 'ExecutionDoesNotExist') return 'MISSING';
      throw error;
    }
  }

  async runningExecutions(): Promise<Array<{ name: string; executionArn: string }>> {
    const running: Array<{ name: string; executionArn: string }> = [];
    let nextToken: string | undefined;
    do {
      const output = await callAws('ListExecutions RUNNING', () =>
        this.client.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken })),
      );
      for (const execution of output.executions ?? []) if (execution.name && execution.executionArn) running.push({ name: execution.name, executionArn: execution.executionArn });
      nextToken = output.nextToken;
    } while (nextToken);
    return running;
  }

  private executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  private async ignoringEnded(call: () => Promise<unknown>, description: string): Promise<void> {
    try {
      await callAws(description, call);
    } catch (error) {
      if (!alreadyEnded.has(errorName(error))) throw error;
    }
  }
}
