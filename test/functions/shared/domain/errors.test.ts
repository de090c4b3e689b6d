import * as errors from '../../../../functions/shared/domain/errors';
import { describeError, readableCause } from '../../../../functions/shared/domain/errors';

type ErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

const errorClasses = Object.entries(errors as Record<string, unknown>)
  .filter(([name, value]) => typeof value === 'function' && /^[A-Z]\w*Error$/.test(name))
  .map(([name, value]) => [name, value as ErrorClass] as const);

describe('error classes', () => {
  it('exports the error classes the state machine matches on', () => {
    // Act
    const names = errorClasses.map(([name]) => name).sort();

    // Assess
    expect(names).toEqual(
      [
        'AlarmBreachedError',
        'CanaryDeploymentFailedError',
        'InvalidInputError',
        'InvalidWeightsError',
        'NoMeshProxyError',
    'PauseRanOutError',
        'PolicyInvalidError',
        'ResourceMissingError',
        'RolloutAbortedError',
        'RolloutSupersededError',
        'RouteEditedError',
        'RouteNotOwnedError',
        'TransientAwsError',
      ].sort(),
    );
  });

  it.each(errorClasses)('%s carries its class name as name, which ErrorEquals matches (ASL contract)', (className, ErrorClass) => {
    // Act
    const error = new ErrorClass('something went wrong');

    // Assess
    expect(error.name).toBe(className);
    expect(error.constructor.name).toBe(className);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('something went wrong');
    expect(String(error)).toBe(`${className}: something went wrong`);
  });

  it.each(errorClasses)('%s carries its cause', (_className, ErrorClass) => {
    // Prepare
    const cause = new Error('throttled');

    // Act
    const error = new ErrorClass('wrapped', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });
});

describe('readableCause', () => {
  it('takes the errorMessage out of the JSON Lambda puts in a Catch cause', () => {
    // Prepare
    const cause = JSON.stringify({ errorType: 'AlarmBreachedError', errorMessage: '5xx in ALARM', trace: ['AlarmBreachedError: 5xx in ALARM', '    at checkHealth'] });

    // Act
    const text = readableCause(cause);

    // Assess
    expect(text).toBe('5xx in ALARM');
  });

  it.each([
    ['a plain string', 'States.Timeout after 300 s'],
    ['JSON without errorMessage', '{"reason":"x"}'],
    ['JSON with a non-string errorMessage', '{"errorMessage":42}'],
    ['JSON null', 'null'],
  ])('returns %s as it is', (_case, cause) => {
    // Act
    const text = readableCause(cause);

    // Assess
    expect(text).toBe(cause);
  });

  it('says so when there is no cause', () => {
    // Act
    const text = readableCause(undefined);

    // Assess
    expect(text).toBe('no cause given');
  });
});

describe('describeError', () => {
  it('appends the cause name and message', () => {
    // Prepare
    const error = new errors.TransientAwsError('UpdateRoute failed', { cause: Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }) });

    // Act
    const text = describeError(error);

    // Assess
    expect(text).toBe('UpdateRoute failed (cause: TooManyRequestsException: Rate exceeded)');
  });

  it('stringifies what is not an Error', () => {
    // Act
    const text = describeError('plain');

    // Assess
    expect(text).toBe('plain');
  });
});
