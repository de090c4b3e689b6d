import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/run-hook/handler';
import { aws, lambdaContext, resetAws, rolloutInput } from '../../support/handler-mocks';

const context = lambdaContext('meshshift-run-hook');
const lambda = mockClient(LambdaClient);
const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAexamplehooktoken';
// Lambda hands the payload back as bytes; the SDK's blob adapter only adds helpers the adapter does not use.
const answer = (value: unknown) => ({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'] });
const rollout = { ...rolloutInput(), hooks: { beforeStep: { function: 'meshshift-hook-gate', timeoutSeconds: 300, onTimeout: 'roll-back' as const } } };

beforeEach(() => {
  resetAws();
  lambda.reset();
  aws.sfn.on(SendTaskSuccessCommand).resolves({});
  aws.sfn.on(SendTaskFailureCommand).resolves({});
});

describe('run-hook handler', () => {
  it("ends the wait with the hook's approval, its token and nothing else sent", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answer({ approve: true }));

    // Act
    const run = await handler({ rollout, hook: { point: 'beforeStep' }, taskToken }, context);

    // Assess
    expect(run).toEqual({ hook: 'beforeStep', function: 'meshshift-hook-gate', verdict: 'approve' });
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken, output: JSON.stringify(run) });
    expect(aws.sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('fails the wait with HookRejectedError, naming the hook, the step and the reason', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answer({ approve: false, reason: 'error budget spent' }));

    // Act
    await handler({ rollout, hook: { point: 'beforeStep' }, taskToken }, context);

    // Assess
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken,
      error: 'HookRejectedError',
      cause: expect.stringContaining('The beforeStep hook meshshift-hook-gate rejected the rollout at step 1 of 4 (10 %): error budget spent'),
    });
  });

  it('leaves the wait to the hook when it answers pending', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answer({ pending: true }));

    // Act
    const run = await handler({ rollout, hook: { point: 'beforeStep' }, taskToken }, context);

    // Assess
    expect(run.verdict).toBe('pending');
    expect(aws.sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(aws.sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('never moves on for a point the policy has no hook at', async () => {
    // Act
    await handler({ rollout, hook: { point: 'afterStep' }, taskToken }, context);

    // Assess
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken, error: 'HookRejectedError' });
  });
});
