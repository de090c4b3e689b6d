import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { EventLog, LocalExecution } from './local-step-functions';

type States = StateMachineDefinition['States'];

const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
const causeText = (cause: unknown) => (typeof cause === 'string' ? cause : json(cause));

/** One engine event as GetExecutionHistory shows its kind (the engine's retries and catches have no event of their own there). */
function historyEvent(event: EventLog, execution: LocalExecution, states: States): Omit<HistoryEvent, 'id'> | undefined {
  // A service integration (`lambda:invoke.waitForTaskToken`) reports its attempts as Task events; a Lambda ARN as the Resource, as LambdaFunction events.
  const integration = (stateName: string) => {
    const task = states[stateName];
    return task?.Type === 'Task' && task.Resource.startsWith('arn:aws:states:::');
  };
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
 * An execution's GetExecutionHistory, read from the engine's event log as AWS would show it: a
 * state's input and output as JSON text, a failed attempt as the failure event of its resource
 * type, a retry as the next attempt scheduled, and a stopped (or timed-out) execution with the
 * error and cause it ended with.
 */
export function executionHistory(execution: LocalExecution, states: States): { events: HistoryEvent[] } {
  const events = execution.events.flatMap((event) => historyEvent(event, execution, states) ?? []);
  return { events: events.map((event, index) => ({ ...event, id: index + 1, previousEventId: index })) };
}
