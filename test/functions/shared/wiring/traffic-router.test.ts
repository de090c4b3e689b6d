import { AppMeshClient, DescribeRouteCommand } from '@aws-sdk/client-app-mesh';
import { GetRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import type { TrafficRouter } from '../../../../functions/shared/ports/traffic-router';
import { routerPerProvider, trafficRouter } from '../../../../functions/shared/wiring/traffic-router';

/** A router that only says which provider it is, for every call. */
function namedRouter(name: string, calls: string[]): TrafficRouter {
  const record = (method: string) => async () => {
    calls.push(`${name}.${method}`);
    return undefined as never;
  };
  return {
    readRoute: record('readRoute'),
    writeRoutes: record('writeRoutes'),
    backendExists: record('backendExists'),
    createCanaryBackend: record('createCanaryBackend'),
    routeTags: record('routeTags'),
    serviceOfBackend: record('serviceOfBackend'),
    retireBackend: record('retireBackend'),
  };
}

const appMeshRoute = { mesh: 'colorapp', virtualRouter: 'colorteller-vr', route: 'colorteller-route' };
const latticeRoute = { provider: 'lattice' as const, mesh: '', virtualRouter: 'svc-0123456789abcdef0', route: 'listener-0123456789abcdef0/rule-0123456789abcdef0' };

describe('routerPerProvider', () => {
  it('sends every call to the router of the reference\'s provider, and an untagged reference to App Mesh', async () => {
    // Prepare
    const calls: string[] = [];
    const router = routerPerProvider({ appmesh: namedRouter('appmesh', calls), lattice: namedRouter('lattice', calls) });
    const canary = { mesh: 'colorapp', stableNode: 'blue', canaryNode: 'green', canaryService: 'colorteller' };

    // Act
    await router.readRoute(appMeshRoute);
    await router.readRoute(latticeRoute);
    await router.backendExists({ provider: 'lattice', mesh: '', node: 'tg-0123456789abcdef0' });
    await router.createCanaryBackend(canary);
    await router.createCanaryBackend({ ...canary, provider: 'lattice' });
    await router.routeTags(latticeRoute);
    await router.serviceOfBackend({ mesh: 'colorapp', node: 'blue' });
    await router.retireBackend({ provider: 'lattice', mesh: '', node: 'tg-0123456789abcdef0' });

    // Assess
    expect(calls).toEqual([
      'appmesh.readRoute',
      'lattice.readRoute',
      'lattice.backendExists',
      'appmesh.createCanaryBackend',
      'lattice.createCanaryBackend',
      'lattice.routeTags',
      'appmesh.serviceOfBackend',
      'lattice.retireBackend',
    ]);
  });
});

describe('routerPerProvider writeRoutes', () => {
  it("hands each provider its own writes in one call, in the order of each provider's first write", async () => {
    // Prepare
    const received: Array<[string, string[]]> = [];
    const writer = (name: string): TrafficRouter => ({
      ...namedRouter(name, []),
      writeRoutes: async (writes) => {
        received.push([name, writes.map((write) => write.route.route)]);
      },
    });
    const router = routerPerProvider({ appmesh: writer('appmesh'), lattice: writer('lattice') });
    const reading = { targets: [], handle: undefined };
    const secondLatticeRoute = { ...latticeRoute, route: 'listener-0123456789abcdef0/default' };

    // Act
    await router.writeRoutes([
      { route: latticeRoute, reading, targets: [] },
      { route: appMeshRoute, reading, targets: [] },
      { route: secondLatticeRoute, reading, targets: [] },
    ]);

    // Assess
    expect(received).toEqual([
      ['lattice', [latticeRoute.route, secondLatticeRoute.route]],
      ['appmesh', [appMeshRoute.route]],
    ]);
  });
});

describe('the wired traffic router', () => {
  const appMesh = mockClient(AppMeshClient);
  const lattice = mockClient(VPCLatticeClient);

  beforeEach(() => {
    appMesh.reset();
    lattice.reset();
  });

  it('reads an App Mesh route through App Mesh and a Lattice rule through VPC Lattice, nothing else', async () => {
    // Prepare
    appMesh.on(DescribeRouteCommand).resolves({
      route: { meshName: 'colorapp', virtualRouterName: 'colorteller-vr', routeName: 'colorteller-route', spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'blue', weight: 1 }] } } }, metadata: { version: 3 } as never, status: { status: 'ACTIVE' } },
    });
    lattice.on(GetRuleCommand).resolves({
      id: 'rule-0123456789abcdef0',
      priority: 10,
      match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
      action: { forward: { targetGroups: [{ targetGroupIdentifier: 'tg-0123456789abcdef0', weight: 8 }, { targetGroupIdentifier: 'tg-0123456789abcdef1', weight: 2 }] } },
    });

    // Act
    const meshReading = await trafficRouter.readRoute(appMeshRoute);
    const latticeReading = await trafficRouter.readRoute(latticeRoute);

    // Assess
    expect(meshReading.targets).toEqual([{ virtualNode: 'blue', weight: 1 }]);
    expect(latticeReading.targets).toEqual([
      { virtualNode: 'tg-0123456789abcdef0', weight: 8 },
      { virtualNode: 'tg-0123456789abcdef1', weight: 2 },
    ]);
    expect(appMesh.commandCalls(DescribeRouteCommand)).toHaveLength(1);
    expect(lattice.commandCalls(GetRuleCommand)).toHaveLength(1);
    expect(lattice.commandCalls(GetRuleCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: 'svc-0123456789abcdef0',
      listenerIdentifier: 'listener-0123456789abcdef0',
      ruleIdentifier: 'rule-0123456789abcdef0',
    });
  });
});
