import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { type AlarmStateValue, datapoint, evaluateAlarm, watchedNode } from './alarm-evaluator';
import type { SimulatedAws } from './simulated-aws';
import { type NodeTraffic, serveOneSecond, type TrafficCarry, type VersionProfile } from './traffic-model';
import type { VirtualClock } from './virtual-clock';

/**
 * How long each link of the signal path takes, in simulated seconds. Where AWS documents a
 * figure it is used; where it does not, the assumption is stated (docs/BENCHMARKS.md cites each).
 */
export interface SignalModel {
  /**
   * Envoy applies a route change this long after it is written. AWS documents no figure; its
   * App Mesh maintainers say "within a matter of seconds" (aws/aws-app-mesh-roadmap#32).
   */
  propagationSeconds: number;
  /**
   * A period's datapoint reaches the alarm this long after the period ends. Undocumented for
   * high-resolution metrics (AWS only says alarms use "the datapoints that are immediately
   * available"); assumed.
   */
  metricIngestionSeconds: number;
}

export const defaultSignalModel: SignalModel = { propagationSeconds: 2, metricIngestionSeconds: 3 };

export interface RouteAddress {
  mesh: string;
  virtualRouter: string;
  route: string;
}

/** A Lattice listener rule (ids or ARNs; 'default' for the listener's default action) whose weights split traffic. */
export interface LatticeRuleAddress {
  serviceIdentifier: string;
  listenerIdentifier: string;
  ruleIdentifier: string;
}

export interface SecondOfTraffic {
  /** Simulated seconds since traffic started. */
  at: number;
  /** Per route: the canary share users saw, requests and failures this second. */
  requests: number;
  errors: number;
  byNode: Record<string, NodeTraffic>;
  /**
   * The targets applied this second, per route key: Envoy's per App Mesh route, and per Lattice
   * rule (`service/listener/rule`) the target groups by id as `virtualNode`, the way the Lattice
   * router names them.
   */
  applied: Record<string, WeightedTarget[]>;
}

export interface DataPlaneOptions {
  routes: RouteAddress[];
  /**
   * Lattice rules whose traffic flows too. They follow the simulated Lattice's own propagation
   * delay (its weights in force), not `signal.propagationSeconds`, which is Envoy's.
   */
  latticeRules?: LatticeRuleAddress[];
  requestsPerSecond: number;
  profiles: Record<string, VersionProfile>;
  signal?: Partial<SignalModel>;
  /** Called after every simulated second of traffic. */
  onSecond?: (second: SecondOfTraffic) => void;
}

/** CloudWatch evaluates alarms with periods under a minute every 10 s, longer ones every minute (AlarmThatSendsEmail.html). */
function evaluationIntervalSeconds(periodSeconds: number): number {
  return periodSeconds < 60 ? 10 : 60;
}

const routeKeyOf = (route: RouteAddress) => `${route.mesh}/${route.virtualRouter}/${route.route}`;
const latticeRuleKeyOf = (rule: LatticeRuleAddress) => `${rule.serviceIdentifier}/${rule.listenerIdentifier}/${rule.ruleIdentifier}`;

/**
 * The requests that flow through the mesh, second by second on the stack's clock: each App Mesh
 * route splits its traffic by the weights Envoy has applied (written weights, `propagationSeconds`
 * late), each Lattice rule by the weights the simulated Lattice has in force, each node fails
 * at its version's rate, per-node counts become CloudWatch datapoints after the ingestion delay,
 * and every alarm on a node is evaluated the way CloudWatch does, its state changes reaching
 * EventBridge through the simulated CloudWatch.
 */
export class DataPlane {
  readonly signal: SignalModel;
  /** Per node, per second: requests and errors (index = second - 1). */
  private readonly perSecond = new Map<string, NodeTraffic[]>();
  private readonly history = new Map<string, WeightedTarget[][]>();
  private readonly carry: TrafficCarry = {};
  private second = 0;
  private stopTicking: (() => void) | undefined;

  constructor(
    private readonly sim: SimulatedAws,
    private readonly clock: VirtualClock,
    private readonly options: DataPlaneOptions,
  ) {
    this.signal = { ...defaultSignalModel, ...options.signal };
  }

  /** Traffic flows while anything else moves time; it never keeps the clock running on its own. */
  start(): void {
    this.stopTicking = this.clock.every(1000, () => this.tick(), { background: true });
  }

  stop(): void {
    this.stopTicking?.();
  }

  /** Requests and errors a node served in simulated seconds (from, to]. */
  trafficOf(node: string, fromSecond: number, toSecond: number): NodeTraffic {
    const seconds = this.perSecond.get(node) ?? [];
    const total = { requests: 0, errors: 0 };
    for (let second = Math.max(0, fromSecond); second < Math.min(toSecond, seconds.length); second++) {
      total.requests += seconds[second]?.requests ?? 0;
      total.errors += seconds[second]?.errors ?? 0;
    }
    return total;
  }

  private tick(): void {
    this.second += 1;
    const byNode: Record<string, NodeTraffic> = {};
    const applied: Record<string, WeightedTarget[]> = {};
    for (const route of this.options.routes) {
      const key = routeKeyOf(route);
      const stored = this.sim.appMesh.route(route.mesh, route.virtualRouter, route.route)?.spec?.httpRoute?.action?.weightedTargets ?? [];
      const history = this.history.get(key) ?? [];
      history.push(stored as WeightedTarget[]);
      this.history.set(key, history);
      const effective = history[Math.max(0, history.length - 1 - this.signal.propagationSeconds)] ?? [];
      applied[key] = effective;
      this.serve(effective, byNode);
    }
    for (const rule of this.options.latticeRules ?? []) {
      const inForce = this.sim.vpcLattice.weightsInForce(rule.serviceIdentifier, rule.listenerIdentifier, rule.ruleIdentifier);
      const effective = inForce.map(({ targetGroupId, weight }) => ({ virtualNode: targetGroupId, weight }));
      applied[latticeRuleKeyOf(rule)] = effective;
      this.serve(effective, byNode);
    }
    for (const [node, traffic] of Object.entries(byNode)) {
      const seconds = this.perSecond.get(node) ?? [];
      seconds[this.second - 1] = traffic;
      this.perSecond.set(node, seconds);
    }
    const totals = Object.values(byNode).reduce((sum, traffic) => ({ requests: sum.requests + traffic.requests, errors: sum.errors + traffic.errors }), { requests: 0, errors: 0 });
    this.options.onSecond?.({ at: this.second, ...totals, byNode, applied });
    this.evaluateAlarms();
  }

  /** One second of one route's or rule's requests, added to what each node served this second. */
  private serve(targets: WeightedTarget[], byNode: Record<string, NodeTraffic>): void {
    for (const [node, traffic] of Object.entries(serveOneSecond(this.options.requestsPerSecond, targets, this.options.profiles, this.carry))) {
      const sum = (byNode[node] ??= { requests: 0, errors: 0 });
      sum.requests += traffic.requests;
      sum.errors += traffic.errors;
    }
  }

  /** At each evaluation time, the windows that ended `metricIngestionSeconds` ago are what CloudWatch can see. */
  private evaluateAlarms(): void {
    const cloudwatch = this.sim.cloudwatch;
    for (const name of cloudwatch.alarmNames()) {
      const alarm = cloudwatch.alarm(name);
      const node = alarm && watchedNode(alarm);
      if (!alarm || !node) continue;
      const period = alarm.Period ?? 60;
      const visibleUpTo = this.second - this.signal.metricIngestionSeconds;
      if (visibleUpTo <= 0 || visibleUpTo % evaluationIntervalSeconds(period) !== 0) continue;
      const periods = alarm.EvaluationPeriods ?? 1;
      const window: Array<number | undefined> = [];
      for (let index = periods - 1; index >= 0; index--) {
        const end = visibleUpTo - index * period;
        window.push(end - period < 0 ? undefined : datapoint(alarm.MetricName, this.trafficOf(node, end - period, end)));
      }
      const state: AlarmStateValue = evaluateAlarm(alarm, window);
      if (alarm.StateValue !== state) {
        const latest = window.at(-1);
        const value = latest === undefined ? 'no data' : latest.toFixed(3);
        cloudwatch.setAlarmState(name, state, `${alarm.MetricName ?? 'metric'} of ${node} over ${period} s ending ${this.signal.metricIngestionSeconds} s ago: ${value} (threshold ${alarm.Threshold})`);
      }
    }
  }
}
