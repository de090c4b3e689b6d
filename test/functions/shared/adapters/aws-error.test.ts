import { callAws, errorName, isTransient } from '../../../../functions/shared/adapters/aws-error';
import { ResourceMissingError, TransientAwsError } from '../../../../functions/shared/domain/errors';

function awsError(name: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('isTransient', () => {
  it.each([
    'TooManyRequestsException',
    'ThrottlingException',
    'Throttling',
    'ProvisionedThroughputExceededException',
    'ServiceUnavailableException',
    'InternalServerErrorException',
    'TimeoutError',
  ])('retries %s', (name) => {
    // Act
    const transient = isTransient(awsError(name, { $metadata: { httpStatusCode: 400 } }));

    // Assess
    expect(transient).toBe(true);
  });

  it.each([429, 500, 502, 503, 504])('retries HTTP status %i', (httpStatusCode) => {
    // Act
    const transient = isTransient(awsError('SomethingElse', { $metadata: { httpStatusCode } }));

    // Assess
    expect(transient).toBe(true);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'])('retries a broken connection (%s), which comes with no $metadata', (code) => {
    // Act
    const transient = isTransient(Object.assign(new Error(`socket hang up`), { code }));

    // Assess
    expect(transient).toBe(true);
  });

  it('retries what the SDK marks $retryable', () => {
    // Act
    const transient = isTransient(awsError('SomethingElse', { $retryable: { throttling: false }, $metadata: { httpStatusCode: 400 } }));

    // Assess
    expect(transient).toBe(true);
  });

  it.each([
    ['a client error', awsError('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['a missing resource', awsError('NotFoundException', { $metadata: { httpStatusCode: 404 } })],
    ['a conflict', awsError('ConflictException', { $metadata: { httpStatusCode: 409 } })],
    ['a plain error', new Error('bug')],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'boom'],
  ])('does not retry %s', (_case, error) => {
    // Act
    const transient = isTransient(error);

    // Assess
    expect(transient).toBe(false);
  });
});

describe('errorName', () => {
  it('reads the name or gives an empty string', () => {
    // Act
    const names = [errorName(awsError('ConflictException')), errorName(undefined), errorName({})];

    // Assess
    expect(names).toEqual(['ConflictException', '', '']);
  });
});

describe('callAws', () => {
  it('returns what the call returns', async () => {
    // Act
    const result = await callAws('Describe', async () => 42);

    // Assess
    expect(result).toBe(42);
  });

  it('turns a not-found name into ResourceMissingError with the description and cause', async () => {
    // Prepare
    const notFound = awsError('NotFoundException', { $metadata: { httpStatusCode: 404 } });

    // Act
    const error = await callAws('DescribeRoute r', () => Promise.reject(notFound), ['NotFoundException']).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ResourceMissingError);
    expect((error as Error).message).toBe('DescribeRoute r: NotFoundException happened');
    expect((error as Error).cause).toBe(notFound);
  });

  it('turns a transient failure into TransientAwsError with the cause', async () => {
    // Prepare
    const throttled = awsError('ThrottlingException', { $metadata: { httpStatusCode: 400 } });

    // Act
    const error = await callAws('UpdateRoute r', () => Promise.reject(throttled)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).message).toContain('UpdateRoute r failed transiently (ThrottlingException)');
    expect((error as Error).cause).toBe(throttled);
  });

  it('passes other failures on unchanged', async () => {
    // Prepare
    const denied = awsError('AccessDeniedException', { $metadata: { httpStatusCode: 403 } });

    // Act
    const error = await callAws('UpdateRoute r', () => Promise.reject(denied)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBe(denied);
  });
});
