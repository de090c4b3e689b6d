import type { Rollout } from '../domain/rollout';
import type { TrafficProviderName } from '../domain/traffic-provider';

/**
 * Where a rollout's traffic is and what its canary is, as its provider's policy variant says:
 * what Prepare needs to know that differs between providers. Everything after it is shared.
 */
export interface RolloutTraffic {
  location: { provider?: TrafficProviderName; mesh: string; meshOwner?: string; virtualRouter: string };
  routes: string[];
  /** The backend the canary's tasks serve: an App Mesh node, or a Lattice target group. */
  canaryNode: string;
  canaryDnsHostname?: string;
  promotion: Rollout['promotion'];
  rollback: Rollout['rollback'];
  /**
   * Which ECS service a backend belongs to, when the provider cannot say but ECS did (Lattice
   * target groups name no service; ECS services name their target groups).
   */
  serviceOfBackend?: (backend: string) => string | undefined;
}
