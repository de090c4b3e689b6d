import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutionDoesNotExist, type HistoryEvent, type HistoryEventType } from '@aws-sdk/client-sfn';
import type { LocalStack } from '../../local/local-stack';
import type { EventLog, LocalExecution } from '../../local/local-step-functions';

type Send = LocalStack['stepFunctions']['send'];

const definition = JSON.parse(readFileSync(join(__dirname, '../../statemachines/rollout.asl.json'), 'utf8')) as { States: Record<string, { Resource?: string }> };

/** A service integration (`lambda:invoke.waitForTaskToken`) reports its attempts as Task events; a Lambda ARN as the Resource, as LambdaFunction events. */
function integration(stateName: string): boolean {
  return Boolean(definition.States[stateName]?.Resource?.startsWith('arn:aws:states:::'));
}

const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
const causeText = (cause: unknown) => (typeof cause === 'string' ? cause : json(cause));

/** One engine event as GetExecutionHistory shows its kind (the engine's retries and catches have no event of their own there). */
function historyEvent(event: EventLog, execution: LocalExecution): Omit<HistoryEvent, 'id'> | undefined {
  const timestamp = new Date(event.timestamp);
  const state = event.state;
  switch (event.type) {
    case 'ExecutionStarted':
      return { timestamp, type: 'ExecutionStarted', executionStartedEventDetails: { input: execution.input } };
    case 'StateEntered':
      return { timestamp, type: `${state?.type}StateEntered` as HistoryEventType, stateEnteredEventDetails: { name: state?.name, input: json(state?.input) } };
    case 'StateExited':
      return { timestamp, type: `${state?.type}StateExited` as HistoryEventType, stateExitedEventDetails: { name: state?.name ?? '', output: json(state?.output) } };
    case 'StateFailed': {
      if (state?.type !== 'Task') return undefined;
      const details = { error: event.Error, cause: causeText(event.Cause) };
      return integration(state.name)
        ? { timestamp, type: 'TaskFailed', taskFailedEventDetails: { ...details, resource: 'invoke.waitForTaskToken', resourceType: 'lambda' } }
        : { timestamp, type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: details };
    }
    case 'StateRetried':
      return integration(state?.name ?? '') ? { timestamp, type: 'TaskScheduled' } : { timestamp, type: 'LambdaFunctionScheduled' };
    case 'ExecutionSucceeded':
      return { timestamp, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(execution.output) } };
    case 'ExecutionFailed':
      return { timestamp, type: 'ExecutionFailed', executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } };
    case 'ExecutionAborted': {
      // The engine ends a stopped or timed-out execution alike, without the error and cause it was stopped with.
      const details = { error: execution.error, cause: execution.cause };
      return execution.status === 'TIMED_OUT'
        ? { timestamp, type: 'ExecutionTimedOut', executionTimedOutEventDetails: details }
        : { timestamp, type: 'ExecutionAborted', executionAbortedEventDetails: details };
    }
    default:
      return undefined;
  }
}

/**
 * The local stack's Step Functions with GetExecutionHistory, read from the engine's event log as
 * AWS would show it: a state's input and output as JSON text, a failed attempt as the failure event
 * of its resource type, a retry as the next attempt scheduled, and a stopped (or timed-out)
 * execution with the error and cause it ended with. Belongs in local/local-step-functions.ts once
 * the local stack serves the CLI.
 */
export function withExecutionHistory(stack: LocalStack): Send {
  return async (command) => {
    if (command.constructor.name !== 'GetExecutionHistoryCommand') return stack.stepFunctions.send(command);
    const executionArn = String(command.input.executionArn);
    const execution = [...stack.stepFunctions.executions.values()].find((candidate) => candidate.executionArn === executionArn);
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution ${executionArn} does not exist`, $metadata: { httpStatusCode: 400 } });
    const events = execution.events.flatMap((event) => historyEvent(event, execution) ?? []);
    return { events: events.map((event, index) => ({ ...event, id: index + 1, previousEventId: index })) };
  };
}
