import type { VirtualNodeSpec } from '../../../../functions/shared/domain/canary-node';
import { canaryNodeSpec, ecsServiceOfNode, type MeshTaskDefinition } from '../../../../functions/shared/domain/canary-node';
import { ResourceMissingError } from '../../../../functions/shared/domain/errors';
import type { AlarmState } from '../../../../functions/shared/domain/health-decision';
import { type RouteSpec, type WeightedTarget, weightedTargetsOf, withWeightedTargets } from '../../../../functions/shared/domain/route-spec';
import { isActivePhase, type RolloutPhase } from '../../../../functions/shared/domain/rollout-phase';
import type { HealthSignal } from '../../../../functions/shared/ports/health-signal';
import type { ExecutionState, Orchestrator } from '../../../../functions/shared/ports/orchestrator';
import type { PolicyStore } from '../../../../functions/shared/ports/policy-store';
import type { DeploymentNote, Registry, RolloutRecord, RouteLease } from '../../../../functions/shared/ports/registry';
import type { ServiceDeployer, ServiceState } from '../../../../functions/shared/ports/service-deployer';
import type { BackendRef, RouteReading, RouteRef, RouteWrite, TrafficRouter } from '../../../../functions/shared/ports/traffic-router';
import type { RolloutPorts } from '../../../../functions/shared/use-cases/rollout-ports';

/**
 * In-memory ports that keep the contracts the use-cases rely on (conditional phase writes,
 * leases, full-spec route writes) and log every write, so a test can say "nothing changed".
 */

const clone = <T>(value: T): T => structuredClone(value);

export class FakeRegistry implements Registry {
  readonly rollouts = new Map<string, RolloutRecord>();
  readonly leases = new Map<string, RouteLease>();
  readonly notes = new Map<string, DeploymentNote>();
  readonly writes: string[] = [];
  /** Runs before each updateRollout, e.g. to let a rollback begin between a route write and its registry update. */
  beforeUpdate?: (rolloutId: string, changes: Partial<RolloutRecord>, onlyInPhases?: RolloutPhase[]) => void;

  async getRollout(rolloutId: string) {
    const record = this.rollouts.get(rolloutId);
    return record && clone(record);
  }

  async createRollout(record: RolloutRecord) {
    this.writes.push(`createRollout ${record.rolloutId}`);
    if (!this.rollouts.has(record.rolloutId)) this.rollouts.set(record.rolloutId, clone(record));
    return clone(this.rollouts.get(record.rolloutId) as RolloutRecord);
  }

  async updateRollout(rolloutId: string, changes: Partial<Omit<RolloutRecord, 'rolloutId'>>, onlyInPhases?: RolloutPhase[]) {
    this.beforeUpdate?.(rolloutId, changes, onlyInPhases);
    const record = this.rollouts.get(rolloutId);
    if (!record || (onlyInPhases && !onlyInPhases.includes(record.phase))) return undefined;
    this.writes.push(`updateRollout ${rolloutId} ${Object.keys(changes).join(',')}`);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const updated = { ...record, ...clone(defined), updatedAt: changes.updatedAt ?? new Date().toISOString() };
    this.rollouts.set(rolloutId, updated);
    return clone(updated);
  }

  /** Sets a phase directly, as another process (the alarm handler) would. */
  setPhase(rolloutId: string, phase: RolloutPhase) {
    const record = this.rollouts.get(rolloutId);
    if (record) this.rollouts.set(rolloutId, { ...record, phase });
  }

  async acquireRoute(lease: RouteLease): Promise<{ acquired: true } | { acquired: false; holder: RouteLease }> {
    const holder = this.leases.get(lease.routeKey);
    if (holder && holder.rolloutId !== lease.rolloutId) return { acquired: false, holder: clone(holder) };
    this.writes.push(`acquireRoute ${lease.routeKey} ${lease.rolloutId}`);
    this.leases.set(lease.routeKey, clone(lease));
    return { acquired: true };
  }

  async takeOverRoute(lease: RouteLease, previousRolloutId: string) {
    if (this.leases.get(lease.routeKey)?.rolloutId !== previousRolloutId) return false;
    this.writes.push(`takeOverRoute ${lease.routeKey} ${lease.rolloutId}`);
    this.leases.set(lease.routeKey, clone(lease));
    return true;
  }

  async releaseRoute(routeKey: string, rolloutId: string) {
    if (this.leases.get(routeKey)?.rolloutId !== rolloutId) return;
    this.writes.push(`releaseRoute ${routeKey} ${rolloutId}`);
    this.leases.delete(routeKey);
  }

  async rolloutIdsWatching(alarmName: string) {
    return [...this.rollouts.values()].filter((record) => record.alarms.includes(alarmName)).map((record) => record.rolloutId);
  }

  async rolloutIdDeploying(cluster: string, service: string, taskDefinitionArn: string) {
    return [...this.rollouts.values()].find(
      (record) => isActivePhase(record.phase) && record.cluster === cluster && record.service === service && record.taskDefinitionArn === taskDefinitionArn,
    )?.rolloutId;
  }

  async noteDeployment(note: DeploymentNote) {
    this.writes.push(`noteDeployment ${note.deploymentId}`);
    const defined = Object.fromEntries(Object.entries(note).filter(([, value]) => value !== undefined));
    const merged = { ...this.notes.get(note.deploymentId), ...defined } as DeploymentNote;
    this.notes.set(note.deploymentId, merged);
    return clone(merged);
  }

  async activeRollouts() {
    return [...this.rollouts.values()].filter((record) => isActivePhase(record.phase)).map(clone);
  }

  async heldLeases() {
    return [...this.leases.values()].map(clone);
  }
}

const routeKeyOf = (ref: RouteRef) => `${ref.mesh}/${ref.virtualRouter}/${ref.route}`;

/** App Mesh as the use-cases see it: full route specs that a write replaces whole, and virtual nodes. */
export class FakeRouter implements TrafficRouter {
  readonly routes = new Map<string, RouteSpec>();
  readonly nodes = new Map<string, VirtualNodeSpec>();
  /** Tags by route key (`mesh/router/route`) or router key (`mesh/router`). */
  readonly tags = new Map<string, Record<string, string>>();
  readonly writes: string[] = [];

  setRoute(ref: RouteRef, spec: RouteSpec) {
    this.routes.set(routeKeyOf(ref), clone(spec));
  }

  /** What a person does in the console: replace the targets behind meshshift's back. */
  editTargets(ref: RouteRef, targets: WeightedTarget[]) {
    this.routes.set(routeKeyOf(ref), withWeightedTargets(this.spec(ref), targets));
  }

  spec(ref: RouteRef): RouteSpec {
    const spec = this.routes.get(routeKeyOf(ref));
    if (!spec) throw new ResourceMissingError(`no route ${routeKeyOf(ref)}`);
    return clone(spec);
  }

  targets(ref: RouteRef): WeightedTarget[] {
    return weightedTargetsOf(this.spec(ref));
  }

  async readRoute(ref: RouteRef): Promise<RouteReading> {
    const spec = this.spec(ref);
    return { targets: weightedTargetsOf(spec), handle: spec };
  }

  /** Logs one entry per call, so a test sees which routes went out together. */
  async writeRoutes(writes: RouteWrite[]) {
    const specs = writes.map(({ route, reading, targets }) => ({ route, spec: withWeightedTargets(reading.handle as RouteSpec, targets) }));
    this.writes.push(`writeRoutes ${writes.map(({ route, targets }) => `${route.route} ${targets.map((target) => `${target.virtualNode}=${target.weight}`).join(',')}`).join('; ')}`);
    for (const { route, spec } of specs) this.routes.set(routeKeyOf(route), spec);
  }

  async backendExists(backend: BackendRef) {
    return this.nodes.has(backend.node);
  }

  async createCanaryBackend(input: Parameters<TrafficRouter['createCanaryBackend']>[0]) {
    this.writes.push(`createCanaryBackend ${input.canaryNode}`);
    const stable = this.nodes.get(input.stableNode);
    if (!stable) throw new ResourceMissingError(`no node ${input.stableNode}`);
    if (!this.nodes.has(input.canaryNode)) this.nodes.set(input.canaryNode, canaryNodeSpec(stable, input));
  }

  async routeTags(ref: RouteRef) {
    this.spec(ref);
    return { ...this.tags.get(`${ref.mesh}/${ref.virtualRouter}`), ...this.tags.get(routeKeyOf(ref)) };
  }

  async serviceOfBackend(backend: BackendRef) {
    const spec = this.nodes.get(backend.node);
    return spec && ecsServiceOfNode(spec);
  }

  async retireBackend(backend: BackendRef): Promise<'deleted' | 'already-gone' | 'still-referenced'> {
    this.writes.push(`retireBackend ${backend.node}`);
    return this.nodes.delete(backend.node) ? 'deleted' : 'already-gone';
  }
}

export class FakeDeployer implements ServiceDeployer {
  /** Services as tests set them up: the Lattice target groups and the strategy may be left to their defaults. */
  readonly services = new Map<string, Omit<ServiceState, 'latticeTargetGroups' | 'deploymentStrategy'> & Partial<Pick<ServiceState, 'latticeTargetGroups' | 'deploymentStrategy'>>>();
  readonly taskDefinitions = new Map<string, MeshTaskDefinition & { taskDefinitionArn: string }>();
  readonly writes: string[] = [];

  async describeService(_cluster: string, service: string) {
    const state = this.services.get(service);
    if (!state) throw new ResourceMissingError(`ECS service ${service} was not found`);
    return clone<ServiceState>({ latticeTargetGroups: [], deploymentStrategy: 'ROLLING', ...state });
  }

  async describeDeployments(cluster: string, service: string) {
    const { tags: _tags, ...described } = await this.describeService(cluster, service);
    return described;
  }

  async describeTaskDefinition(taskDefinition: string) {
    const definition = this.taskDefinitions.get(taskDefinition);
    if (!definition) throw new ResourceMissingError(`Task definition ${taskDefinition} was not found`);
    return clone(definition);
  }

  async deploy(_cluster: string, service: string, taskDefinition: string) {
    this.writes.push(`deploy ${service} ${taskDefinition}`);
    return { deploymentId: 'ecs-svc/9999' };
  }

  async scaleToZero(_cluster: string, service: string) {
    this.writes.push(`scaleToZero ${service}`);
    const state = this.services.get(service);
    if (state) state.desiredCount = 0;
  }
}

export class FakeHealth implements HealthSignal {
  readonly states: Record<string, AlarmState> = {};

  async alarmStates(alarmNames: string[]) {
    const missing = alarmNames.filter((name) => !(name in this.states));
    if (missing.length > 0) throw new ResourceMissingError(`CloudWatch alarm(s) not found: ${missing.join(', ')}`);
    return Object.fromEntries(alarmNames.map((name) => [name, this.states[name] as AlarmState]));
  }
}

export class FakePolicies implements PolicyStore {
  readonly parameters = new Map<string, string>();

  async load(name: string) {
    const text = this.parameters.get(name);
    if (text === undefined) throw new ResourceMissingError(`SSM parameter ${name} not found`);
    return text;
  }
}

export class FakeOrchestrator implements Orchestrator {
  readonly calls: Array<{ call: 'start' | 'resumeTask' | 'failTask' | 'stop'; args: unknown[] }> = [];
  readonly started = new Set<string>();
  /** Execution states by ARN: the running ones are listed by runningExecutions, and one never set reads as RUNNING. */
  readonly states = new Map<string, ExecutionState>();

  async stateOf(executionArn: string): Promise<ExecutionState> {
    return this.states.get(executionArn) ?? 'RUNNING';
  }

  async runningExecutions() {
    return [...this.states].filter(([, state]) => state === 'RUNNING').map(([executionArn]) => ({ executionArn, name: executionArn.split(':').pop() ?? '' }));
  }

  async start(name: string, input: unknown) {
    this.calls.push({ call: 'start', args: [name, input] });
    const duplicate = this.started.has(name);
    this.started.add(name);
    const executionArn = `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${name}`;
    if (!this.states.has(executionArn)) this.states.set(executionArn, 'RUNNING');
    return { executionArn, duplicate };
  }

  async resumeTask(taskToken: string, output: unknown) {
    this.calls.push({ call: 'resumeTask', args: [taskToken, output] });
  }

  async failTask(taskToken: string, error: string, cause: string) {
    this.calls.push({ call: 'failTask', args: [taskToken, error, cause] });
  }

  async stop(executionArn: string, error: string, cause: string) {
    this.calls.push({ call: 'stop', args: [executionArn, error, cause] });
    if ((this.states.get(executionArn) ?? 'RUNNING') === 'RUNNING') this.states.set(executionArn, 'ABORTED');
  }
}

export function fakePorts(): RolloutPorts & {
  registry: FakeRegistry;
  router: FakeRouter;
  deployer: FakeDeployer;
  health: FakeHealth;
  policies: FakePolicies;
  orchestrator: FakeOrchestrator;
} {
  return {
    registry: new FakeRegistry(),
    router: new FakeRouter(),
    deployer: new FakeDeployer(),
    health: new FakeHealth(),
    policies: new FakePolicies(),
    orchestrator: new FakeOrchestrator(),
  };
}
