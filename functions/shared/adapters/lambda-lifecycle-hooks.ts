import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type HookAnswer, type HookEvent, readHookAnswer } from '../domain/lifecycle-hooks';
import type { LifecycleHookInvoker } from '../ports/lifecycle-hooks';
import { callAws, errorName } from './aws-error';

/** Invoke's answers that say the hook cannot be asked at all: no such function, no right to call it, or it could not start. */
const cannotBeAsked = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'ResourceConflictException', 'InvalidRuntimeException', 'ResourceNotReadyException']);

/**
 * Hooks as Lambda functions, asked with a synchronous Invoke. The client's request timeout bounds
 * a synchronous answer (lambda.ts wiring): a hook that needs longer answers `{ "pending": true }`
 * and replies later with the task token, so running out of it is the hook's rejection, not a
 * failure to retry (a retry would ask the slow hook all over again).
 */
export class LambdaLifecycleHooks implements LifecycleHookInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly synchronousAnswerSeconds: number,
  ) {}

  async ask(functionName: string, event: HookEvent): Promise<HookAnswer> {
    let output;
    try {
      output = await callAws(`Invoke of hook ${functionName}`, () => this.client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: encode(event) })));
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (errorName(cause) === 'TimeoutError') {
        return { verdict: 'reject', reason: `did not answer within ${this.synchronousAnswerSeconds} s; a longer check answers {"pending": true} and replies later with the task token` };
      }
      if (cannotBeAsked.has(errorName(error))) return { verdict: 'reject', reason: `could not be invoked: ${errorName(error)}: ${(error as Error).message}` };
      throw error;
    }
    const payload = decode(output.Payload);
    if (output.FunctionError) {
      const failure = payload as { errorType?: string; errorMessage?: string } | undefined;
      return { verdict: 'reject', reason: `failed: ${failure?.errorType ?? output.FunctionError}: ${failure?.errorMessage ?? 'no message'}` };
    }
    return readHookAnswer(payload);
  }

  async tell(functionName: string, event: HookEvent): Promise<void> {
    await callAws(`Invoke of hook ${functionName}`, () => this.client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encode(event) })));
  }
}

function encode(event: HookEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

function decode(payload: Uint8Array | undefined): unknown {
  if (!payload || payload.length === 0) return undefined;
  const text = new TextDecoder().decode(payload);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
