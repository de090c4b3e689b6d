import { trafficProviders, type TrafficProviderName } from './domain/traffic-provider';

/** Reads a required setting once, at module load, so a misconfigured function fails on its first start. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is required but not set`);
  return value;
}

/**
 * This stack's own account and region, read from its state machine's ARN: the template states
 * them once there, and an event or input from anywhere else is not this stack's to act on.
 * @example stackLocation('arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout') // { account: '111122223333', region: 'us-west-2' }
 */
export function stackLocation(stateMachineArn: string): { account: string; region: string } {
  const [, , , region = '', account = ''] = stateMachineArn.split(':');
  if (!/^\d{12}$/.test(account) || !region) throw new Error(`STATE_MACHINE_ARN ${stateMachineArn} is not a state machine ARN`);
  return { account, region };
}

/**
 * The traffic providers this stack's IAM grants, from TRAFFIC_PROVIDERS (template.yaml's
 * TrafficProvider as a comma-separated list). Unset means every provider: the local stack and the
 * tests run both, and a deployed stack always sets it.
 * @example configuredTrafficProviders('appmesh,lattice') // ['appmesh', 'lattice']
 */
export function configuredTrafficProviders(value = process.env.TRAFFIC_PROVIDERS): TrafficProviderName[] {
  if (value === undefined) return [...trafficProviders];
  const names = value.split(',');
  const unknown = names.filter((name) => !(trafficProviders as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`TRAFFIC_PROVIDERS ${JSON.stringify(value)} names ${unknown.map((name) => JSON.stringify(name)).join(', ')}; each must be one of ${trafficProviders.join(', ')}`);
  return names as TrafficProviderName[];
}

/**
 * How long the registry keeps an ended rollout (and a deployment note) before DynamoDB's TTL
 * removes it, from ROLLOUT_RETENTION_DAYS (template.yaml's RolloutRetentionDays); unset means 90,
 * as long as Step Functions keeps a closed execution's history, so `meshshift describe` finds both.
 * @example rolloutRetentionDays('30') // 30
 */
export function rolloutRetentionDays(value = process.env.ROLLOUT_RETENTION_DAYS): number {
  if (value === undefined || value === '') return 90;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) throw new Error(`ROLLOUT_RETENTION_DAYS ${JSON.stringify(value)} must be a whole number of days, at least 1`);
  return days;
}
