/* eslint-disable @typescript-eslint/no-require-imports -- a require inside a function keeps the Lattice SDK out of init for App Mesh rollouts */
import { providerOf, type TrafficProviderName } from '../domain/traffic-provider';
import type { RouteWrite, TrafficRouter } from '../ports/traffic-router';
import { trafficRouter as appMeshRouter } from './app-mesh';
import { onFirstUse } from './built-on-first-use';

/**
 * One TrafficRouter made of one per provider, each call going to the router of the reference's
 * provider (as Flagger's pkg/router factory picks a router per mesh provider). Use-cases never
 * name a provider: a reference carries it, so adding one touches only its files and this map.
 */
export function routerPerProvider(routers: Record<TrafficProviderName, TrafficRouter>): TrafficRouter {
  const routerOf = (reference: { provider?: TrafficProviderName }) => routers[providerOf(reference)];
  return {
    readRoute: (route) => routerOf(route).readRoute(route),
    writeRoutes: async (writes) => {
      for (const [provider, ofProvider] of byProvider(writes)) await routers[provider].writeRoutes(ofProvider);
    },
    backendExists: (backend) => routerOf(backend).backendExists(backend),
    createCanaryBackend: (input) => routerOf(input).createCanaryBackend(input),
    routeTags: (route) => routerOf(route).routeTags(route),
    serviceOfBackend: (backend) => routerOf(backend).serviceOfBackend(backend),
    retireBackend: (backend) => routerOf(backend).retireBackend(backend),
  };
}

/** Each provider's writes, in the order their first write came. */
function byProvider(writes: RouteWrite[]): Map<TrafficProviderName, RouteWrite[]> {
  const groups = new Map<TrafficProviderName, RouteWrite[]>();
  for (const write of writes) {
    const provider = providerOf(write.route);
    groups.set(provider, [...(groups.get(provider) ?? []), write]);
  }
  return groups;
}

export const trafficRouter = routerPerProvider({
  appmesh: appMeshRouter,
  lattice: onFirstUse<TrafficRouter>(() => (require('./vpc-lattice') as typeof import('./vpc-lattice')).trafficRouter),
});
