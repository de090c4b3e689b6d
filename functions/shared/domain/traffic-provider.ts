/**
 * The traffic providers meshshift can shift weights on. App Mesh stays the default so every
 * reference and policy written before VPC Lattice keeps its meaning.
 */
export const trafficProviders = ['appmesh', 'lattice'] as const;

export type TrafficProviderName = (typeof trafficProviders)[number];

export const defaultTrafficProvider: TrafficProviderName = 'appmesh';

/** The provider a reference belongs to: its own tag, or the default for an untagged one. */
export function providerOf(reference: { provider?: TrafficProviderName }): TrafficProviderName {
  return reference.provider ?? defaultTrafficProvider;
}

/**
 * How long after a weight change the provider's data plane serves the new split, so a bake
 * judges the canary on the traffic it really got. App Mesh pushes a change to Envoy over xDS in
 * seconds, inside any bake and alarm period, so its bake starts at once. Lattice applies a change
 * about 90 s later (ECS's own Lattice deployments wait that long after each weight change).
 */
export const settleSecondsByProvider: Record<TrafficProviderName, number> = { appmesh: 0, lattice: 90 };
