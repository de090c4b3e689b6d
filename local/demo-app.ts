import { AppMeshClient, CreateVirtualNodeCommand, TagResourceCommand as TagAppMeshResourceCommand } from '@aws-sdk/client-app-mesh';
import { TagResourceCommand as TagLatticeResourceCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { LatticePolicyDocument } from '../functions/shared/domain/lattice-policy';
import type { PolicyDocument } from '../functions/shared/domain/policy';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import type { TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { type AlarmOptions, colorApp, defaultColorAppPolicy, meshNodeSpec, registerCanaryTaskDefinition, seedColorApp } from './color-app';
import { createTargetGroup, registerLatticeCanaryTaskDefinition, seedColorAppLattice } from './color-app-lattice';
import type { DataPlaneOptions } from './data-plane';
import type { SimulatedAws, SimulatedCall } from './simulated-aws';
import type { ServiceName } from './simulated-aws/shared';

/** The policy fields that mean the same on every provider, over the demo's own. */
type SharedPolicyFields = 'schedule' | 'bakeSeconds' | 'alarms' | 'toleratedFailedChecks' | 'hooks';

export interface DemoSeedOptions {
  /**
   * More routes beside the demo's, each sending everything to the stable backend (App Mesh routes
   * of the same router, Lattice rules of the same listener), all in the policy: a lockstep rollout.
   */
  extraRoutes?: string[];
  /** Fields of the demo's policy to change; its routes are always every route the demo made. */
  policy?: Partial<Pick<PolicyDocument, SharedPolicyFields>> & { promotion?: Record<string, unknown>; rollback?: Record<string, unknown> };
  alarm?: AlarmOptions;
}

/** A call as a before-call listener sees it, before it has an outcome. */
type Call = Omit<SimulatedCall, 'outcome'>;

/**
 * The color app on one traffic provider, seen the way a scenario needs it: which backends are
 * the stable and the canary version, what the demo route holds, which calls wrote it, and how a
 * person edits it. Everything else a scenario does is the same on every provider.
 *
 * A route is named as people name it: an App Mesh route's name, a Lattice rule's name. Where a
 * method takes one, it defaults to the demo route.
 */
export interface DemoApp {
  provider: TrafficProviderName;
  /** The simulated service the provider's calls go to. */
  service: ServiceName;
  /** The backends as the router names them: App Mesh virtual nodes, Lattice target group ids. */
  stableBackend: string;
  canaryBackend: string;
  /** A backend as people know it: a Lattice target group by its name, not its id. */
  nameOf(backend: string): string;
  /** Every route the demo made, the demo route first. */
  routes: string[];
  /** Where the demo's routes live, as a rollout names it: App Mesh's mesh and router, a Lattice service. */
  routeLocation: { provider: TrafficProviderName; mesh: string; virtualRouter: string };
  /** The route as the policy names it, and as the registry keys its snapshot. */
  policyRoute(route?: string): string;
  /** The policy the demo stored in SSM. */
  policy: PolicyDocument | LatticePolicyDocument;
  /** A weighted target the way this provider's router reads it back (App Mesh's carry the port). */
  target(backend: string, weight: number): WeightedTarget;
  routeTargets(route?: string): WeightedTarget[];
  /**
   * The route as the provider stores it, less what the provider itself changes on every write
   * (Lattice's lastUpdatedAt): a restore gives back exactly this (I3).
   */
  storedRoute(route?: string): unknown;
  /** The stored route with its weighted targets taken out: what no write may change (I1). */
  storedRouteBesidesTargets(route?: string): unknown;
  /** The targets a call asks to write to the route, whether or not it took effect. */
  requestedTargets(call: Call, route?: string): WeightedTarget[] | undefined;
  /** The targets a call wrote to the route, when it is a write of that route that took effect. */
  writtenTargets(call: SimulatedCall, route?: string): WeightedTarget[] | undefined;
  /** The call that reads the route before every write. */
  routeReadOperation: string;
  /** A person setting the demo route's weights in the console. */
  editAsPerson(weights: { stable: number; canary: number }): void;
  /** A person setting a route's targets in the console, any targets the provider accepts. */
  setRouteAsPerson(targets: WeightedTarget[], route?: string): void;
  /** The platform team tagging a route (an App Mesh route, a Lattice rule), e.g. to grant it to another team's service. */
  tagRoute(tags: Record<string, string>, route?: string): Promise<void>;
  /** Makes `count` more backends of the stable version (App Mesh nodes selecting it, Lattice target groups), for routes that split the stable side. */
  addStableBackends(count: number): Promise<string[]>;
  /** Whether the backend exists: App Mesh nodes come and go with rollouts, Lattice target groups stay. */
  backendExists(backend: string): boolean;
  trafficRoutes: Pick<DataPlaneOptions, 'routes' | 'latticeRules'>;
  /** When the route's last write reaches traffic, where the provider rather than Envoy's signal model decides (epoch ms). */
  routeInForceAt?(): number;
  /** The calls that read and write the route: a throttling storm throttles them again after every write. */
  routeOperations: string[];
  /** Every control-plane call of a rollout on this provider. */
  controlPlaneOperations: string[];
  /** Registers the canary's next task definition (each call a newer version) and returns its ARN. */
  registerCanaryTaskDefinition(): Promise<string>;
  /** The backend a task definition the demo registered sends its traffic to. */
  canaryBackendOf(taskDefinitionArn: string): string;
}

/** The calls outside the traffic provider that every rollout makes. */
const sharedOperations = ['DescribeAlarms', 'DescribeServices', 'DescribeTaskDefinition', 'GetParameter'];

type Input = Record<string, unknown>;
type TargetGroupsIn = { forward?: { targetGroups?: Array<{ targetGroupIdentifier?: string; weight?: number }> } } | undefined;

/** Picks the route a method was given by name, the demo route when none. */
function routeNamed<Route>(routes: Map<string, Route>, demoRoute: string, name: string = demoRoute): Route {
  const route = routes.get(name);
  if (route === undefined) throw new Error(`The demo app has no route ${name}; it has ${[...routes.keys()].join(', ')}`);
  return route;
}

async function appMeshDemo(sim: SimulatedAws, options: DemoSeedOptions): Promise<DemoApp> {
  const routes = [colorApp.route, ...(options.extraRoutes ?? [])];
  const policy = { ...defaultColorAppPolicy, ...options.policy, routes } as PolicyDocument;
  await seedColorApp(sim, { policy, extraRoutes: options.extraRoutes, alarm: options.alarm });
  // On App Mesh each version announces a node of its own: colorteller-v2, then -v3.
  let version = 1;
  const nodeOfTaskDefinition = new Map<string, string>();
  const byName = new Map(routes.map((route) => [route, route]));
  const nameOf = (route?: string) => routeNamed(byName, colorApp.route, route);
  const storedSpec = (route?: string) => sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, nameOf(route))?.spec;
  const targetsOf = (input: unknown) => (input as { spec?: { httpRoute?: { action?: { weightedTargets?: WeightedTarget[] } } } }).spec?.httpRoute?.action?.weightedTargets;
  const requestedTargets = (call: Call, route?: string) => (call.operation === 'UpdateRoute' && (call.input as Input).routeName === nameOf(route) ? targetsOf(call.input) : undefined);
  const target = (backend: string, weight: number) => ({ virtualNode: backend, weight, port: 9080 });
  const setRouteAsPerson = (targets: WeightedTarget[], route?: string) => sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, nameOf(route), targets);
  return {
    provider: 'appmesh',
    service: 'appmesh',
    stableBackend: colorApp.stableNode,
    canaryBackend: colorApp.canaryNode,
    nameOf: (backend) => backend,
    routes,
    routeLocation: { provider: 'appmesh', mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter },
    policyRoute: nameOf,
    policy,
    target,
    routeTargets: (route) => (storedSpec(route)?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[],
    storedRoute: storedSpec,
    storedRouteBesidesTargets: (route) => {
      const { httpRoute, ...rest } = storedSpec(route) ?? {};
      return { ...rest, httpRoute: { ...httpRoute, action: undefined } };
    },
    requestedTargets,
    writtenTargets: (call, route) => (call.outcome === 'ok' ? requestedTargets(call, route) : undefined),
    routeReadOperation: 'DescribeRoute',
    editAsPerson: ({ stable, canary }) => setRouteAsPerson([target(colorApp.stableNode, stable), target(colorApp.canaryNode, canary)]),
    setRouteAsPerson,
    tagRoute: async (tags, route) => {
      const resourceArn = sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, nameOf(route))?.metadata?.arn;
      await sim.attach(new AppMeshClient({ region: sim.region })).send(new TagAppMeshResourceCommand({ resourceArn, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }));
    },
    addStableBackends: async (count) => {
      const appMesh = sim.attach(new AppMeshClient({ region: sim.region }));
      const nodes = Array.from({ length: count }, (_, index) => `${colorApp.stableNode}-${index + 2}`);
      for (const virtualNodeName of nodes) await appMesh.send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName, spec: meshNodeSpec(colorApp.stableService) }));
      return nodes;
    },
    backendExists: (backend) => sim.appMesh.virtualNode(colorApp.mesh, backend) !== undefined,
    trafficRoutes: { routes: [{ mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter, route: colorApp.route }] },
    routeOperations: ['DescribeRoute', 'UpdateRoute'],
    controlPlaneOperations: ['DescribeRoute', 'UpdateRoute', 'DescribeVirtualNode', 'CreateVirtualNode', ...sharedOperations],
    registerCanaryTaskDefinition: async () => {
      const node = `colorteller-v${++version}`;
      const arn = await registerCanaryTaskDefinition(sim, node);
      nodeOfTaskDefinition.set(arn, node);
      return arn;
    },
    canaryBackendOf: (taskDefinitionArn) => nodeOfTaskDefinition.get(taskDefinitionArn) ?? '',
  };
}

async function latticeDemo(sim: SimulatedAws, options: DemoSeedOptions): Promise<DemoApp> {
  const layout = await seedColorAppLattice(sim, { extraRules: options.extraRoutes, policy: options.policy as LatticePolicyDocument, alarm: options.alarm });
  const { serviceId, listenerId } = layout;
  const names = new Map([
    [layout.stableTargetGroup.id, colorApp.stableService],
    [layout.canaryTargetGroup.id, colorApp.canaryService],
  ]);
  const byName = new Map(layout.rules.map((rule) => [rule.name, rule]));
  const ruleNamed = (route?: string) => routeNamed(byName, layout.rules[0]?.name ?? '', route);
  const idOf = (identifier: string) => identifier.split('/').pop() ?? identifier;
  const asTargets = (action: TargetGroupsIn) => (action?.forward?.targetGroups ?? []).map((group) => ({ virtualNode: idOf(group.targetGroupIdentifier ?? ''), weight: group.weight ?? 100 }));
  const storedRule = (route?: string) => {
    const { lastUpdatedAt: _changesOnEveryWrite, ...rule } = sim.vpcLattice.rule(serviceId, listenerId, ruleNamed(route).id);
    return rule;
  };
  const routeTargets = (route?: string) => asTargets(storedRule(route).action);
  const ours = (input: Input) => idOf(String(input.serviceIdentifier)) === serviceId && idOf(String(input.listenerIdentifier)) === listenerId;
  /** The action a call asked for on a rule; a batch lists it among others. */
  const requestedAction = (call: Call, route?: string): TargetGroupsIn => {
    const input = call.input as Input;
    const ruleId = ruleNamed(route).id;
    if (!ours(input)) return undefined;
    if (call.operation === 'UpdateRule' && idOf(String(input.ruleIdentifier)) === ruleId) return input.action as TargetGroupsIn;
    if (call.operation === 'BatchUpdateRule') return ((input.rules ?? []) as Input[]).find((rule) => idOf(String(rule.ruleIdentifier)) === ruleId)?.action as TargetGroupsIn;
    return undefined;
  };
  const requestedTargets = (call: Call, route?: string) => {
    const action = requestedAction(call, route);
    return action ? asTargets(action) : undefined;
  };
  // A batch is not atomic: its call succeeds while one of its rules fails, so a write counts only
  // if the rule held what was asked right after the call. Noted as each call lands, so the calls
  // can be judged later too, when the rule holds something else.
  const landed = new Set<string>();
  const landedKey = (call: Call, rule: string) => `${call.at?.getTime()} ${rule} ${JSON.stringify(call.input)}`;
  sim.onCall((call) => {
    for (const rule of layout.rules) {
      const requested = requestedTargets(call, rule.name);
      if (requested && JSON.stringify(routeTargets(rule.name)) === JSON.stringify(requested)) landed.add(landedKey(call, rule.name));
    }
  });
  const setRouteAsPerson = (targets: WeightedTarget[], route?: string) =>
    sim.vpcLattice.editRuleAsPerson(serviceId, listenerId, ruleNamed(route).id, targets.map((target) => ({ targetGroupIdentifier: target.virtualNode, weight: target.weight })));
  const target = (backend: string, weight: number) => ({ virtualNode: backend, weight });
  return {
    provider: 'lattice',
    service: 'vpc-lattice',
    stableBackend: layout.stableTargetGroup.id,
    canaryBackend: layout.canaryTargetGroup.id,
    nameOf: (backend) => names.get(backend) ?? backend,
    routes: layout.rules.map((rule) => rule.name),
    routeLocation: { provider: 'lattice', mesh: '', virtualRouter: serviceId },
    policyRoute: (route) => ruleNamed(route).route,
    policy: layout.policy,
    target,
    routeTargets,
    storedRoute: storedRule,
    storedRouteBesidesTargets: (route) => {
      const { action, ...rule } = storedRule(route);
      return { ...rule, action: { ...action, forward: { ...action?.forward, targetGroups: undefined } } };
    },
    requestedTargets,
    writtenTargets: (call, route) => {
      const requested = call.outcome === 'ok' ? requestedTargets(call, route) : undefined;
      return requested && landed.has(landedKey(call, ruleNamed(route).name)) ? requested : undefined;
    },
    routeReadOperation: 'GetRule',
    editAsPerson: ({ stable, canary }) => setRouteAsPerson([target(layout.stableTargetGroup.id, stable), target(layout.canaryTargetGroup.id, canary)]),
    setRouteAsPerson,
    tagRoute: async (tags, route) => {
      await sim.attach(new VPCLatticeClient({ region: sim.region })).send(new TagLatticeResourceCommand({ resourceArn: storedRule(route).arn, tags }));
    },
    addStableBackends: async (count) => {
      const created: string[] = [];
      for (let index = 0; index < count; index++) created.push((await createTargetGroup(sim, `${colorApp.stableService}-${index + 2}`)).id);
      return created;
    },
    backendExists: (backend) => {
      try {
        sim.vpcLattice.operations.get('GetTargetGroup')?.({ targetGroupIdentifier: backend });
        return true;
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return false;
        throw error;
      }
    },
    routeInForceAt: () => sim.vpcLattice.settlesAt(serviceId, listenerId, layout.ruleId).getTime(),
    trafficRoutes: { routes: [], latticeRules: [{ serviceIdentifier: serviceId, listenerIdentifier: listenerId, ruleIdentifier: layout.ruleId }] },
    routeOperations: ['GetRule', 'UpdateRule', 'BatchUpdateRule'],
    controlPlaneOperations: ['GetRule', 'UpdateRule', 'BatchUpdateRule', 'GetTargetGroup', ...sharedOperations],
    registerCanaryTaskDefinition: () => registerLatticeCanaryTaskDefinition(sim),
    // Every version of the canary service registers into the one target group ECS names for it.
    canaryBackendOf: () => layout.canaryTargetGroup.id,
  };
}

/** Lays the color app out on `provider` through the simulated APIs, its policy and alarm included. */
export function seedDemoApp(sim: SimulatedAws, provider: TrafficProviderName, options: DemoSeedOptions = {}): Promise<DemoApp> {
  return provider === 'lattice' ? latticeDemo(sim, options) : appMeshDemo(sim, options);
}
