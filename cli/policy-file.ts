import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { InvalidInputError, PolicyInvalidError } from '../functions/shared/domain/errors';
import { parsePolicy, type Policy } from '../functions/shared/domain/policy';
import { duration } from './format';

/** Where in the policy, as its author wrote it: `schedule.steps[1]`, never the file's path run into it. */
function fieldPath(path: PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index > 0 ? '.' : ''}${String(key)}`)).join('') || '(the whole policy)';
}

/** zod's message, except that a limit on a field in seconds is also said as a duration. */
function issueMessage(issue: z.core.$ZodIssue): string {
  const field = String(issue.path.at(-1) ?? '');
  if (field.endsWith('Seconds') && (issue.code === 'too_big' || issue.code === 'too_small')) {
    const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
    return `must be ${issue.code === 'too_big' ? 'at most' : 'at least'} ${withDurations(`${limit} s`)}`;
  }
  return issue.message;
}

/** Glosses a count of seconds that people would not read at a glance: `777600 s (9d00h00m)`. */
function withDurations(text: string): string {
  return text.replace(/\b(\d+) s\b/g, (seconds, count: string) => (Number(count) >= 120 ? `${seconds} (${duration(Number(count))})` : seconds));
}

/**
 * Reads and validates a policy file. What is wrong is said per field, one line each, under the
 * file's name, and limits in seconds also as durations.
 */
export function readPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`Cannot read policy file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PolicyInvalidError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parsePolicy(document);
  } catch (error) {
    if (!(error instanceof PolicyInvalidError)) throw error;
    const issues = (error.cause as z.ZodError | undefined)?.issues;
    // The domain's own sentence starts from the document's root; under the file's name, the field is enough.
    const problems = issues ? issues.map((issue) => `${fieldPath(issue.path)}: ${issueMessage(issue)}`) : [withDurations(error.message.replace(/^Invalid policy: policy\./, ''))];
    throw new PolicyInvalidError(`${path} is not a valid policy:\n  ${problems.join('\n  ')}`, { cause: error });
  }
}
