import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { Orchestrator } from '../ports/orchestrator';
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
