import { type InvocationRequest, type InvocationResponse, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type { SimulationContext } from './shared';

/** A team's function as the local stack runs it: its event in, its answer out; a throw is Lambda's "Unhandled". */
export type SimulatedFunction = (event: unknown) => unknown;

export interface SimulatedLambdaOptions {
  /** Runs a function's code as that function (not as its caller) and tracked by the stack, which waits for it. */
  run: (functionName: string, work: () => Promise<unknown>) => Promise<unknown>;
  /** Waits out the invoke's round trip on the stack's clock. */
  roundTrip: () => Promise<void>;
}

/** A call of a function, for tests to read: what it was asked and how. */
export interface SimulatedInvocation {
  functionName: string;
  invocationType: 'RequestResponse' | 'Event';
  event: unknown;
  at: Date;
}

/**
 * Lambda's Invoke for the teams' own functions (lifecycle hooks): a synchronous invocation
 * answers what the function returned, or FunctionError "Unhandled" with the error's type and
 * message as Lambda shapes them; an asynchronous one ("Event") answers 202 and runs the function
 * afterwards, once (Lambda would retry a failed run; no local function fails on purpose there).
 * An unknown name is ResourceNotFoundException, as in AWS.
 */
export class SimulatedLambda {
  readonly invocations: SimulatedInvocation[] = [];
  private readonly functions = new Map<string, SimulatedFunction>();

  constructor(
    private readonly context: Pick<SimulationContext, 'region' | 'accountId' | 'now'>,
    private readonly options: SimulatedLambdaOptions,
  ) {}

  /** Deploys (or replaces) a function under this name. */
  deploy(functionName: string, code: SimulatedFunction): void {
    this.functions.set(functionName, code);
  }

  async send(command: { constructor: { name: string }; input: unknown }): Promise<InvocationResponse> {
    if (command.constructor.name !== 'InvokeCommand') throw new Error(`SimulatedLambda does not simulate ${command.constructor.name}.`);
    const input = command.input as InvocationRequest;
    await this.options.roundTrip();
    const functionName = input.FunctionName ?? '';
    const code = this.functions.get(functionName);
    if (!code) {
      throw new ResourceNotFoundException({ message: `Function not found: arn:aws:lambda:${this.context.region}:${this.context.accountId}:function:${functionName}`, $metadata: { httpStatusCode: 404 }, Type: 'User' });
    }
    const event: unknown = input.Payload ? JSON.parse(new TextDecoder().decode(input.Payload)) : {};
    const invocationType = input.InvocationType === 'Event' ? 'Event' : 'RequestResponse';
    this.invocations.push({ functionName, invocationType, event: structuredClone(event), at: this.context.now() });
    if (invocationType === 'Event') {
      void this.options.run(functionName, () => settle(code, event));
      return { StatusCode: 202 };
    }
    return (await this.options.run(functionName, () => settle(code, event))) as InvocationResponse;
  }
}

async function settle(code: SimulatedFunction, event: unknown): Promise<InvocationResponse> {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value ?? null));
  try {
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(await code(structuredClone(event))) };
  } catch (error) {
    return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: encode({ errorType: (error as Error).name, errorMessage: (error as Error).message }) };
  }
}
