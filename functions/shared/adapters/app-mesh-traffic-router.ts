import {
  type AppMeshClient,
  CreateVirtualNodeCommand,
  DeleteVirtualNodeCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ListTagsForResourceCommand,
  UpdateRouteCommand,
  type RouteSpec as AppMeshRouteSpec,
  type VirtualNodeSpec as AppMeshVirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { canaryNodeSpec, ecsServiceOfNode, type VirtualNodeSpec } from '../domain/canary-node';
import { ResourceMissingError } from '../domain/errors';
import { type RouteSpec, weightedTargetsOf, withWeightedTargets } from '../domain/route-spec';
import type { BackendRef, RouteReading, RouteRef, RouteWrite, TrafficRouter } from '../ports/traffic-router';
import { callAws, errorName } from './aws-error';

interface AppMeshHandle {
  spec: RouteSpec;
}

function routeName(ref: RouteRef): string {
  return `route ${ref.route} of virtual router ${ref.virtualRouter} in mesh ${ref.mesh}`;
}

/** App Mesh routes and virtual nodes as a TrafficRouter. */
export class AppMeshTrafficRouter implements TrafficRouter {
  constructor(private readonly client: AppMeshClient) {}

  async readRoute(ref: RouteRef): Promise<RouteReading> {
    const spec = (await this.describeRoute(ref)).spec as RouteSpec | undefined;
    if (!spec) throw new ResourceMissingError(`DescribeRoute returned no spec for ${routeName(ref)}`);
    const handle: AppMeshHandle = { spec };
    return { targets: weightedTargetsOf(spec), handle };
  }

  async routeTags(ref: RouteRef): Promise<Record<string, string>> {
    const routeArn = (await this.describeRoute(ref)).metadata?.arn;
    if (!routeArn) throw new ResourceMissingError(`DescribeRoute returned no ARN for ${routeName(ref)}`);
    const routerArn = routeArn.replace(/\/route\/[^/]+$/, '');
    const tags: Record<string, string> = {};
    for (const resourceArn of [routerArn, routeArn]) {
      const output = await callAws(`ListTagsForResource ${resourceArn}`, () => this.client.send(new ListTagsForResourceCommand({ resourceArn })), ['NotFoundException']);
      for (const tag of output.tags ?? []) tags[tag.key ?? ''] = tag.value ?? '';
    }
    return tags;
  }

  /** One UpdateRoute per route, in order: App Mesh has no batch write. Every spec is checked (I2) before the first is sent. */
  async writeRoutes(writes: RouteWrite[]): Promise<void> {
    const updates = writes.map(({ route, reading, targets }) => ({ route, spec: withWeightedTargets((reading.handle as AppMeshHandle).spec, targets) }));
    for (const { route, spec } of updates) {
      await callAws(
        `UpdateRoute ${routeName(route)}`,
        () =>
          this.client.send(
            new UpdateRouteCommand({
              meshName: route.mesh,
              meshOwner: route.meshOwner,
              virtualRouterName: route.virtualRouter,
              routeName: route.route,
              spec: spec as AppMeshRouteSpec,
            }),
          ),
        ['NotFoundException'],
      );
    }
  }

  async backendExists(backend: BackendRef): Promise<boolean> {
    return (await this.describeNode(backend)) !== undefined;
  }

  async createCanaryBackend(input: Parameters<TrafficRouter['createCanaryBackend']>[0]): Promise<void> {
    const stable = await this.describeNode({ mesh: input.mesh, meshOwner: input.meshOwner, node: input.stableNode });
    if (!stable) throw new ResourceMissingError(`Stable virtual node ${input.stableNode} does not exist in mesh ${input.mesh}`);
    const spec = canaryNodeSpec(stable, input);
    try {
      await callAws(`CreateVirtualNode ${input.canaryNode}`, () =>
        this.client.send(
          new CreateVirtualNodeCommand({
            meshName: input.mesh,
            meshOwner: input.meshOwner,
            virtualNodeName: input.canaryNode,
            spec: spec as AppMeshVirtualNodeSpec,
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw error;
    }
  }

  async serviceOfBackend(backend: BackendRef): Promise<string | undefined> {
    const spec = await this.describeNode(backend);
    return spec ? ecsServiceOfNode(spec) : undefined;
  }

  async retireBackend(backend: BackendRef): Promise<'deleted' | 'already-gone' | 'still-referenced'> {
    try {
      await callAws(`DeleteVirtualNode ${backend.node}`, () =>
        this.client.send(new DeleteVirtualNodeCommand({ meshName: backend.mesh, meshOwner: backend.meshOwner, virtualNodeName: backend.node })),
      );
      return 'deleted';
    } catch (error) {
      if (errorName(error) === 'NotFoundException') return 'already-gone';
      if (errorName(error) === 'ResourceInUseException') return 'still-referenced';
      throw error;
    }
  }

  private async describeRoute(ref: RouteRef) {
    const output = await callAws(
      `DescribeRoute ${routeName(ref)}`,
      () => this.client.send(new DescribeRouteCommand({ meshName: ref.mesh, meshOwner: ref.meshOwner, virtualRouterName: ref.virtualRouter, routeName: ref.route })),
      ['NotFoundException'],
    );
    if (!output.route) throw new ResourceMissingError(`DescribeRoute returned nothing for ${routeName(ref)}`);
    return output.route;
  }

  private async describeNode(backend: BackendRef): Promise<VirtualNodeSpec | undefined> {
    try {
      const output = await callAws(`DescribeVirtualNode ${backend.node}`, () =>
        this.client.send(new DescribeVirtualNodeCommand({ meshName: backend.mesh, meshOwner: backend.meshOwner, virtualNodeName: backend.node })),
      );
      return output.virtualNode?.spec as VirtualNodeSpec | undefined;
    } catch (error) {
      if (errorName(error) === 'NotFoundException') return undefined;
      throw error;
    }
  }
}
