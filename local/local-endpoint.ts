import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { LocalStack } from './local-stack';

/** Every Step Functions operation the CLI makes (cli/cli-ports.ts, the StepFunctionsOrchestrator, the operator requests). */
const stepFunctionsCommands: Record<string, new (input: never) => { input: object }> = {
  StartExecution: StartExecutionCommand,
  DescribeExecution: DescribeExecutionCommand,
  GetExecutionHistory: GetExecutionHistoryCommand,
  StopExecution: StopExecutionCommand,
  SendTaskSuccess: SendTaskSuccessCommand,
  SendTaskFailure: SendTaskFailureCommand,
  ListExecutions: ListExecutionsCommand,
};

const dynamoDbPrefix = 'DynamoDB_20120810.';
const stepFunctionsPrefix = 'AWSStepFunctions.';

/** The endpoint could not listen where it was asked to. */
export class EndpointListenError extends Error {
  override name = 'EndpointListenError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/** An error as the AWS JSON 1.0 protocol carries it, so the SDK raises its own exception class. */
class AwsJsonError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface LocalEndpoint {
  /** The port actually bound: the one asked for, or the one the system chose for 0. */
  port: number;
  url: string;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Step Functions sends times as seconds since the epoch, and the SDK reads them so. */
function awsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, shown: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : shown;
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(awsJson(body));
}

/** The registry's DynamoDB calls go to the stack's dynalite as they came, and its answer back as it went. */
function forward(registryEndpoint: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(`${registryEndpoint}${request.url ?? '/'}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(response).on('finish', resolve).on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

async function answerStepFunctions(stack: LocalStack, operation: string, body: Buffer): Promise<unknown> {
  const Command = stepFunctionsCommands[operation];
  if (!Command) throw new AwsJsonError('UnknownOperationException', `The local stack does not implement AWSStepFunctions.${operation}; it answers ${Object.keys(stepFunctionsCommands).join(', ')}`, 400);
  let input: never;
  try {
    input = JSON.parse(body.length > 0 ? body.toString('utf8') : '{}') as never;
  } catch (error) {
    throw new AwsJsonError('SerializationException', `The request body is not JSON: ${(error as Error).message}`, 400);
  }
  return stack.stepFunctions.send(new Command(input) as never);
}

/** An error thrown while answering, as AWS would send it: the SDK's own exceptions keep their name and status. */
function asAwsError(error: unknown): AwsJsonError {
  if (error instanceof AwsJsonError) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return new AwsJsonError((error as Error).name, (error as Error).message, status);
  return new AwsJsonError('InternalFailure', `${(error as Error).name}: ${(error as Error).message}`, 500);
}

async function answer(stack: LocalStack, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const target = String(request.headers['x-amz-target'] ?? '');
  try {
    const body = await readBody(request);
    if (target.startsWith(dynamoDbPrefix)) return await forward(stack.registryEndpoint, request, body, response);
    if (target.startsWith(stepFunctionsPrefix)) return reply(response, 200, await answerStepFunctions(stack, target.slice(stepFunctionsPrefix.length), body));
    throw new AwsJsonError('UnknownOperationException', `The local stack answers ${dynamoDbPrefix}* and ${stepFunctionsPrefix}* only; got X-Amz-Target ${JSON.stringify(target)}`, 400);
  } catch (error) {
    const failure = asAwsError(error);
    if (!response.headersSent) reply(response, failure.status, { __type: failure.name, message: failure.message });
    else response.destroy(failure);
  }
}

/**
 * One loopback HTTP endpoint for the AWS JSON 1.0 APIs the CLI uses, dispatched on X-Amz-Target:
 * the registry's DynamoDB calls to the stack's dynalite, Step Functions to the stack's own. Each
 * request is answered at the simulated time it arrives: the stack's clock waits for it, as it
 * waits for any real I/O.
 */
export async function serveLocalEndpoint(stack: LocalStack, port: number): Promise<LocalEndpoint> {
  const server = createServer((request, response) => void stack.clock.track(() => answer(stack, request, response)));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : `cannot be used (${(error as Error).message})`;
    throw new EndpointListenError(`Port ${port} on 127.0.0.1 ${why}: give --port another number, or --port 0 for any free one`, { cause: error });
  }
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
