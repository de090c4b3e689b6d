import { isNewerRollout, newestFirst, type OrderedRollout } from '../domain/deployment-order';
import { AlarmBreachedError, InvalidInputError, PolicyInvalidError, ResourceMissingError, RolloutSupersededError, TransientAwsError } from '../domain/errors';
import { alarmsInAlarm } from '../domain/health-decision';
import { namedHooks } from '../domain/lifecycle-hooks';
import { parsePolicy, type Policy } from '../domain/policy';
import type { WeightedTarget } from '../domain/route-spec';
import { isActivePhase, rolloutPhases } from '../domain/rollout-phase';
import { providerOf, type TrafficProviderName } from '../domain/traffic-provider';
import { type Rollout, type StartRequest } from '../domain/rollout';
import { routeKey } from '../domain/route-key';
import { planSteps } from '../domain/schedule';
import { splitTraffic } from '../domain/traffic-split';
import type { RolloutRecord } from '../ports/registry';
import type { ServiceDeployment, ServiceState } from '../ports/service-deployer';
import { assertOwnsRoutes } from './assert-owns-routes';
import { rollBackRollout } from './roll-back-rollout';
import { appMeshRolloutTraffic } from './app-mesh-rollout-traffic';
import { latticeRolloutTraffic } from './lattice-rollout-traffic';
import type { RolloutTraffic } from './rollout-traffic';
import { backendRef, type RolloutPorts, routeRef } from './rollout-ports';

/** The ECS service tag that opts a service in and names its policy parameter. */
export const policyTagKey = 'meshshift:policy';

export interface ExecutionIdentity {
  name: string;
  arn: string;
  startTime: string;
}

export interface PrepareSettings {
  /** The one mesh this deployment may change (IAM is scoped to it too). */
  meshName: string;
  /** The account that owns that mesh (this stack's own when the mesh is not shared with it). */
  meshOwner: string;
  /** The one ECS cluster whose services this deployment may roll out. */
  cluster: string;
  policyParameterPrefix: string;
  /** The providers this deployment's IAM grants (template.yaml's TrafficProvider); every provider when not given. */
  trafficProviders?: readonly TrafficProviderName[];
  /** The start of every Lambda function name a policy's hooks may name (IAM grants no other); empty or absent: no hooks. */
  hookFunctionPrefix?: string;
  now: string;
}

/**
 * Checks everything a rollout needs before any write (policy, mesh, routes, nodes, alarms),
 * takes one lease per route (I4), superseding an older rollout of the same route, and
 * snapshots the routes' targets for exact rollback (I3). A retry returns the first snapshot.
 */
export async function prepareRollout(request: StartRequest, execution: ExecutionIdentity, settings: PrepareSettings, ports: RolloutPorts): Promise<Rollout> {
  const { registry, deployer, router, health } = ports;
  if (request.cluster !== settings.cluster) {
    throw new InvalidInputError(`input.cluster is ${request.cluster}, but this meshshift deployment rolls out services of cluster ${settings.cluster} only`);
  }
  const service = await deployer.describeService(request.cluster, request.service);
  const policy = await loadPolicy(request, service, settings, ports);

  const deployment = request.deploymentId ? currentDeployment(service, request.deploymentId) : service.deployments.find((candidate) => candidate.status === 'PRIMARY');
  const taskDefinitionName = request.taskDefinition ?? deployment?.taskDefinition;
  if (!taskDefinitionName) {
    throw new InvalidInputError(`ECS service ${request.service} has no deployment ${request.deploymentId ?? '(primary)'} to roll out`);
  }
  const taskDefinition = await deployer.describeTaskDefinition(taskDefinitionName);
  const traffic =
    policy.provider === 'lattice' ? await latticeRolloutTraffic(policy, service, request.cluster, deployer) : appMeshRolloutTraffic(policy, taskDefinition, settings);
  const canary = { virtualNode: traffic.canaryNode };

  const plan = planSteps(policy);
  const ownerRef = traffic.location;
  const currentTargets = await readTargets(traffic.routes, ownerRef, ports);
  for (const [route, targets] of Object.entries(currentTargets)) {
    try {
      splitTraffic(targets, canary.virtualNode, plan.weights[0] ?? 100);
    } catch (error) {
      throw new InvalidInputError(`Route ${route} cannot be shifted to ${canary.virtualNode}: ${(error as Error).message}`, { cause: error });
    }
  }
  // An alarm already in ALARM sends no state-change event, so nothing would stop the first shift.
  const firing = alarmsInAlarm(await health.alarmStates(policy.alarms));
  if (firing.length > 0) {
    throw new AlarmBreachedError(`Alarm(s) ${firing.join(', ')} already in ALARM: the rollout is refused before any traffic moved`);
  }
  // Every node the routes name now; after a superseded rollout is undone, the originals are among them.
  const namedNodes = new Set(Object.values(currentTargets).flatMap((targets) => targets.map((target) => target.virtualNode)));
  namedNodes.delete(canary.virtualNode);
  for (const node of namedNodes) {
    if (!(await router.backendExists(backendRef(ownerRef, node)))) {
      const where = ownerRef.provider === 'lattice' ? `Target group ${node}, a target of the rollout's routes, does not exist` : `Virtual node ${node}, a target of the rollout's routes, does not exist in mesh ${ownerRef.mesh}`;
      throw new ResourceMissingError(where);
    }
  }
  await assertOwnsRoutes({ ...ownerRef, cluster: request.cluster, service: request.service, canaryNode: canary.virtualNode, currentTargets, serviceOfBackend: traffic.serviceOfBackend }, ports);

  const rolloutId = execution.name;
  // When the deployment began, as ECS recorded it; a rollout that deploys itself began with its execution.
  // One format for every stored time, so leases compare by instant whatever offset or precision arrived.
  const startedAt = new Date((request.deploymentId && deployment?.createdAt) || execution.startTime).toISOString();
  const existing = await registry.getRollout(rolloutId);
  const keys = traffic.routes.map((route) => routeKey(ownerRef, route));
  if (!existing) {
    await takeRoutes(keys, { rolloutId, executionArn: execution.arn, startedAt, cluster: request.cluster, service: request.service, deploymentId: request.deploymentId }, ports);
  }

  let stored: RolloutRecord;
  try {
    // Read again under the lease, not reused from the check above: a rollout superseded here,
    // or one that ended and restored its routes just before we took the lease, changed them.
    const originalTargets = existing?.originalTargets ?? (await readTargets(traffic.routes, ownerRef, ports));
    const stableNode = heaviestTarget(Object.values(originalTargets)[0] ?? [], canary.virtualNode);
    stored =
      existing ??
      (await registry.createRollout({
        rolloutId,
        executionArn: execution.arn,
        phase: rolloutPhases.preparing,
        ...ownerRef,
        routes: traffic.routes,
        cluster: request.cluster,
        service: request.service,
        taskDefinitionArn: taskDefinition.taskDefinitionArn,
        deploymentId: request.taskDefinition ? undefined : deployment?.id,
        startedAt,
        canaryNode: canary.virtualNode,
        canaryNodeCreated: false,
        stableNode,
        alarms: policy.alarms,
        originalTargets,
        lastWrittenTargets: originalTargets,
        stepIndex: -1,
        canaryWeight: 0,
        rollbackOptions: traffic.rollback,
        ...(policy.hooks?.onRollback ? { rollbackHook: policy.hooks.onRollback.function } : {}),
        backendServices: backendServicesOf(traffic, [...namedNodes, ...Object.values(originalTargets).flatMap((targets) => targets.map((target) => target.virtualNode)), canary.virtualNode]),
        updatedAt: settings.now,
      }));
  } catch (error) {
    // Without a record nothing can roll this rollout back, so its leases must not outlive the failure.
    if (!existing && !(await registry.getRollout(rolloutId))) for (const key of keys) await registry.releaseRoute(key, rolloutId);
    throw error;
  }

  return {
    rolloutId,
    executionArn: stored.executionArn,
    ...ownerRef,
    routes: stored.routes,
    cluster: stored.cluster,
    service: stored.service,
    taskDefinitionArn: stored.taskDefinitionArn,
    deploymentId: stored.deploymentId,
    deployTaskDefinition: Boolean(request.taskDefinition),
    canaryNode: stored.canaryNode,
    stableNode: stored.stableNode,
    weights: plan.weights,
    settleSeconds: plan.settleSeconds,
    bakeSeconds: plan.bakeSeconds,
    bakeWaitSeconds: plan.settleSeconds + plan.bakeSeconds,
    ...(plan.pauses.length > 0 ? { pauses: plan.pauses } : {}),
    ...(policy.hooks ? { hooks: policy.hooks } : {}),
    stepIndex: 0,
    alarms: policy.alarms,
    toleratedFailedChecks: policy.toleratedFailedChecks,
    failedChecks: 0,
    canaryDnsHostname: traffic.canaryDnsHostname,
    promotion: traffic.promotion,
    rollback: traffic.rollback,
  };
}

/**
 * The service's policy, or the input's inline one. Either way the service must be opted in: the
 * tag is its owner's consent, so a manual execution cannot roll out a service nobody opted in.
 * And its traffic provider must be one this deployment was configured for.
 */
async function loadPolicy(request: StartRequest, service: ServiceState, settings: PrepareSettings, ports: RolloutPorts): Promise<Policy> {
  const parameter = service.tags[policyTagKey];
  if (!parameter) {
    throw new InvalidInputError(`ECS service ${request.service} is not opted in: it has no ${policyTagKey} tag (an inline policy does not opt a service in)`);
  }
  const inline = request.policy !== undefined;
  if (!inline && !parameter.startsWith(settings.policyParameterPrefix)) {
    throw new InvalidInputError(`Tag ${policyTagKey} of ${request.service} names ${parameter}, outside the policy prefix ${settings.policyParameterPrefix}`);
  }
  const source = inline ? 'input.policy' : `policy ${parameter}`;
  const policy = parsePolicy(inline ? request.policy : await ports.policies.load(parameter), source);
  // On a provider the stack's IAM does not grant, the first call would fail AccessDenied, unexplained.
  const provider = providerOf(policy);
  if (settings.trafficProviders && !settings.trafficProviders.includes(provider)) {
    throw new InvalidInputError(
      `${source} uses traffic provider ${provider}, but this meshshift deployment is configured for ${settings.trafficProviders.join(' and ')} only (template parameter TrafficProvider); nothing was changed`,
    );
  }
  assertHooksAllowed(policy, source, settings.hookFunctionPrefix ?? '');
  return policy;
}

/** A hook outside the stack's prefix would fail AccessDenied at its first call, mid-rollout: it is refused before any. */
function assertHooksAllowed(policy: Policy, source: string, prefix: string): void {
  const outside = namedHooks(policy.hooks).filter((hook) => prefix === '' || !hook.function.startsWith(prefix));
  if (outside.length === 0) return;
  const allowed = prefix === '' ? 'this meshshift deployment invokes no hooks (template parameter HookFunctionPrefix is empty)' : `this meshshift deployment may invoke only functions named ${prefix}… (template parameter HookFunctionPrefix)`;
  const fields = outside.map((hook) => `${source}.hooks.${hook.point}.function: ${hook.function}`).join('; ');
  throw new PolicyInvalidError(`Invalid ${source}: ${fields}: ${allowed}; nothing was changed`);
}

async function readTargets(routes: string[], owner: { mesh: string; meshOwner?: string; virtualRouter: string }, ports: RolloutPorts) {
  const targets: Record<string, WeightedTarget[]> = {};
  for (const route of routes) targets[route] = (await ports.router.readRoute(routeRef(owner, route))).targets;
  return targets;
}

/** What ECS said each backend belongs to, kept for cleanup when the provider cannot say it later. */
function backendServicesOf(traffic: RolloutTraffic, backends: string[]): Record<string, string> | undefined {
  const { serviceOfBackend } = traffic;
  if (!serviceOfBackend) return undefined;
  return Object.fromEntries(backends.flatMap((backend) => {
    const service = serviceOfBackend(backend);
    return service === undefined ? [] : [[backend, service]];
  }));
}

function heaviestTarget(targets: WeightedTarget[], canaryNode: string): string {
  const stable = targets.filter((target) => target.virtualNode !== canaryNode).sort((a, b) => b.weight - a.weight);
  return stable[0]?.virtualNode ?? canaryNode;
}

/**
 * The deployment a rollout was started for, as ECS lists it now. One that is gone or no longer
 * primary was replaced by a newer deployment, whose own rollout takes the routes: this one must
 * not begin (an older version never wins, however late its event arrives).
 */
function currentDeployment(service: ServiceState, deploymentId: string): ServiceDeployment {
  const deployment = service.deployments.find((candidate) => candidate.id === deploymentId);
  const primary = newestFirst(service.deployments)[0];
  if (!deployment || deployment.status !== 'PRIMARY') {
    throw new RolloutSupersededError(
      `ECS deployment ${deploymentId} of ${service.serviceName} is ${deployment ? deployment.status : 'no longer listed'}; ECS now deploys ${primary?.id ?? 'nothing'}, so this older deployment's rollout changes nothing`,
    );
  }
  return deployment;
}

type RouteClaim = OrderedRollout & { cluster: string; executionArn: string };

/** The ARN of another execution of the same state machine: a rollout's id is its execution's name. */
function siblingExecutionArn(executionArn: string, name: string): string {
  return `${executionArn.slice(0, executionArn.lastIndexOf(':') + 1)}${name}`;
}

/**
 * Takes every route's lease in order. A route held by an older active rollout is taken over
 * after that rollout is rolled back and stopped; one held by a newer rollout, or by a rollout
 * of the same deployment, ends this one before anything changed (leases already taken are
 * given back). "Newer" is a total order read from ECS, so same-second deployments agree.
 */
async function takeRoutes(keys: string[], claim: RouteClaim, ports: RolloutPorts): Promise<void> {
  const { registry, orchestrator } = ports;
  const taken: string[] = [];
  const giveBack = async () => {
    for (const takenKey of taken) await registry.releaseRoute(takenKey, claim.rolloutId);
  };
  for (const key of keys) {
    const lease = { routeKey: key, rolloutId: claim.rolloutId, startedAt: claim.startedAt };
    const attempt = await registry.acquireRoute(lease);
    if (attempt.acquired) {
      taken.push(key);
      continue;
    }
    const holder = await registry.getRollout(attempt.holder.rolloutId);
    if (!holder && (await orchestrator.stateOf(siblingExecutionArn(claim.executionArn, attempt.holder.rolloutId))) === 'RUNNING') {
      // Prepare takes the leases before it writes the record: the holder is mid-Prepare, not ended.
      await giveBack();
      throw new TransientAwsError(`Route ${key} is being taken by rollout ${attempt.holder.rolloutId}, which is still preparing; safe to retry`);
    }
    if (holder && isActivePhase(holder.phase)) {
      if (holder.service === claim.service && holder.deploymentId !== undefined && holder.deploymentId === claim.deploymentId) {
        await giveBack();
        throw new RolloutSupersededError(`Rollout ${holder.rolloutId} already rolls out deployment ${claim.deploymentId} on route ${key}; this duplicate changes nothing`);
      }
      // Read now, not reused from the start of Prepare: a deployment made since must count.
      const deployments = holder.service === claim.service ? (await ports.deployer.describeDeployments(claim.cluster, claim.service)).deployments : [];
      if (!isNewerRollout(claim, { ...holder, startedAt: attempt.holder.startedAt }, deployments)) {
        await giveBack();
        throw new RolloutSupersededError(`Route ${key} belongs to newer rollout ${holder.rolloutId} (started ${attempt.holder.startedAt}); this one started ${claim.startedAt} and changes nothing`);
      }
      const reason = `superseded by newer rollout ${claim.rolloutId}`;
      await rollBackRollout(holder.rolloutId, reason, ports, { spareService: claim.service });
      await orchestrator.stop(holder.executionArn, 'RolloutSupersededError', `Rolled back: ${reason}`);
    }
    // The rollback released the lease; a holder that had already ended may not have.
    const retry = await registry.acquireRoute(lease);
    const takenOver = retry.acquired || (retry.holder.rolloutId === attempt.holder.rolloutId && (await registry.takeOverRoute(lease, attempt.holder.rolloutId)));
    if (!takenOver) {
      throw new TransientAwsError(`Route ${key} changed hands while rollout ${claim.rolloutId} was taking it over; safe to retry`);
    }
    taken.push(key);
  }
}
