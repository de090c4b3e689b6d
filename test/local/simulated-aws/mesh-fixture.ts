import {
  type AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  type RouteSpec,
  type WeightedTarget,
} from '@aws-sdk/client-app-mesh';

export const MESH = 'colorapp';
export const ROUTER = 'colorteller-vr';
export const ROUTE = 'colorteller-route';

export function httpSpec(weightedTargets: WeightedTarget[]): RouteSpec {
  return { httpRoute: { match: { prefix: '/' }, action: { weightedTargets } } };
}

export function nodeSpec(hostname: string) {
  return {
    listeners: [{ portMapping: { port: 9080, protocol: 'http' as const } }],
    serviceDiscovery: { dns: { hostname } },
  };
}

/** A mesh with the given virtual nodes, one router, and a route sending everything to the first node. */
export async function createColorMesh(client: AppMeshClient, nodes: string[] = ['colorteller-v1', 'colorteller-v2']): Promise<void> {
  await client.send(new CreateMeshCommand({ meshName: MESH }));
  for (const node of nodes) {
    await client.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: node, spec: nodeSpec(`${node}.local`) }));
  }
  await client.send(
    new CreateVirtualRouterCommand({
      meshName: MESH,
      virtualRouterName: ROUTER,
      spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] },
    }),
  );
  await client.send(
    new CreateRouteCommand({
      meshName: MESH,
      virtualRouterName: ROUTER,
      routeName: ROUTE,
      spec: httpSpec([{ virtualNode: nodes[0] ?? 'colorteller-v1', weight: 100 }]),
    }),
  );
}
