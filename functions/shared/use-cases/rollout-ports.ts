import type { HealthSignal } from '../ports/health-signal';
import type { Orchestrator } from '../ports/orchestrator';
import type { PolicyStore } from '../ports/policy-store';
import type { Registry } from '../ports/registry';
import type { ServiceDeployer } from '../ports/service-deployer';
import type { RouteRef, TrafficRouter } from '../ports/traffic-router';

/** Everything a use-case may touch. Handlers pass only the ports they wired. */
export interface RolloutPorts {
  router: TrafficRouter;
  deployer: ServiceDeployer;
  health: HealthSignal;
  policies: PolicyStore;
  orchestrator: Orchestrator;
  registry: Registry;
}

export function routeRef(rollout: { mesh: string; meshOwner?: string; virtualRouter: string }, route: string): RouteRef {
  return { mesh: rollout.mesh, meshOwner: rollout.meshOwner, virtualRouter: rollout.virtualRouter, route };
}
