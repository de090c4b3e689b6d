import { InvokeCommand, type InvokeCommandOutput, LambdaClient, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaLifecycleHooks } from '../../../../functions/shared/adapters/lambda-lifecycle-hooks';
import { TransientAwsError } from '../../../../functions/shared/domain/errors';
import type { HookEvent } from '../../../../functions/shared/domain/lifecycle-hooks';

const lambda = mockClient(LambdaClient);
const hooks = () => new LambdaLifecycleHooks(new LambdaClient({ region: 'us-west-2' }), 50);
const event: HookEvent = {
  version: 1,
  hook: 'beforeStep',
  rolloutId: 'default-colorteller-1',
  executionArn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-1',
  provider: 'appmesh',
  cluster: 'default',
  service: 'colorteller',
  taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller:2',
  routes: ['colorteller-route'],
  step: 2,
  steps: 4,
  canaryWeight: 25,
  taskToken: 'token-1',
};
// Lambda hands the payload back as bytes; the SDK's blob adapter only adds helpers the adapter does not use.
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

beforeEach(() => {
  lambda.reset();
});

describe('LambdaLifecycleHooks', () => {
  it('asks a hook with a synchronous Invoke of its event, and reads its answer', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: bytes({ approve: false, reason: '3 of 20 smoke requests failed' }) });

    // Act
    const answer = await hooks().ask('meshshift-hook-gate', event);

    // Assess
    expect(answer).toEqual({ verdict: 'reject', reason: '3 of 20 smoke requests failed' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'meshshift-hook-gate', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual(event);
  });

  it('takes a hook that crashed as a rejection that says how it failed', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: bytes({ errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'url')" }) });

    // Act / Assess
    await expect(hooks().ask('meshshift-hook-gate', event)).resolves.toEqual({ verdict: 'reject', reason: "failed: TypeError: Cannot read properties of undefined (reading 'url')" });
  });

  it('takes a hook that does not exist as a rejection, not a failure to retry', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(new ResourceNotFoundException({ message: 'Function not found: meshshift-hook-gate', $metadata: { httpStatusCode: 404 } }));

    // Act / Assess
    await expect(hooks().ask('meshshift-hook-gate', event)).resolves.toEqual({ verdict: 'reject', reason: 'could not be invoked: ResourceNotFoundException: Function not found: meshshift-hook-gate' });
  });

  it('takes a hook that outlasts the synchronous answer time as a rejection that says to answer pending', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }));

    // Act / Assess
    await expect(hooks().ask('meshshift-hook-gate', event)).resolves.toEqual({
      verdict: 'reject',
      reason: 'did not answer within 50 s; a longer check answers {"pending": true} and replies later with the task token',
    });
  });

  it('lets a throttled Invoke fail as transient, so the state machine asks again', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));

    // Act / Assess
    await expect(hooks().ask('meshshift-hook-gate', event)).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('tells a hook with an asynchronous Invoke, and does not wait for it', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    // Act
    await hooks().tell('meshshift-hook-page', { ...event, hook: 'onRollback', taskToken: undefined, reason: 'AlarmBreachedError: 5xx' });

    // Assess
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'meshshift-hook-page', InvocationType: 'Event' });
  });
});
