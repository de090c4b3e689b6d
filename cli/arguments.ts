import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { AwsSettings } from './cli-ports';

/** The command line is wrong: caught before any AWS call, exit code 2, and the message names the flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flags that say which deployment of meshshift to talk to; every command that calls AWS takes them. */
export const awsOptions = {
  region: { type: 'string' },
  table: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  'endpoint-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type AwsValues = { region?: string; table?: string; 'state-machine-arn'?: string; 'endpoint-url'?: string };

/** Parses a command's arguments strictly: an unknown flag or a missing value is a UsageError. */
export function parse<Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options, positionals: { min: number; max: number }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...awsOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new UsageError(positionals.max === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min} to ${positionals.max}`} argument(s), got ${count}`);
  }
  return parsed;
}

/**
 * Step Functions execution names, as the API model has them (sfn.json `Name`: 1 to 80
 * characters, none of white space, brackets, wildcards, `" # % \ ^ | ~ ` $ & , ; : /` or control
 * characters). A rollout id is its execution's name.
 */
const executionNamePattern = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
/** ECS cluster, service and task definition family names (ecs.json): up to 255 letters, digits, hyphens and underscores. */
const ecsNamePattern = /^[A-Za-z0-9_-]{1,255}$/;
/** DynamoDB table names (dynamodb.json `TableName`): 3 to 255 of letters, digits, `_`, `-` and `.`. */
const tableNamePattern = /^[A-Za-z0-9_.-]{3,255}$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const stateMachineArnPattern = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[^:]{1,80}$/;
const tableArnPattern = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;
const taskDefinitionArnPattern = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:[1-9]\d*$/;
const taskDefinitionPattern = /^[A-Za-z0-9_-]{1,255}(:[1-9]\d*)?$/;

/**
 * A rollout id as given on the command line: its execution's name.
 * @example rolloutId('manual-colorteller-1') // 'manual-colorteller-1'
 */
export function rolloutId(value: string, what = '<rollout-id>'): string {
  if (!executionNamePattern.test(value)) {
    throw new UsageError(`${what} must be a Step Functions execution name: 1 to 80 characters, without spaces, brackets, wildcards or any of " # % \\ ^ | ~ \` $ & , ; : / (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** An ECS cluster or service name. */
export function ecsName(value: string | undefined, flag: '--cluster' | '--service'): string {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!ecsNamePattern.test(value)) throw new UsageError(`${flag} must be an ECS name: 1 to 255 letters, digits, hyphens and underscores (got ${JSON.stringify(value)})`);
  return value;
}

/** `family`, `family:revision` or a task definition ARN, as ECS's UpdateService takes it; an ARN must be in the deployment's region. */
export function taskDefinition(value: string | undefined, region: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const arn = taskDefinitionArnPattern.exec(value);
  if (!arn && !taskDefinitionPattern.test(value)) {
    throw new UsageError(`--task-definition must be FAMILY, FAMILY:REVISION (a revision from 1 up) or a task definition ARN (got ${JSON.stringify(value)})`);
  }
  if (arn && region && arn[1] !== region) throw new UsageError(`--task-definition is in ${arn[1]}, but this deployment of meshshift is in ${region}`);
  return value;
}

export function existingFile(path: string | undefined, flag: string): string | undefined {
  if (path !== undefined && !existsSync(path)) throw new UsageError(`${flag} ${path}: no such file`);
  return path;
}

const secondsPerUnit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration such as `90s`, `5m`, `2h` or `1d` (a bare number is seconds), in seconds.
 * @example durationSeconds('5m', '--interval') // 300
 */
export function durationSeconds(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value);
  const seconds = match ? Number(match[1]) * (secondsPerUnit[match[2] || 's'] as number) : NaN;
  if (!(seconds > 0)) throw new UsageError(`${flag} must be a positive duration such as 30s, 5m, 2h or 1d (got ${JSON.stringify(value)})`);
  return seconds;
}

/**
 * `--since`: a duration before now (`24h`, `7d`) or a date (`2026-11-20`, `2026-11-20T10:00:00Z`).
 * @example since('1d', new Date('2026-11-22T10:00:00Z')) // 2026-11-21T10:00:00.000Z
 */
export function since(value: string, now: Date): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new UsageError(`--since ${value} is not a date`);
    return date;
  }
  return new Date(now.getTime() - durationSeconds(value, '--since') * 1000);
}

/**
 * Which deployment of meshshift to talk to, from the flags or their environment variables,
 * checked before any AWS call. The region comes from --region, else from the state machine or
 * table ARN (they name theirs), else from the AWS SDK's own settings; flags that name different
 * regions are refused.
 */
export function awsSettings(values: AwsValues, need: Array<'table' | 'state-machine-arn'>): AwsSettings {
  const tableName = values.table ?? process.env.MESHSHIFT_TABLE ?? '';
  const stateMachineArn = values['state-machine-arn'] ?? process.env.MESHSHIFT_STATE_MACHINE_ARN ?? '';
  const endpoint = values['endpoint-url'] ?? process.env.MESHSHIFT_ENDPOINT_URL;
  if (need.includes('table') && !tableName) throw new UsageError('--table (or MESHSHIFT_TABLE) is required');
  if (need.includes('state-machine-arn') && !stateMachineArn) throw new UsageError('--state-machine-arn (or MESHSHIFT_STATE_MACHINE_ARN) is required');
  const stateMachine = stateMachineArnPattern.exec(stateMachineArn);
  if (stateMachineArn && !stateMachine) {
    throw new UsageError(`--state-machine-arn (or MESHSHIFT_STATE_MACHINE_ARN) must be a Step Functions state machine ARN, arn:aws:states:REGION:ACCOUNT:stateMachine:NAME (got ${JSON.stringify(stateMachineArn)})`);
  }
  const table = tableArnPattern.exec(tableName);
  if (tableName && !table && !tableNamePattern.test(tableName)) {
    throw new UsageError(`--table (or MESHSHIFT_TABLE) must be a DynamoDB table name (3 to 255 letters, digits, _ - .) or table ARN (got ${JSON.stringify(tableName)})`);
  }
  if (values.region !== undefined && !regionPattern.test(values.region)) throw new UsageError(`--region must be an AWS region such as us-west-2 (got ${JSON.stringify(values.region)})`);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(endpoint)) {
    throw new UsageError(`--endpoint-url (or MESHSHIFT_ENDPOINT_URL) must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`);
  }
  const named = [
    { flag: '--region', region: values.region },
    { flag: '--state-machine-arn', region: stateMachine?.[1] },
    { flag: '--table', region: table?.[1] },
  ].filter((source): source is { flag: string; region: string } => source.region !== undefined);
  const [first, ...others] = named;
  const contradiction = others.find((other) => other.region !== first?.region);
  if (first && contradiction) throw new UsageError(`${first.flag} names region ${first.region}, but ${contradiction.flag} names ${contradiction.region}`);
  return { region: first?.region, endpoint, tableName, stateMachineArn };
}
