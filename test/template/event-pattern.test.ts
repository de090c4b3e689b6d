import { InvalidPatternError, matchesPattern } from './event-pattern';

// Examples follow the EventBridge documentation on event patterns.
const event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  account: '111122223333',
  region: 'us-west-2',
  resources: ['arn:aws:ec2:us-west-2:111122223333:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'running',
    count: 5,
    flag: true,
    nothing: null,
    tags: ['web', 'prod'],
    nested: { deep: 'value' },
  },
};

describe('matchesPattern', () => {
  describe('exact values', () => {
    it.each([
      ['a listed string', { source: ['aws.ec2'] }, true],
      ['any of several strings', { source: ['aws.s3', 'aws.ec2'] }, true],
      ['an unlisted string', { source: ['aws.s3'] }, false],
      ['a string, case-sensitively', { source: ['AWS.EC2'] }, false],
      ['a number', { detail: { count: [5] } }, true],
      ['a number, not its text', { detail: { count: ['5'] } }, false],
      ['a boolean', { detail: { flag: [true] } }, true],
      ['null', { detail: { nothing: [null] } }, true],
      ['a missing field', { detail: { absent: ['x'] } }, false],
      ['an empty pattern', {}, true],
    ])('%s', (_name, pattern, expected) => {
      // Prepare / Act
      const matched = matchesPattern(pattern, event);

      // Assess
      expect(matched).toBe(expected);
    });
  });

  describe('nesting and arrays', () => {
    it.each([
      ['every field of the pattern must match', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
      ['nested objects', { detail: { nested: { deep: ['value'] } } }, true],
      ['a nested pattern under a missing object', { missing: { deep: ['value'] } }, false],
      ['an array field matches when any element does', { detail: { tags: ['prod'] } }, true],
      ['an array field with no matching element', { detail: { tags: ['dev'] } }, false],
      ['resources, the usual array field', { resources: [{ prefix: 'arn:aws:ec2:us-west-2:111122223333:instance/' }] }, true],
    ])('%s', (_name, pattern, expected) => {
      // Prepare / Act
      const matched = matchesPattern(pattern, event);

      // Assess
      expect(matched).toBe(expected);
    });
  });

  describe('content filters', () => {
    it.each([
      ['prefix', { detail: { state: [{ prefix: 'run' }] } }, true],
      ['prefix that does not match', { detail: { state: [{ prefix: 'stop' }] } }, false],
      ['prefix never matches a number', { detail: { count: [{ prefix: '5' }] } }, false],
      ['prefix ignoring case', { detail: { state: [{ prefix: { 'equals-ignore-case': 'RUN' } }] } }, true],
      ['suffix', { detail: { 'instance-id': [{ suffix: 'def0' }] } }, true],
      ['suffix that does not match', { detail: { 'instance-id': [{ suffix: 'abc' }] } }, false],
      ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
      ['wildcard', { resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, true],
      ['wildcard that does not match', { resources: [{ wildcard: 'arn:aws:s3:*' }] }, false],
      ['anything-but a value', { detail: { state: [{ 'anything-but': 'stopped' }] } }, true],
      ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
      ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
      ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
      ['anything-but never matches a missing field', { detail: { absent: [{ 'anything-but': 'x' }] } }, false],
      ['exists: true', { detail: { state: [{ exists: true }] } }, true],
      ['exists: true on a missing field', { detail: { absent: [{ exists: true }] } }, false],
      ['exists: false on a missing field', { detail: { absent: [{ exists: false }] } }, true],
      ['exists: false on a present field', { detail: { state: [{ exists: false }] } }, false],
      ['exists: false under a missing object', { missing: { deep: [{ exists: false }] } }, true],
      ['numeric range', { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
      ['numeric out of range', { detail: { count: [{ numeric: ['>', 5] }] } }, false],
      ['numeric never matches a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
      ['a value or a filter', { detail: { state: ['stopped', { prefix: 'ru' }] } }, true],
    ])('%s', (_name, pattern, expected) => {
      // Prepare / Act
      const matched = matchesPattern(pattern as Record<string, unknown>, event);

      // Assess
      expect(matched).toBe(expected);
    });
  });

  describe('$or', () => {
    it('matches when one alternative does', () => {
      // Prepare
      const pattern = { source: ['aws.ec2'], $or: [{ detail: { state: ['stopped'] } }, { detail: { count: [5] } }] };

      // Act
      const matched = matchesPattern(pattern, event);

      // Assess
      expect(matched).toBe(true);
    });

    it('does not match when no alternative does', () => {
      // Prepare
      const pattern = { $or: [{ detail: { state: ['stopped'] } }, { detail: { count: [6] } }] };

      // Act
      const matched = matchesPattern(pattern, event);

      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('invalid patterns', () => {
    it.each([
      ['a leaf that is not a list', { source: 'aws.ec2' }],
      ['an empty list', { source: [] }],
      ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
      ['two operators in one matcher', { source: [{ prefix: 'aws', suffix: 'ec2' }] }],
      ['exists with a non-boolean', { source: [{ exists: 'yes' }] }],
      ['a numeric filter with a bad operator', { detail: { count: [{ numeric: ['!=', 1] }] } }],
    ])('throws on %s', (_name, pattern) => {
      // Prepare / Act
      const act = () => matchesPattern(pattern as Record<string, unknown>, event);

      // Assess
      expect(act).toThrow(InvalidPatternError);
    });
  });
});
