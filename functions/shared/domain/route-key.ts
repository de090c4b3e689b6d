import type { RolloutSubject } from './rollout';
import { defaultTrafficProvider, providerOf } from './traffic-provider';

/**
 * A route as the registry keys it: one active rollout per key (I4). App Mesh keys stay as they
 * were before other providers, so leases held across an upgrade still match; another provider's
 * keys start with its name, so no two providers' routes can share one.
 */
export function routeKey(rollout: Pick<RolloutSubject, 'provider' | 'mesh' | 'virtualRouter'>, route: string): string {
  const provider = providerOf(rollout);
  const path = [rollout.mesh, rollout.virtualRouter, route].filter((part) => part !== '').join('/');
  return provider === defaultTrafficProvider ? path : `${provider}:${path}`;
}
