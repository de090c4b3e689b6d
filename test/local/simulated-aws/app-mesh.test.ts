import {
  AppMeshClient,
  BadRequestException,
  ConflictException,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  DeleteRouteCommand,
  DeleteVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  ListRoutesCommand,
  ListVirtualNodesCommand,
  NotFoundException,
  ResourceInUseException,
  type RouteSpec,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  type WeightedTarget,
} from '@aws-sdk/client-app-mesh';
import { SimulatedAws } from '../../../local/simulated-aws';
import { MESH, ROUTE, ROUTER, createColorMesh, httpSpec, nodeSpec } from './mesh-fixture';

const V1 = 'colorteller-v1';
const V2 = 'colorteller-v2';

function setup() {
  const sim = new SimulatedAws();
  const client = sim.attach(new AppMeshClient({ region: 'us-west-2' }));
  return { sim, client };
}

function updateRoute(client: AppMeshClient, spec: RouteSpec) {
  return client.send(new UpdateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec }));
}

function describeRoute(client: AppMeshClient) {
  return client.send(new DescribeRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE }));
}

describe('simulated App Mesh', () => {
  describe('resources', () => {
    it('creates a route with the RouteData shape, ARN and version 1', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const { route } = await describeRoute(client);

      // Assess
      expect(route).toEqual({
        meshName: MESH,
        virtualRouterName: ROUTER,
        routeName: ROUTE,
        spec: httpSpec([{ virtualNode: V1, weight: 100 }]),
        metadata: {
          arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}/virtualRouter/${ROUTER}/route/${ROUTE}`,
          uid: expect.any(String),
          version: 1,
          createdAt: expect.any(Date),
          lastUpdatedAt: expect.any(Date),
          meshOwner: '111122223333',
          resourceOwner: '111122223333',
        },
        status: { status: 'ACTIVE' },
      });
    });

    it('describes meshes, virtual routers and virtual nodes with their ARNs', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const { mesh } = await client.send(new DescribeMeshCommand({ meshName: MESH }));
      const { virtualRouter } = await client.send(new DescribeVirtualRouterCommand({ meshName: MESH, virtualRouterName: ROUTER }));
      const { virtualNode } = await client.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: V2 }));

      // Assess
      expect(mesh).toMatchObject({ meshName: MESH, status: { status: 'ACTIVE' }, metadata: { arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}` } });
      expect(virtualRouter?.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}/virtualRouter/${ROUTER}`);
      expect(virtualNode).toMatchObject({
        meshName: MESH,
        virtualNodeName: V2,
        spec: nodeSpec(`${V2}.local`),
        metadata: { arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}/virtualNode/${V2}`, version: 1 },
        status: { status: 'ACTIVE' },
      });
    });

    it.each([
      ['an invalid character', 'bad name!'],
      ['an empty name', ''],
      ['a 256-character name', 'r'.repeat(256)],
    ])('rejects a route name with %s as a BadRequestException naming the field', async (_case, routeName) => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await client
        .send(new CreateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName, spec: httpSpec([{ virtualNode: V1, weight: 100 }]) }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 }, message: expect.stringContaining('routeName') });
    });

    it('accepts a 255-character name made of letters, digits, hyphens and underscores', async () => {
      // Prepare
      const { client } = setup();
      const meshName = `Mesh_0-${'x'.repeat(248)}`;

      // Act
      const { mesh } = await client.send(new CreateMeshCommand({ meshName }));

      // Assess
      expect(meshName).toHaveLength(255);
      expect(mesh?.meshName).toBe(meshName);
    });

    it.each([
      ['mesh', { meshName: 'ghost', virtualRouterName: ROUTER, routeName: ROUTE }, 'Mesh "ghost"'],
      ['virtual router', { meshName: MESH, virtualRouterName: 'ghost', routeName: ROUTE }, 'Virtual router "ghost"'],
      ['route', { meshName: MESH, virtualRouterName: ROUTER, routeName: 'ghost' }, 'Route "ghost"'],
    ])('answers DescribeRoute for a missing %s with a NotFoundException naming it', async (_which, input, named) => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await client.send(new DescribeRouteCommand(input)).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(NotFoundException);
      expect(error).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 }, message: expect.stringContaining(named) });
    });

    it('answers DescribeVirtualNode for a missing node with a NotFoundException naming it', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await client.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'ghost' })).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(NotFoundException);
      expect((error as Error).message).toContain('Virtual node "ghost"');
    });

    it.each([
      ['mesh', new CreateMeshCommand({ meshName: MESH })],
      ['virtual router', new CreateVirtualRouterCommand({ meshName: MESH, virtualRouterName: ROUTER, spec: {} })],
      ['route', new CreateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: httpSpec([{ virtualNode: V1, weight: 100 }]) })],
      ['virtual node', new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: V1, spec: {} })],
    ])('answers creating an existing %s with a ConflictException', async (_which, command) => {
      // Prepare
      const { sim, client } = setup();
      await createColorMesh(client);

      // Act
      const error = await sim.send(command).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ConflictException);
      expect(error).toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
    });

    it('deletes a route, returning it as DELETED, after which it cannot be described', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const { route } = await client.send(new DeleteRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE }));
      const error = await describeRoute(client).catch((caught: unknown) => caught);

      // Assess
      expect(route?.status).toEqual({ status: 'DELETED' });
      expect(error).toBeInstanceOf(NotFoundException);
    });

    it('pages ListRoutes and ListVirtualNodes with limit and nextToken', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client, [V1, V2, 'colorteller-v3']);
      await client.send(
        new CreateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: 'second', spec: httpSpec([{ virtualNode: V2, weight: 1 }]) }),
      );

      // Act
      const firstRoutes = await client.send(new ListRoutesCommand({ meshName: MESH, virtualRouterName: ROUTER, limit: 1 }));
      const restRoutes = await client.send(new ListRoutesCommand({ meshName: MESH, virtualRouterName: ROUTER, limit: 1, nextToken: firstRoutes.nextToken }));
      const nodes = await client.send(new ListVirtualNodesCommand({ meshName: MESH }));

      // Assess
      expect(firstRoutes.routes).toEqual([
        expect.objectContaining({ routeName: ROUTE, virtualRouterName: ROUTER, meshName: MESH, version: 1, arn: expect.stringContaining(`/route/${ROUTE}`) }),
      ]);
      expect(restRoutes.routes?.map((route) => route.routeName)).toEqual(['second']);
      expect(restRoutes.nextToken).toBeUndefined();
      expect(nodes.virtualNodes?.map((node) => node.virtualNodeName)).toEqual([V1, V2, 'colorteller-v3']);
    });

    it('replaces a virtual node spec on UpdateVirtualNode and bumps its version', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      const spec = { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' as const } }] };

      // Act
      const { virtualNode } = await client.send(new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: V2, spec }));

      // Assess
      expect(virtualNode?.spec).toEqual(spec);
      expect(virtualNode?.metadata?.version).toBe(2);
    });
  });

  describe('route spec rules', () => {
    it.each([
      ['no route type', {}],
      ['two route types', { ...httpSpec([{ virtualNode: V1, weight: 100 }]), tcpRoute: { action: { weightedTargets: [{ virtualNode: V1, weight: 100 }] } } }],
    ])('rejects a spec with %s', async (_case, spec) => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, spec).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toContain('exactly one of httpRoute, http2Route, grpcRoute, tcpRoute');
    });

    it.each(['http2Route', 'grpcRoute', 'tcpRoute'] as const)('accepts a %s as the only route type', async (routeType) => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      const match = routeType === 'grpcRoute' ? { serviceName: 'color.Teller' } : routeType === 'tcpRoute' ? undefined : { prefix: '/' };
      const spec: RouteSpec = { [routeType]: { match, action: { weightedTargets: [{ virtualNode: V2, weight: 100 }] } } };

      // Act
      const { route } = await updateRoute(client, spec);

      // Assess
      expect(route?.spec).toEqual(spec);
    });

    it('requires a match on an httpRoute', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, { httpRoute: { match: undefined, action: { weightedTargets: [{ virtualNode: V1, weight: 100 }] } } }).catch(
        (caught: unknown) => caught,
      );

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toContain('spec.httpRoute.match');
    });

    it.each([
      ['a non-integer weight', 12.5],
      ['a weight above 100', 101],
      ['a negative weight', -1],
    ])('rejects %s with a BadRequestException naming the target', async (_case, weight) => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 50 }, { virtualNode: V2, weight }])).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 }, message: expect.stringContaining(`weightedTargets[1].weight`) });
      expect((error as Error).message).toContain(V2);
    });

    it('accepts the boundary weights 0 and 100 and an explicit port', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      const targets = [
        { virtualNode: V1, weight: 100, port: 9080 },
        { virtualNode: V2, weight: 0 },
      ];

      // Act
      const { route } = await updateRoute(client, httpSpec(targets));

      // Assess
      expect(route?.spec?.httpRoute?.action?.weightedTargets).toEqual(targets);
    });

    it('rejects a port outside 1-65535', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 100, port: 70000 }])).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toContain('port');
    });

    it('accepts 10 weighted targets and rejects 11', async () => {
      // Prepare
      const { client } = setup();
      const nodes = Array.from({ length: 11 }, (_unused, index) => `node-${index}`);
      await createColorMesh(client, nodes);
      const targets = (count: number): WeightedTarget[] => nodes.slice(0, count).map((virtualNode) => ({ virtualNode, weight: 1 }));

      // Act
      const ten = await updateRoute(client, httpSpec(targets(10)));
      const eleven = await updateRoute(client, httpSpec(targets(11))).catch((caught: unknown) => caught);

      // Assess
      expect(ten.route?.spec?.httpRoute?.action?.weightedTargets).toHaveLength(10);
      expect(eleven).toBeInstanceOf(BadRequestException);
      expect((eleven as Error).message).toContain('between 1 and 10 targets');
    });

    it('rejects an empty weighted target list', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, httpSpec([])).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
    });

    it('rejects a virtual node named twice among the targets', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 50 }, { virtualNode: V1, weight: 50 }])).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toContain(`"${V1}" more than once`);
    });

    it('rejects a target naming a virtual node that does not exist with a NotFoundException naming it', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      const error = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 50 }, { virtualNode: 'colorteller-v9', weight: 50 }])).catch(
        (caught: unknown) => caught,
      );

      // Assess
      expect(error).toBeInstanceOf(NotFoundException);
      expect((error as Error).message).toContain('"colorteller-v9"');
    });
  });

  describe('UpdateRoute', () => {
    it('stores exactly the spec sent, so a field omitted from the update is gone', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      await updateRoute(client, {
        priority: 5,
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNode: V1, weight: 100 }] },
          retryPolicy: { maxRetries: 3, perRetryTimeout: { unit: 'ms', value: 500 }, httpRetryEvents: ['server-error'] },
          timeout: { perRequest: { unit: 's', value: 15 } },
        },
      });
      const withoutRetries = httpSpec([{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]);

      // Act
      await updateRoute(client, withoutRetries);
      const { route } = await describeRoute(client);

      // Assess
      expect(route?.spec).toEqual(withoutRetries);
      expect(route?.spec?.httpRoute?.retryPolicy).toBeUndefined();
      expect(route?.spec?.priority).toBeUndefined();
    });

    it('increments metadata.version on each update and moves lastUpdatedAt', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      const created = (await describeRoute(client)).route;

      // Act
      const first = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]));
      const second = await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 50 }, { virtualNode: V2, weight: 50 }]));

      // Assess
      expect([created?.metadata?.version, first.route?.metadata?.version, second.route?.metadata?.version]).toEqual([1, 2, 3]);
      expect(second.route?.metadata?.createdAt).toEqual(created?.metadata?.createdAt);
      expect(second.route?.metadata?.lastUpdatedAt?.getTime()).toBeGreaterThanOrEqual(created?.metadata?.lastUpdatedAt?.getTime() ?? Infinity);
    });

    it('leaves the route and its version untouched when an update is rejected', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);

      // Act
      await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 101 }])).catch(() => undefined);
      const { route } = await describeRoute(client);

      // Assess
      expect(route?.metadata?.version).toBe(1);
      expect(route?.spec).toEqual(httpSpec([{ virtualNode: V1, weight: 100 }]));
    });
  });

  describe('DeleteVirtualNode', () => {
    it('refuses to delete a node a route still targets, then deletes it once no route does', async () => {
      // Prepare
      const { client } = setup();
      await createColorMesh(client);
      await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]));

      // Act
      const inUse = await client.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: V2 })).catch((caught: unknown) => caught);
      await updateRoute(client, httpSpec([{ virtualNode: V1, weight: 100 }]));
      const { virtualNode } = await client.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: V2 }));
      const gone = await client.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: V2 })).catch((caught: unknown) => caught);

      // Assess
      expect(inUse).toBeInstanceOf(ResourceInUseException);
      expect(inUse).toMatchObject({ $metadata: { httpStatusCode: 409 }, message: expect.stringContaining(ROUTE) });
      expect(virtualNode?.status).toEqual({ status: 'DELETED' });
      expect(gone).toBeInstanceOf(NotFoundException);
    });
  });

  describe('test helpers', () => {
    it('returns a clone of the stored route, or undefined when there is none', async () => {
      // Prepare
      const { sim, client } = setup();
      await createColorMesh(client);

      // Act
      const copy = sim.appMesh.route(MESH, ROUTER, ROUTE);
      copy?.spec?.httpRoute?.action?.weightedTargets?.push({ virtualNode: V2, weight: 5 });

      // Assess
      expect(sim.appMesh.route(MESH, ROUTER, ROUTE)?.spec).toEqual(httpSpec([{ virtualNode: V1, weight: 100 }]));
      expect(sim.appMesh.route(MESH, ROUTER, 'ghost')).toBeUndefined();
      expect(sim.appMesh.virtualNode(MESH, V2)?.spec).toEqual(nodeSpec(`${V2}.local`));
      expect(sim.appMesh.virtualNode(MESH, 'ghost')).toBeUndefined();
    });

    it('edits only the weighted targets as a person would, bumping the version', async () => {
      // Prepare
      const { sim, client } = setup();
      await createColorMesh(client);
      await updateRoute(client, {
        httpRoute: {
          match: { prefix: '/color' },
          action: { weightedTargets: [{ virtualNode: V1, weight: 100 }] },
          timeout: { perRequest: { unit: 's', value: 5 } },
        },
      });

      // Act
      sim.appMesh.editRouteAsPerson(MESH, ROUTER, ROUTE, [{ virtualNode: V1, weight: 30 }, { virtualNode: V2, weight: 70 }]);
      const { route } = await describeRoute(client);

      // Assess
      expect(route?.spec).toEqual({
        httpRoute: {
          match: { prefix: '/color' },
          action: { weightedTargets: [{ virtualNode: V1, weight: 30 }, { virtualNode: V2, weight: 70 }] },
          timeout: { perRequest: { unit: 's', value: 5 } },
        },
      });
      expect(route?.metadata?.version).toBe(3);
    });

    it('holds a person to the same rules as the API', async () => {
      // Prepare
      const { sim, client } = setup();
      await createColorMesh(client);

      // Act
      const edit = () => sim.appMesh.editRouteAsPerson(MESH, ROUTER, ROUTE, [{ virtualNode: 'ghost', weight: 100 }]);

      // Assess
      expect(edit).toThrow(NotFoundException);
      expect(sim.appMesh.route(MESH, ROUTER, ROUTE)?.metadata?.version).toBe(1);
    });
  });
});
