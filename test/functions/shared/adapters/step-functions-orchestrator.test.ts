import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsOrchestrator } from '../../../../functions/shared/adapters/step-functions-orchestrator';
import { TransientAwsError } from '../../../../functions/shared/domain/errors';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout';

function orchestrator() {
  return new StepFunctionsOrchestrator(new SFNClient({ region: 'us-west-2' }), stateMachineArn);
}

beforeEach(() => {
  sfn.reset();
});

describe('StepFunctionsOrchestrator.start', () => {
  it('starts the execution with the input as JSON', async () => {
    // Prepare
    const executionArn = `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-1`;
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });

    // Act
    const started = await orchestrator().start('default-colorteller-1', { cluster: 'default', service: 'colorteller' });

    // Assess
    expect(started).toEqual({ executionArn, duplicate: false });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn, name: 'default-colorteller-1', input: '{"cluster":"default","service":"colorteller"}' });
  });

  it('reports an existing name as a duplicate with the execution ARN built from the state machine ARN', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const started = await orchestrator().start('default-colorteller-1', {});

    // Assess
    expect(started).toEqual({ executionArn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-1', duplicate: true });
  });

  it('passes on other failures', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));

    // Act
    const start = orchestrator().start('x', {});

    // Assess
    await expect(start).rejects.toThrow('denied');
  });
});

describe('StepFunctionsOrchestrator tasks and stops', () => {
  it('resumes a task with the output as JSON', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await orchestrator().resumeTask('token-1', { state: 'COMPLETED' });

    // Assess
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1', output: '{"state":"COMPLETED"}' });
  });

  it('fails a task with the error and a cause cut to the 32 KiB Step Functions allows', async () => {
    // Prepare
    sfn.on(SendTaskFailureCommand).resolves({});

    // Act
    await orchestrator().failTask('token-1', 'CanaryDeploymentFailedError', 'x'.repeat(40_000));

    // Assess
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input?.error).toBe('CanaryDeploymentFailedError');
    expect(input?.cause).toHaveLength(32_768);
  });

  it('stops an execution with error and cause', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({});

    // Act
    await orchestrator().stop('arn:exec', 'AlarmBreachedError', 'Rolled back');

    // Assess
    expect(sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: 'arn:exec', error: 'AlarmBreachedError', cause: 'Rolled back' });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'timed out', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'invalid', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'no task', $metadata: {} })],
  ])('ignores %s on a task that already ended, since events come at least once', async (_name, error) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(error);
    sfn.on(SendTaskFailureCommand).rejects(error);

    // Act
    const resume = orchestrator().resumeTask('token-1', {});
    const fail = orchestrator().failTask('token-1', 'E', 'c');

    // Assess
    await expect(resume).resolves.toBeUndefined();
    await expect(fail).resolves.toBeUndefined();
  });

  it('ignores ExecutionDoesNotExist when stopping', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));

    // Act
    const stop = orchestrator().stop('arn:exec', 'E', 'c');

    // Assess
    await expect(stop).resolves.toBeUndefined();
  });

  it('passes on other failures, throttling as TransientAwsError', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    sfn.on(StopExecutionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));

    // Act
    const resume = orchestrator().resumeTask('token-1', {});
    const stop = orchestrator().stop('arn:exec', 'E', 'c');

    // Assess
    await expect(resume).rejects.toThrow(TransientAwsError);
    await expect(stop).rejects.toThrow('denied');
  });
});

describe('StepFunctionsOrchestrator.stateOf', () => {
  it('reads the execution status, and MISSING for an execution Step Functions does not know', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand, { executionArn: 'arn:known' }).resolves({ status: 'ABORTED' } as never);
    sfn.on(DescribeExecutionCommand, { executionArn: 'arn:unknown' }).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));

    // Act
    const known = await orchestrator().stateOf('arn:known');
    const unknown = await orchestrator().stateOf('arn:unknown');

    // Assess
    expect([known, unknown]).toEqual(['ABORTED', 'MISSING']);
  });
});

describe('StepFunctionsOrchestrator.runningExecutions', () => {
  it('lists every running execution of the state machine, page after page', async () => {
    // Prepare
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [{ name: 'a', executionArn: 'arn:a' }], nextToken: 'page-2' } as never)
      .resolvesOnce({ executions: [{ name: 'b', executionArn: 'arn:b' }] } as never);

    // Act
    const running = await orchestrator().runningExecutions();

    // Assess
    expect(running).toEqual([
      { name: 'a', executionArn: 'arn:a' },
      { name: 'b', executionArn: 'arn:b' },
    ]);
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken: undefined },
      { stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken: 'page-2' },
    ]);
  });
});
