import type { HealthSignal } from '../ports/health-signal';
import type { LifecycleHookInvoker } from '../ports/lifecycle-hooks';
import type { Orchestrator } from '../ports/orchestrator';
import type { PolicyStore } from '../ports/policy-store';
import type { Registry } from '../ports/registry';
import type { ServiceDeployer } from '../ports/service-deployer';
import type { TrafficProviderName } from '../domain/traffic-provider';
import type { BackendRef, RouteRef, TrafficRouter } from '../ports/traffic-router';

/** Everything a use-case may touch. Handlers pass only the ports they wired. */
export interface RolloutPorts {
  router: TrafficRouter;
  deployer: ServiceDeployer;
  health: HealthSignal;
  policies: PolicyStore;
  orchestrator: Orchestrator;
  registry: Registry;
  /** The teams' lifecycle hooks; absent where a function asks none (and in most tests). */
  hooks?: LifecycleHookInvoker;
}

/** Where a rollout's routes and backends live: its provider, and the provider's container of them. */
interface RolloutLocation {
  provider?: TrafficProviderName;
  mesh: string;
  meshOwner?: string;
}

export function routeRef(rollout: RolloutLocation & { virtualRouter: string }, route: string): RouteRef {
  return { provider: rollout.provider, mesh: rollout.mesh, meshOwner: rollout.meshOwner, virtualRouter: rollout.virtualRouter, route };
}

export function backendRef(rollout: RolloutLocation, node: string): BackendRef {
  return { provider: rollout.provider, mesh: rollout.mesh, meshOwner: rollout.meshOwner, node };
}
