// A small EventBridge event-pattern matcher, enough to check our rules against sample events:
// exact values (strings, numbers, booleans, null), prefix, suffix, equals-ignore-case,
// anything-but (value, list, prefix, suffix), exists, numeric, wildcard, nested objects and $or.
// It follows EventBridge's rules: every leaf of a pattern is a list of alternatives; an array
// in the event matches when any of its elements does; a missing field only matches
// `{"exists": false}`. Anything else throws InvalidPatternError instead of guessing.

export type EventPattern = { [key: string]: unknown };

export class InvalidPatternError extends Error {
  override name = 'InvalidPatternError';
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);

/** True when `event` matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isPlainObject(pattern)) throw new InvalidPatternError('a pattern must be an object');
  const fields = isPlainObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) {
        throw new InvalidPatternError('$or needs a list of at least two patterns');
      }
      return expected.some((alternative) => matchesPattern(alternative as EventPattern, fields));
    }
    const present = Object.prototype.hasOwnProperty.call(fields, key);
    if (Array.isArray(expected)) return matchesLeaf(key, expected, present, fields[key]);
    if (isPlainObject(expected)) return matchesPattern(expected, present ? fields[key] : undefined);
    throw new InvalidPatternError(`"${key}": a pattern leaf must be a list of values or matchers`);
  });
}

function matchesLeaf(key: string, matchers: unknown[], present: boolean, value: unknown): boolean {
  if (matchers.length === 0) throw new InvalidPatternError(`"${key}": empty list of values`);
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isPlainObject(matcher)) {
      const operators = Object.keys(matcher);
      if (operators.length !== 1) throw new InvalidPatternError(`"${key}": one operator per matcher`);
      const operator = operators[0] as string;
      const operand = matcher[operator];
      if (operator === 'exists') {
        if (typeof operand !== 'boolean') throw new InvalidPatternError(`"${key}": exists takes true or false`);
        return operand === (present && !isPlainObject(value));
      }
      return present && values.some((v) => matchesOperator(key, operator, operand, v));
    }
    if (Array.isArray(matcher)) throw new InvalidPatternError(`"${key}": nested lists are not allowed`);
    return present && values.some((v) => v === matcher);
  });
}

function stringOperand(key: string, operator: string, operand: unknown): string {
  if (typeof operand !== 'string') throw new InvalidPatternError(`"${key}": ${operator} takes a string`);
  return operand;
}

function matchesOperator(key: string, operator: string, operand: unknown, value: unknown): boolean {
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const ignoreCase = isPlainObject(operand) && 'equals-ignore-case' in operand;
      const text = stringOperand(key, operator, ignoreCase ? operand['equals-ignore-case'] : operand);
      const [subject, affix] = ignoreCase ? [value.toLowerCase(), text.toLowerCase()] : [value, text];
      return operator === 'prefix' ? subject.startsWith(affix) : subject.endsWith(affix);
    }
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === stringOperand(key, operator, operand).toLowerCase();
    case 'wildcard': {
      if (typeof value !== 'string') return false;
      const pattern = stringOperand(key, operator, operand)
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      return new RegExp(`^${pattern}$`, 's').test(value);
    }
    case 'anything-but': {
      if (isPlainObject(operand)) {
        const [inner] = Object.keys(operand);
        if (inner !== 'prefix' && inner !== 'suffix' && inner !== 'equals-ignore-case') {
          throw new InvalidPatternError(`"${key}": anything-but does not take ${String(inner)}`);
        }
        return !matchesOperator(key, inner, operand[inner], value);
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.includes(value);
    }
    case 'numeric':
      return matchesNumeric(key, operand, value);
    default:
      throw new InvalidPatternError(`"${key}": unsupported operator ${operator}`);
  }
}

function matchesNumeric(key: string, operand: unknown, value: unknown): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidPatternError(`"${key}": numeric takes [operator, number, ...]`);
  }
  if (typeof value !== 'number') return false;
  for (let i = 0; i < operand.length; i += 2) {
    const [operator, bound] = [operand[i], operand[i + 1]];
    if (typeof bound !== 'number') throw new InvalidPatternError(`"${key}": numeric bound must be a number`);
    const ok =
      operator === '<' ? value < bound
      : operator === '<=' ? value <= bound
      : operator === '=' ? value === bound
      : operator === '>' ? value > bound
      : operator === '>=' ? value >= bound
      : undefined;
    if (ok === undefined) throw new InvalidPatternError(`"${key}": unknown numeric operator ${String(operator)}`);
    if (!ok) return false;
  }
  return true;
}
