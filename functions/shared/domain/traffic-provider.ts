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
