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
