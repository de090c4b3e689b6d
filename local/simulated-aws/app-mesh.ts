import {
  BadRequestException,
  ConflictException,
  NotFoundException,
  ResourceInUseException,
  type CreateMeshInput,
  type CreateMeshOutput,
  type CreateRouteInput,
  type CreateRouteOutput,
  type CreateVirtualNodeInput,
  type CreateVirtualNodeOutput,
  type CreateVirtualRouterInput,
  type CreateVirtualRouterOutput,
  type DeleteRouteInput,
  type DeleteRouteOutput,
  type DeleteVirtualNodeInput,
  type DeleteVirtualNodeOutput,
  type DescribeMeshInput,
  type DescribeMeshOutput,
  type DescribeRouteInput,
  type DescribeRouteOutput,
  type DescribeVirtualNodeInput,
  type DescribeVirtualNodeOutput,
  type DescribeVirtualRouterInput,
  type DescribeVirtualRouterOutput,
  type GrpcRoute,
  type HttpRoute,
  type ListRoutesInput,
  type ListTagsForResourceInput,
  type ListTagsForResourceOutput,
  type TagRef,
  type TagResourceInput,
  type TagResourceOutput,
  type ListRoutesOutput,
  type ListVirtualNodesInput,
  type ListVirtualNodesOutput,
  type MeshData,
  type ResourceMetadata,
  type RouteData,
  type RouteSpec,
  type TcpRoute,
  type UpdateRouteInput,
  type UpdateRouteOutput,
  type UpdateVirtualNodeInput,
  type UpdateVirtualNodeOutput,
  type VirtualNodeData,
  type VirtualRouterData,
  type WeightedTarget,
} from '@aws-sdk/client-app-mesh';
import { serviceError, type SdkErrorClass } from './errors';
import { deepClone, operationTable, type Operations, type SimulationContext } from './shared';

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const ROUTE_TYPES = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
type RouteType = (typeof ROUTE_TYPES)[number];
const MAX_WEIGHTED_TARGETS = 10;
const MAX_LIST_LIMIT = 100;

interface RouterRecord {
  name: string;
  data: VirtualRouterData;
  routes: Map<string, RouteData>;
}

interface MeshRecord {
  name: string;
  data: MeshData;
  routers: Map<string, RouterRecord>;
  nodes: Map<string, VirtualNodeData>;
}

export class SimulatedAppMesh {
  readonly operations: Operations = operationTable({
    CreateMesh: (input: CreateMeshInput) => this.createMesh(input),
    DescribeMesh: (input: DescribeMeshInput) => this.describeMesh(input),
    CreateVirtualRouter: (input: CreateVirtualRouterInput) => this.createVirtualRouter(input),
    DescribeVirtualRouter: (input: DescribeVirtualRouterInput) => this.describeVirtualRouter(input),
    CreateRoute: (input: CreateRouteInput) => this.createRoute(input),
    DescribeRoute: (input: DescribeRouteInput) => this.describeRoute(input),
    UpdateRoute: (input: UpdateRouteInput) => this.updateRoute(input),
    DeleteRoute: (input: DeleteRouteInput) => this.deleteRoute(input),
    ListRoutes: (input: ListRoutesInput) => this.listRoutes(input),
    CreateVirtualNode: (input: CreateVirtualNodeInput) => this.createVirtualNode(input),
    DescribeVirtualNode: (input: DescribeVirtualNodeInput) => this.describeVirtualNode(input),
    UpdateVirtualNode: (input: UpdateVirtualNodeInput) => this.updateVirtualNode(input),
    DeleteVirtualNode: (input: DeleteVirtualNodeInput) => this.deleteVirtualNode(input),
    ListVirtualNodes: (input: ListVirtualNodesInput) => this.listVirtualNodes(input),
    TagResource: (input: TagResourceInput) => this.tagResource(input),
    ListTagsForResource: (input: ListTagsForResourceInput) => this.listTagsForResource(input),
  });

  private readonly meshes = new Map<string, MeshRecord>();
  /** Tags of every live resource by ARN: a resource's entry is made at creation and dropped at deletion. */
  private readonly tags = new Map<string, TagRef[]>();

  constructor(private readonly context: SimulationContext) {}

  /** The stored route, as DescribeRoute would return it, without going through the API. */
  route(meshName: string, virtualRouterName: string, routeName: string): RouteData | undefined {
    const route = this.meshes.get(meshName)?.routers.get(virtualRouterName)?.routes.get(routeName);
    return route === undefined ? undefined : deepClone(route);
  }

  virtualNode(meshName: string, virtualNodeName: string): VirtualNodeData | undefined {
    const node = this.meshes.get(meshName)?.nodes.get(virtualNodeName);
    return node === undefined ? undefined : deepClone(node);
  }

  /**
   * Someone changing the weights in the console between two automated steps: only the
   * weighted targets change, and the console enforces the same rules as the API.
   */
  editRouteAsPerson(
    meshName: string,
    virtualRouterName: string,
    routeName: string,
    weightedTargets: WeightedTarget[],
  ): RouteData {
    const mesh = this.requireMesh(meshName);
    const route = this.requireRoute(this.requireRouter(mesh, virtualRouterName), routeName);
    const spec = deepClone(route.spec ?? {});
    this.typedRouteOf(spec).route.action = { weightedTargets: deepClone(weightedTargets) };
    this.validateRouteSpec(mesh, spec);
    route.spec = spec;
    this.touch(route.metadata);
    return deepClone(route);
  }

  private createMesh(input: CreateMeshInput): CreateMeshOutput {
    const meshName = this.validName('meshName', input.meshName);
    if (this.meshes.has(meshName)) {
      throw this.error(ConflictException, `Mesh "${meshName}" already exists.`);
    }
    const data: MeshData = {
      meshName,
      spec: input.spec ?? {},
      metadata: this.newMetadata(this.meshArn(meshName), input.tags),
      status: { status: 'ACTIVE' },
    };
    this.meshes.set(meshName, { name: meshName, data, routers: new Map(), nodes: new Map() });
    return { mesh: data };
  }

  private describeMesh(input: DescribeMeshInput): DescribeMeshOutput {
    return { mesh: this.requireMesh(input.meshName).data };
  }

  private createVirtualRouter(input: CreateVirtualRouterInput): CreateVirtualRouterOutput {
    const mesh = this.requireMesh(input.meshName);
    const virtualRouterName = this.validName('virtualRouterName', input.virtualRouterName);
    const spec = this.requiredSpec(input.spec);
    if (mesh.routers.has(virtualRouterName)) {
      throw this.error(ConflictException, `Virtual router "${virtualRouterName}" already exists in mesh "${mesh.name}".`);
    }
    const data: VirtualRouterData = {
      meshName: mesh.name,
      virtualRouterName,
      spec,
      metadata: this.newMetadata(`${this.meshArn(mesh.name)}/virtualRouter/${virtualRouterName}`, input.tags),
      status: { status: 'ACTIVE' },
    };
    mesh.routers.set(virtualRouterName, { name: virtualRouterName, data, routes: new Map() });
    return { virtualRouter: data };
  }

  private describeVirtualRouter(input: DescribeVirtualRouterInput): DescribeVirtualRouterOutput {
    const mesh = this.requireMesh(input.meshName);
    const router = this.requireRouter(mesh, input.virtualRouterName);
    return { virtualRouter: router.data };
  }

  private createRoute(input: CreateRouteInput): CreateRouteOutput {
    const mesh = this.requireMesh(input.meshName);
    const router = this.requireRouter(mesh, input.virtualRouterName);
    const routeName = this.validName('routeName', input.routeName);
    const spec = this.requiredSpec(input.spec);
    if (router.routes.has(routeName)) {
      throw this.error(
        ConflictException,
        `Route "${routeName}" already exists in virtual router "${router.name}" of mesh "${mesh.name}".`,
      );
    }
    this.validateRouteSpec(mesh, spec);
    const route: RouteData = {
      meshName: mesh.name,
      virtualRouterName: router.name,
      routeName,
      spec,
      metadata: this.newMetadata(`${this.meshArn(mesh.name)}/virtualRouter/${router.name}/route/${routeName}`, input.tags),
      status: { status: 'ACTIVE' },
    };
    router.routes.set(routeName, route);
    return { route };
  }

  private describeRoute(input: DescribeRouteInput): DescribeRouteOutput {
    const router = this.requireRouter(this.requireMesh(input.meshName), input.virtualRouterName);
    return { route: this.requireRoute(router, input.routeName) };
  }

  private updateRoute(input: UpdateRouteInput): UpdateRouteOutput {
    const mesh = this.requireMesh(input.meshName);
    const route = this.requireRoute(this.requireRouter(mesh, input.virtualRouterName), input.routeName);
    const spec = this.requiredSpec(input.spec);
    this.validateRouteSpec(mesh, spec);
    // The real API stores exactly the spec sent: anything omitted is gone, not merged.
    route.spec = spec;
    this.touch(route.metadata);
    return { route };
  }

  private deleteRoute(input: DeleteRouteInput): DeleteRouteOutput {
    const router = this.requireRouter(this.requireMesh(input.meshName), input.virtualRouterName);
    const route = this.requireRoute(router, input.routeName);
    router.routes.delete(route.routeName ?? '');
    this.tags.delete(route.metadata?.arn ?? '');
    return { route: { ...route, status: { status: 'DELETED' } } };
  }

  private listRoutes(input: ListRoutesInput): ListRoutesOutput {
    const mesh = this.requireMesh(input.meshName);
    const router = this.requireRouter(mesh, input.virtualRouterName);
    const page = this.page([...router.routes.values()], input.limit, input.nextToken);
    return {
      routes: page.items.map((route) => ({
        meshName: route.meshName,
        virtualRouterName: route.virtualRouterName,
        routeName: route.routeName,
        ...this.refMetadata(route.metadata),
      })),
      nextToken: page.nextToken,
    };
  }

  private createVirtualNode(input: CreateVirtualNodeInput): CreateVirtualNodeOutput {
    const mesh = this.requireMesh(input.meshName);
    const virtualNodeName = this.validName('virtualNodeName', input.virtualNodeName);
    const spec = this.requiredSpec(input.spec);
    if (mesh.nodes.has(virtualNodeName)) {
      throw this.error(ConflictException, `Virtual node "${virtualNodeName}" already exists in mesh "${mesh.name}".`);
    }
    const node: VirtualNodeData = {
      meshName: mesh.name,
      virtualNodeName,
      spec,
      metadata: this.newMetadata(`${this.meshArn(mesh.name)}/virtualNode/${virtualNodeName}`, input.tags),
      status: { status: 'ACTIVE' },
    };
    mesh.nodes.set(virtualNodeName, node);
    return { virtualNode: node };
  }

  private describeVirtualNode(input: DescribeVirtualNodeInput): DescribeVirtualNodeOutput {
    const mesh = this.requireMesh(input.meshName);
    return { virtualNode: this.requireNode(mesh, input.virtualNodeName) };
  }

  private updateVirtualNode(input: UpdateVirtualNodeInput): UpdateVirtualNodeOutput {
    const mesh = this.requireMesh(input.meshName);
    const node = this.requireNode(mesh, input.virtualNodeName);
    node.spec = this.requiredSpec(input.spec);
    this.touch(node.metadata);
    return { virtualNode: node };
  }

  private deleteVirtualNode(input: DeleteVirtualNodeInput): DeleteVirtualNodeOutput {
    const mesh = this.requireMesh(input.meshName);
    const virtualNodeName = this.validName('virtualNodeName', input.virtualNodeName);
    const node = this.requireNode(mesh, virtualNodeName);
    const user = this.routeTargeting(mesh, virtualNodeName);
    if (user !== undefined) {
      throw this.error(
        ResourceInUseException,
        `Virtual node "${virtualNodeName}" is a weighted target of route "${user.routeName}" in virtual router "${user.virtualRouterName}".`,
      );
    }
    mesh.nodes.delete(virtualNodeName);
    this.tags.delete(node.metadata?.arn ?? '');
    return { virtualNode: { ...node, status: { status: 'DELETED' } } };
  }

  private listVirtualNodes(input: ListVirtualNodesInput): ListVirtualNodesOutput {
    const mesh = this.requireMesh(input.meshName);
    const page = this.page([...mesh.nodes.values()], input.limit, input.nextToken);
    return {
      virtualNodes: page.items.map((node) => ({
        meshName: node.meshName,
        virtualNodeName: node.virtualNodeName,
        ...this.refMetadata(node.metadata),
      })),
      nextToken: page.nextToken,
    };
  }

  private validateRouteSpec(mesh: MeshRecord, spec: RouteSpec): void {
    const { type: routeType, route } = this.typedRouteOf(spec);
    if (spec.priority !== undefined && !(Number.isInteger(spec.priority) && spec.priority >= 0 && spec.priority <= 1000)) {
      throw this.error(BadRequestException, 'spec.priority must be an integer between 0 and 1000.');
    }
    if (routeType !== 'tcpRoute' && route.match === undefined) {
      throw this.error(BadRequestException, `spec.${routeType}.match is required.`);
    }
    const field = `spec.${routeType}.action.weightedTargets`;
    const targets = route.action?.weightedTargets;
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > MAX_WEIGHTED_TARGETS) {
      throw this.error(BadRequestException, `${field} must contain between 1 and ${MAX_WEIGHTED_TARGETS} targets.`);
    }
    const seen = new Set<string>();
    targets.forEach((target, index) => {
      const virtualNode = this.validName(`${field}[${index}].virtualNode`, target.virtualNode);
      const { weight, port } = target;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
        throw this.error(
          BadRequestException,
          `${field}[${index}].weight must be an integer between 0 and 100 (virtual node "${virtualNode}", got ${String(weight)}).`,
        );
      }
      if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
        throw this.error(BadRequestException, `${field}[${index}].port must be an integer between 1 and 65535.`);
      }
      if (seen.has(virtualNode)) {
        throw this.error(BadRequestException, `${field} names virtual node "${virtualNode}" more than once.`);
      }
      seen.add(virtualNode);
    });
    for (const virtualNode of seen) {
      if (!mesh.nodes.has(virtualNode)) {
        throw this.error(
          NotFoundException,
          `Virtual node "${virtualNode}" named in ${field} not found in mesh "${mesh.name}".`,
        );
      }
    }
  }

  private typedRouteOf(spec: RouteSpec): { type: RouteType; route: HttpRoute | GrpcRoute | TcpRoute } {
    const present = ROUTE_TYPES.filter((type) => spec[type] !== undefined && spec[type] !== null);
    const [type] = present;
    const route = type === undefined ? undefined : spec[type];
    if (present.length !== 1 || type === undefined || route === undefined) {
      throw this.error(
        BadRequestException,
        `spec must contain exactly one of ${ROUTE_TYPES.join(', ')} (found ${present.length === 0 ? 'none' : present.join(', ')}).`,
      );
    }
    return { type, route };
  }

  private routeTargeting(mesh: MeshRecord, virtualNodeName: string): RouteData | undefined {
    for (const router of mesh.routers.values()) {
      for (const route of router.routes.values()) {
        const spec = route.spec ?? {};
        const targets = ROUTE_TYPES.flatMap((type) => spec[type]?.action?.weightedTargets ?? []);
        if (targets.some((target) => target.virtualNode === virtualNodeName)) {
          return route;
        }
      }
    }
    return undefined;
  }

  private requireMesh(meshName: string | undefined): MeshRecord {
    const name = this.validName('meshName', meshName);
    const mesh = this.meshes.get(name);
    if (mesh === undefined) {
      throw this.error(NotFoundException, `Mesh "${name}" not found.`);
    }
    return mesh;
  }

  private requireRouter(mesh: MeshRecord, virtualRouterName: string | undefined): RouterRecord {
    const name = this.validName('virtualRouterName', virtualRouterName);
    const router = mesh.routers.get(name);
    if (router === undefined) {
      throw this.error(NotFoundException, `Virtual router "${name}" not found in mesh "${mesh.name}".`);
    }
    return router;
  }

  private requireRoute(router: RouterRecord, routeName: string | undefined): RouteData {
    const name = this.validName('routeName', routeName);
    const route = router.routes.get(name);
    if (route === undefined) {
      throw this.error(
        NotFoundException,
        `Route "${name}" not found in virtual router "${router.name}" of mesh "${router.data.meshName}".`,
      );
    }
    return route;
  }

  private requireNode(mesh: MeshRecord, virtualNodeName: string | undefined): VirtualNodeData {
    const name = this.validName('virtualNodeName', virtualNodeName);
    const node = mesh.nodes.get(name);
    if (node === undefined) {
      throw this.error(NotFoundException, `Virtual node "${name}" not found in mesh "${mesh.name}".`);
    }
    return node;
  }

  private validName(field: string, value: unknown): string {
    if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
      throw this.error(BadRequestException, `${field} must be 1-255 characters of letters, digits, hyphens and underscores.`);
    }
    return value;
  }

  private requiredSpec<T>(spec: T | undefined): T {
    if (spec === undefined || spec === null || typeof spec !== 'object') {
      throw this.error(BadRequestException, 'spec is required.');
    }
    return spec;
  }

  private page<T>(items: T[], limit: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIST_LIMIT)) {
      throw this.error(BadRequestException, `limit must be an integer between 1 and ${MAX_LIST_LIMIT}.`);
    }
    const start = nextToken === undefined ? 0 : Number(nextToken);
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw this.error(BadRequestException, 'nextToken is invalid.');
    }
    const end = start + (limit ?? MAX_LIST_LIMIT);
    return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
  }

  private refMetadata(metadata: ResourceMetadata | undefined) {
    return {
      meshOwner: metadata?.meshOwner,
      resourceOwner: metadata?.resourceOwner,
      arn: metadata?.arn,
      version: metadata?.version,
      createdAt: metadata?.createdAt,
      lastUpdatedAt: metadata?.lastUpdatedAt,
    };
  }

  private tagResource(input: TagResourceInput): TagResourceOutput {
    const tags = this.requireTagged(input.resourceArn);
    for (const tag of input.tags ?? []) {
      const existing = tags.find((candidate) => candidate.key === tag.key);
      if (existing === undefined) tags.push({ ...tag });
      else existing.value = tag.value;
    }
    return {};
  }

  private listTagsForResource(input: ListTagsForResourceInput): ListTagsForResourceOutput {
    return { tags: deepClone(this.requireTagged(input.resourceArn)) };
  }

  private requireTagged(resourceArn: string | undefined): TagRef[] {
    const tags = this.tags.get(resourceArn ?? '');
    if (tags === undefined) throw this.error(NotFoundException, `The specified resource ${resourceArn ?? ''} does not exist.`);
    return tags;
  }

  private newMetadata(arn: string, tags: TagRef[] = []): ResourceMetadata {
    this.tags.set(arn, deepClone(tags));
    const now = this.context.now();
    return {
      arn,
      uid: this.context.newId(),
      version: 1,
      createdAt: now,
      lastUpdatedAt: now,
      meshOwner: this.context.accountId,
      resourceOwner: this.context.accountId,
    };
  }

  private touch(metadata: ResourceMetadata | undefined): void {
    if (metadata !== undefined) {
      metadata.version = (metadata.version ?? 0) + 1;
      metadata.lastUpdatedAt = this.context.now();
    }
  }

  private meshArn(meshName: string): string {
    return `arn:aws:appmesh:${this.context.region}:${this.context.accountId}:mesh/${meshName}`;
  }

  private error(ErrorClass: SdkErrorClass, message: string): Error {
    return serviceError('appmesh', ErrorClass, message);
  }
}
