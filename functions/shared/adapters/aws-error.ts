import { ResourceMissingError, TransientAwsError } from '../domain/errors';

const throttlingNames = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottledException',
  'ServiceUnavailableException',
  'InternalServerErrorException',
  'InternalServerError',
  'ServerException',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** A connection that broke or never formed: the request may not have landed, and trying again is safe. */
const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, 5xx and broken connections are worth retrying; everything else is the caller's problem. */
export function isTransient(error: unknown): boolean {
  const shape = error as AwsErrorShape;
  const status = shape?.$metadata?.httpStatusCode ?? 0;
  return (
    throttlingNames.has(shape?.name ?? '') ||
    networkErrorCodes.has(shape?.code ?? '') ||
    Boolean(shape?.$retryable) ||
    status === 429 ||
    status >= 500
  );
}

export function errorName(error: unknown): string {
  return (error as AwsErrorShape)?.name ?? '';
}

/**
 * Runs one AWS call and gives its failure a name the state machine understands: transient
 * failures become one retryable TransientAwsError, and `notFound` names become ResourceMissingError.
 */
export async function callAws<T>(description: string, call: () => Promise<T>, notFound: string[] = []): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (notFound.includes(errorName(error))) {
      throw new ResourceMissingError(`${description}: ${(error as Error).message}`, { cause: error });
    }
    if (isTransient(error)) {
      throw new TransientAwsError(`${description} failed transiently (${errorName(error)}); safe to retry`, { cause: error });
    }
    throw error;
  }
}
