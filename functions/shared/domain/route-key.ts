import type { RolloutSubject } from './rollout';

/** A route as the registry keys it: one active rollout per key (I4). */
export function routeKey(rollout: Pick<RolloutSubject, 'mesh' | 'virtualRouter'>, route: string): string {
  return `${rollout.mesh}/${rollout.virtualRouter}/${route}`;
}
