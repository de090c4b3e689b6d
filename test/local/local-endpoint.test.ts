import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type LocalEndpoint, serveLocalEndpoint } from '../../local/local-endpoint';
import { LocalStack, localStateMachineArn } from '../../local/local-stack';

describe('the local stack served on one loopback endpoint', () => {
  let stack: LocalStack;
  let endpoint: LocalEndpoint;
  const client = { region: 'us-west-2', credentials: { accessKeyId: 'meshshift-local', secretAccessKey: 'meshshift-local' } };

  beforeEach(async () => {
    stack = await LocalStack.start();
    endpoint = await serveLocalEndpoint(stack, 0);
  });

  afterEach(async () => {
    await endpoint.close();
    await stack.halt();
  });

  it('listens on the port the system chose for 0, and says which', () => {
    // Assess
    expect(endpoint.port).toBeGreaterThan(0);
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}`);
  });

  it("forwards DynamoDB calls to the stack's registry", async () => {
    // Prepare
    const dynamo = new DynamoDBClient({ ...client, endpoint: endpoint.url });

    // Act
    const output = await dynamo.send(new DescribeTableCommand({ TableName: process.env.REGISTRY_TABLE_NAME }));

    // Assess
    expect(output.Table?.TableStatus).toBe('ACTIVE');
  });

  it("answers Step Functions with AWS's error shape, so the SDK raises its own exception class", async () => {
    // Prepare
    const sfn = new SFNClient({ ...client, endpoint: endpoint.url });
    const executionArn = `${localStateMachineArn.replace(':stateMachine:', ':execution:')}:nope`;

    // Act
    const missing = sfn.send(new DescribeExecutionCommand({ executionArn }));
    const unanswered = sfn.send(new ListStateMachinesCommand({}));

    // Assess
    await expect(missing).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(missing).rejects.toThrow(`Execution ${executionArn} does not exist`);
    await expect(unanswered).rejects.toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses an X-Amz-Target it does not serve with an AWS-shaped error', async () => {
    // Act
    const response = await fetch(endpoint.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'The local stack answers DynamoDB_20120810.* and AWSStepFunctions.* only; got X-Amz-Target "AmazonSQS.SendMessage"',
    });
  });

  it('names the port when it is taken, and how to choose another', async () => {
    // Act
    const second = serveLocalEndpoint(stack, endpoint.port);

    // Assess
    await expect(second).rejects.toMatchObject({
      name: 'EndpointListenError',
      message: `Port ${endpoint.port} on 127.0.0.1 is in use: give --port another number, or --port 0 for any free one`,
      cause: expect.objectContaining({ code: 'EADDRINUSE' }),
    });
  });
});
