import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import type { TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { colorApp, registerCanaryTaskDefinition, seedColorApp } from './color-app';
import { registerLatticeCanaryTaskDefinition, seedColorAppLattice } from './color-app-lattice';
import type { DataPlaneOptions } from './data-plane';
import type { SimulatedAws, SimulatedCall } from './simulated-aws';

/**
 * The color app on one traffic provider, seen the way a scenario needs it: which backends are
 * the stable and the canary version, what the demo route holds, which calls wrote it, and how a
 * person edits it. Everything else a scenario does is the same on every provider.
 */
export interface DemoApp {
  provider: TrafficProviderName;
  /** The backends as the router names them: App Mesh virtual nodes, Lattice target group ids. */
  stableBackend: string;
  canaryBackend: string;
  /** A backend as people know it: a Lattice target group by its name, not its id. */
  nameOf(backend: string): string;
  routeTargets(): WeightedTarget[];
  /** The targets a call wrote to the demo route, when it is a write of that route that took effect. */
  writtenTargets(call: SimulatedCall): WeightedTarget[] | undefined;
  /** A person setting the demo route's weights in the console. */
  editAsPerson(weights: { stable: number; canary: number }): void;
  trafficRoutes: Pick<DataPlaneOptions, 'routes' | 'latticeRules'>;
  /** When the route's last write reaches traffic, where the provider rather than Envoy's signal model decides (epoch ms). */
  routeInForceAt?(): number;
  /** The calls that read and write the route: a throttling storm throttles them again after every write. */
  routeOperations: string[];
  /** Every control-plane call of a rollout on this provider. */
  controlPlaneOperations: string[];
  /** Registers the canary's next task definition (each call a newer version) and returns its ARN. */
  registerCanaryTaskDefinition(): Promise<string>;
}

/** The calls outside the traffic provider that every rollout makes. */
const sharedOperations = ['DescribeAlarms', 'DescribeServices', 'DescribeTaskDefinition', 'GetParameter'];

type Input = Record<string, unknown>;
type TargetGroupsIn = { forward?: { targetGroups?: Array<{ targetGroupIdentifier?: string; weight?: number }> } } | undefined;

async function appMeshDemo(sim: SimulatedAws): Promise<DemoApp> {
  await seedColorApp(sim);
  // On App Mesh each version announces a node of its own: colorteller-v2, then -v3.
  let version = 1;
  const targetsOf = (input: unknown) => (input as { spec?: { httpRoute?: { action?: { weightedTargets?: WeightedTarget[] } } } }).spec?.httpRoute?.action?.weightedTargets;
  return {
    provider: 'appmesh',
    stableBackend: colorApp.stableNode,
    canaryBackend: colorApp.canaryNode,
    nameOf: (backend) => backend,
    routeTargets: () => (sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[],
    writtenTargets: (call) => (call.operation === 'UpdateRoute' && call.outcome === 'ok' && (call.input as Input).routeName === colorApp.route ? targetsOf(call.input) : undefined),
    editAsPerson: ({ stable, canary }) =>
      sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, colorApp.route, [
        { virtualNode: colorApp.stableNode, weight: stable, port: 9080 },
        { virtualNode: colorApp.canaryNode, weight: canary, port: 9080 },
      ]),
    trafficRoutes: { routes: [{ mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter, route: colorApp.route }] },
    routeOperations: ['DescribeRoute', 'UpdateRoute'],
    controlPlaneOperations: ['DescribeRoute', 'UpdateRoute', 'DescribeVirtualNode', 'CreateVirtualNode', ...sharedOperations],
    registerCanaryTaskDefinition: () => registerCanaryTaskDefinition(sim, `colorteller-v${++version}`),
  };
}

async function latticeDemo(sim: SimulatedAws): Promise<DemoApp> {
  const layout = await seedColorAppLattice(sim);
  const { serviceId, listenerId, ruleId } = layout;
  const names = new Map([
    [layout.stableTargetGroup.id, colorApp.stableService],
    [layout.canaryTargetGroup.id, colorApp.canaryService],
  ]);
  const idOf = (identifier: string) => identifier.split('/').pop() ?? identifier;
  const asTargets = (action: TargetGroupsIn) => (action?.forward?.targetGroups ?? []).map((group) => ({ virtualNode: idOf(group.targetGroupIdentifier ?? ''), weight: group.weight ?? 1 }));
  const routeTargets = () => asTargets(sim.vpcLattice.rule(serviceId, listenerId, ruleId).action);
  const ours = (input: Input) => idOf(String(input.serviceIdentifier)) === serviceId && idOf(String(input.listenerIdentifier)) === listenerId;
  /** The action a call asked for on the demo rule; a batch lists it among others. */
  const requestedAction = (call: SimulatedCall): TargetGroupsIn => {
    const input = call.input as Input;
    if (!ours(input)) return undefined;
    if (call.operation === 'UpdateRule' && idOf(String(input.ruleIdentifier)) === ruleId) return input.action as TargetGroupsIn;
    if (call.operation === 'BatchUpdateRule') return ((input.rules ?? []) as Input[]).find((rule) => idOf(String(rule.ruleIdentifier)) === ruleId)?.action as TargetGroupsIn;
    return undefined;
  };
  return {
    provider: 'lattice',
    stableBackend: layout.stableTargetGroup.id,
    canaryBackend: layout.canaryTargetGroup.id,
    nameOf: (backend) => names.get(backend) ?? backend,
    routeTargets,
    writtenTargets: (call) => {
      const action = call.outcome === 'ok' ? requestedAction(call) : undefined;
      if (!action) return undefined;
      const requested = asTargets(action);
      // A batch is not atomic: its call succeeds while one of its rules fails, so only a change the rule took at that moment counts.
      const took = sim.vpcLattice.ruleChanges(serviceId, listenerId, ruleId).some((change) => change.at.getTime() === call.at?.getTime() && JSON.stringify(asTargets(change.action)) === JSON.stringify(requested));
      return took ? requested : undefined;
    },
    editAsPerson: ({ stable, canary }) =>
      sim.vpcLattice.editRuleAsPerson(serviceId, listenerId, ruleId, [
        { targetGroupIdentifier: layout.stableTargetGroup.id, weight: stable },
        { targetGroupIdentifier: layout.canaryTargetGroup.id, weight: canary },
      ]),
    routeInForceAt: () => sim.vpcLattice.settlesAt(serviceId, listenerId, ruleId).getTime(),
    trafficRoutes: { routes: [], latticeRules: [{ serviceIdentifier: serviceId, listenerIdentifier: listenerId, ruleIdentifier: ruleId }] },
    routeOperations: ['GetRule', 'UpdateRule', 'BatchUpdateRule'],
    controlPlaneOperations: ['GetRule', 'UpdateRule', 'BatchUpdateRule', 'GetTargetGroup', ...sharedOperations],
    registerCanaryTaskDefinition: () => registerLatticeCanaryTaskDefinition(sim),
  };
}

/** Lays the color app out on `provider` through the simulated APIs, its policy and alarm included. */
export function seedDemoApp(sim: SimulatedAws, provider: TrafficProviderName): Promise<DemoApp> {
  return provider === 'lattice' ? latticeDemo(sim) : appMeshDemo(sim);
}
