import {
  AppMeshClient,
  ConflictException,
  CreateVirtualNodeCommand,
  DeleteVirtualNodeCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  NotFoundException,
  ResourceInUseException,
  type RouteSpec,
  TooManyRequestsException,
  UpdateRouteCommand,
  type VirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { mockClient } from 'aws-sdk-client-mock';
import { AppMeshTrafficRouter } from '../../../../functions/shared/adapters/app-mesh-traffic-router';
import { ResourceMissingError, TransientAwsError } from '../../../../functions/shared/domain/errors';

const appMesh = mockClient(AppMeshClient);
const ref = { mesh: 'colorapp', meshOwner: '111122223333', virtualRouter: 'colorteller-vr', route: 'colorteller-route' };

function readSpec(): RouteSpec {
  return {
    priority: 10,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-color', invert: false, match: { exact: 'blue' } }], method: 'GET', scheme: 'https' },
      retryPolicy: { maxRetries: 3, perRetryTimeout: { unit: 'ms', value: 500 }, httpRetryEvents: ['server-error', 'gateway-error'], tcpRetryEvents: ['connection-error'] },
      timeout: { perRequest: { unit: 's', value: 10 }, idle: { unit: 's', value: 300 } },
      action: { weightedTargets: [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }] },
    },
  };
}

function stableNodeSpec(): VirtualNodeSpec {
  return {
    listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
    backends: [{ virtualService: { virtualServiceName: 'tcpecho.colorapp.local' } }],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
    serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: 'colorteller-blue' }] } },
  };
}

function router() {
  return new AppMeshTrafficRouter(new AppMeshClient({ region: 'us-west-2' }));
}

beforeEach(() => {
  appMesh.reset();
});

describe('AppMeshTrafficRouter.readRoute', () => {
  it('asks App Mesh for the route and returns its weighted targets', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });

    // Act
    const reading = await router().readRoute(ref);

    // Assess
    expect(reading.targets).toEqual([{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }]);
    expect(appMesh).toHaveReceivedCommandWith(DescribeRouteCommand, {
      meshName: 'colorapp',
      meshOwner: '111122223333',
      virtualRouterName: 'colorteller-vr',
      routeName: 'colorteller-route',
    });
  });

  it('turns NotFoundException into ResourceMissingError, naming the route', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).rejects(new NotFoundException({ message: 'Route not found', $metadata: {} }));

    // Act
    const read = router().readRoute(ref);

    // Assess
    await expect(read).rejects.toThrow(ResourceMissingError);
    await expect(read).rejects.toThrow(/colorteller-route/);
  });

  it('treats a route without spec as missing', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: undefined });

    // Act
    const read = router().readRoute(ref);

    // Assess
    await expect(read).rejects.toThrow(ResourceMissingError);
  });

  it('turns throttling into a retryable TransientAwsError that carries the SDK error', async () => {
    // Prepare
    const throttled = new TooManyRequestsException({ message: 'x', $metadata: {} });
    appMesh.on(DescribeRouteCommand).rejects(throttled);

    // Act
    const error = await router()
      .readRoute(ref)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as TransientAwsError).cause).toBe(throttled);
  });
});

describe('AppMeshTrafficRouter.writeRoutes', () => {
  it('sends the spec it read with only the weighted targets replaced (I1)', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });
    appMesh.on(UpdateRouteCommand).resolves({});
    const mesh = router();
    const reading = await mesh.readRoute(ref);
    const targets = [
      { virtualNode: 'colorteller-v1', weight: 90, port: 9080 },
      { virtualNode: 'colorteller-v2', weight: 10, port: 9080 },
    ];

    // Act
    await mesh.writeRoutes([{ route: ref, reading, targets: targets }]);

    // Assess
    const expected = readSpec();
    expected.httpRoute = { ...expected.httpRoute, action: { weightedTargets: targets } } as RouteSpec['httpRoute'];
    expect(appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 1);
    expect(appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, {
      meshName: 'colorapp',
      meshOwner: '111122223333',
      virtualRouterName: 'colorteller-vr',
      routeName: 'colorteller-route',
      spec: expected,
    });
    expect(appMesh.commandCalls(UpdateRouteCommand)[0]?.args[0].input.spec).toStrictEqual(expected);
  });

  it('writes a gRPC route back with its retry events and metadata match intact', async () => {
    // Prepare
    const grpcSpec: RouteSpec = {
      grpcRoute: {
        match: { serviceName: 'color.Teller', methodName: 'GetColor', metadata: [{ name: 'tenant', match: { prefix: 'a' } }] },
        retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 's', value: 1 }, grpcRetryEvents: ['unavailable'], httpRetryEvents: ['stream-error'] },
        timeout: { perRequest: { unit: 's', value: 5 } },
        action: { weightedTargets: [{ virtualNode: 'colorteller-v1', weight: 100 }] },
      },
    };
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: structuredClone(grpcSpec) } as never });
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    await mesh.writeRoutes([{ route: ref, reading, targets: [{ virtualNode: 'colorteller-v2', weight: 100 }] }]);

    // Assess
    expect(appMesh.commandCalls(UpdateRouteCommand)[0]?.args[0].input.spec).toStrictEqual({
      grpcRoute: { ...grpcSpec.grpcRoute, action: { weightedTargets: [{ virtualNode: 'colorteller-v2', weight: 100 }] } },
    });
  });

  it('sends nothing when the targets break App Mesh\'s rules (I2)', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([{ route: ref, reading, targets: [{ virtualNode: 'colorteller-v2', weight: 101 }] }]);

    // Assess
    await expect(write).rejects.toThrow('Weight of colorteller-v2 must be an integer from 0 to 100; got 101');
    expect(appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
  });

  it('turns a route deleted meanwhile into ResourceMissingError', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });
    appMesh.on(UpdateRouteCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([{ route: ref, reading, targets: [{ virtualNode: 'colorteller-v1', weight: 100 }] }]);

    // Assess
    await expect(write).rejects.toThrow(ResourceMissingError);
  });

  it('turns throttling on UpdateRoute into TransientAwsError', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });
    appMesh.on(UpdateRouteCommand).rejects(new TooManyRequestsException({ message: 'x', $metadata: {} }));
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([{ route: ref, reading, targets: [{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }] }]);

    // Assess
    await expect(write).rejects.toThrow(TransientAwsError);
  });
  it('sends one UpdateRoute per route, in order, each with its own spec', async () => {
    // Prepare
    const grpcRef = { ...ref, route: 'colorteller-grpc' };
    const grpcSpec: RouteSpec = { grpcRoute: { match: { serviceName: 'color.Teller' }, action: { weightedTargets: [{ virtualNode: 'colorteller-v1', weight: 100 }] } } };
    appMesh.on(DescribeRouteCommand, { routeName: ref.route }).resolves({ route: { spec: readSpec() } as never });
    appMesh.on(DescribeRouteCommand, { routeName: grpcRef.route }).resolves({ route: { spec: structuredClone(grpcSpec) } as never });
    appMesh.on(UpdateRouteCommand).resolves({});
    const mesh = router();
    const split = [
      { virtualNode: 'colorteller-v1', weight: 90 },
      { virtualNode: 'colorteller-v2', weight: 10 },
    ];

    // Act
    await mesh.writeRoutes([
      { route: ref, reading: await mesh.readRoute(ref), targets: split },
      { route: grpcRef, reading: await mesh.readRoute(grpcRef), targets: split },
    ]);

    // Assess
    expect(appMesh.commandCalls(UpdateRouteCommand).map((call) => call.args[0].input.routeName)).toEqual(['colorteller-route', 'colorteller-grpc']);
    expect(appMesh.commandCalls(UpdateRouteCommand)[1]?.args[0].input.spec).toStrictEqual({ grpcRoute: { ...grpcSpec.grpcRoute, action: { weightedTargets: split } } });
  });

  it('sends nothing when any route\'s targets break App Mesh\'s rules, even one after a valid write (I2)', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({ route: { spec: readSpec() } as never });
    const mesh = router();
    const reading = await mesh.readRoute(ref);

    // Act
    const write = mesh.writeRoutes([
      { route: ref, reading, targets: [{ virtualNode: 'colorteller-v2', weight: 100 }] },
      { route: { ...ref, route: 'colorteller-grpc' }, reading, targets: [] },
    ]);

    // Assess
    await expect(write).rejects.toThrow('A route needs 1 to 10 weighted targets; got 0');
    expect(appMesh).toHaveReceivedCommandTimes(UpdateRouteCommand, 0);
  });
});

describe('AppMeshTrafficRouter.createCanaryBackend', () => {
  const input = { mesh: 'colorapp', meshOwner: '111122223333', stableNode: 'colorteller-v1', canaryNode: 'colorteller-v2', canaryService: 'colorteller-green' };

  it('copies the stable node and narrows Cloud Map discovery to the canary service', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { spec: stableNodeSpec() } as never });
    appMesh.on(CreateVirtualNodeCommand).resolves({});

    // Act
    await router().createCanaryBackend(input);

    // Assess
    expect(appMesh).toHaveReceivedCommandWith(DescribeVirtualNodeCommand, { meshName: 'colorapp', meshOwner: '111122223333', virtualNodeName: 'colorteller-v1' });
    expect(appMesh).toHaveReceivedCommandWith(CreateVirtualNodeCommand, {
      meshName: 'colorapp',
      meshOwner: '111122223333',
      virtualNodeName: 'colorteller-v2',
      spec: {
        ...stableNodeSpec(),
        serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: 'colorteller-green' }] } },
      },
    });
  });

  it('accepts a canary node that appeared meanwhile (ConflictException)', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { spec: stableNodeSpec() } as never });
    appMesh.on(CreateVirtualNodeCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));

    // Act
    const create = router().createCanaryBackend(input);

    // Assess
    await expect(create).resolves.toBeUndefined();
    expect(appMesh).toHaveReceivedCommandTimes(CreateVirtualNodeCommand, 1);
  });

  it('fails with ResourceMissingError when the stable node does not exist, creating nothing', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).rejects(new NotFoundException({ message: 'no node', $metadata: {} }));

    // Act
    const create = router().createCanaryBackend(input);

    // Assess
    await expect(create).rejects.toThrow(ResourceMissingError);
    expect(appMesh).toHaveReceivedCommandTimes(CreateVirtualNodeCommand, 0);
  });

  it('passes on other create failures', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { spec: stableNodeSpec() } as never });
    appMesh.on(CreateVirtualNodeCommand).rejects(new TooManyRequestsException({ message: 'x', $metadata: {} }));

    // Act
    const create = router().createCanaryBackend(input);

    // Assess
    await expect(create).rejects.toThrow(TransientAwsError);
  });
});

describe('AppMeshTrafficRouter.backendExists and serviceOfBackend', () => {
  const backend = { mesh: 'colorapp', node: 'colorteller-v1' };

  it('finds an existing node and the ECS service it selects', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).resolves({ virtualNode: { spec: stableNodeSpec() } as never });
    const mesh = router();

    // Act
    const exists = await mesh.backendExists(backend);
    const service = await mesh.serviceOfBackend(backend);

    // Assess
    expect(exists).toBe(true);
    expect(service).toBe('colorteller-blue');
  });

  it('reports a missing node as absent with no service', async () => {
    // Prepare
    appMesh.on(DescribeVirtualNodeCommand).rejects(new NotFoundException({ message: 'no node', $metadata: {} }));
    const mesh = router();

    // Act
    const exists = await mesh.backendExists(backend);
    const service = await mesh.serviceOfBackend(backend);

    // Assess
    expect(exists).toBe(false);
    expect(service).toBeUndefined();
  });
});

describe('AppMeshTrafficRouter.retireBackend', () => {
  const backend = { mesh: 'colorapp', meshOwner: '111122223333', node: 'colorteller-v2' };

  it('deletes the node', async () => {
    // Prepare
    appMesh.on(DeleteVirtualNodeCommand).resolves({});

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe('deleted');
    expect(appMesh).toHaveReceivedCommandWith(DeleteVirtualNodeCommand, { meshName: 'colorapp', meshOwner: '111122223333', virtualNodeName: 'colorteller-v2' });
  });

  it.each([
    ['NotFoundException', new NotFoundException({ message: 'gone', $metadata: {} }), 'already-gone'],
    ['ResourceInUseException', new ResourceInUseException({ message: 'in use', $metadata: {} }), 'still-referenced'],
  ])('maps %s to %s', async (_name, error, expected) => {
    // Prepare
    appMesh.on(DeleteVirtualNodeCommand).rejects(error);

    // Act
    const result = await router().retireBackend(backend);

    // Assess
    expect(result).toBe(expected);
  });

  it('turns throttling into TransientAwsError with the SDK error as cause', async () => {
    // Prepare
    const throttled = new TooManyRequestsException({ message: 'x', $metadata: {} });
    appMesh.on(DeleteVirtualNodeCommand).rejects(throttled);

    // Act
    const error = await router()
      .retireBackend(backend)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).cause).toBe(throttled);
  });
});
