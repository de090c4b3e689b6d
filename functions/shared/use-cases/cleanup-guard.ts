import { newestFirst } from '../domain/deployment-order';
import { rolloutPhases } from '../domain/rollout-phase';
import type { RolloutRecord } from '../ports/registry';
import type { ServiceState } from '../ports/service-deployer';
import { backendRef, type RolloutPorts, routeRef } from './rollout-ports';

/** What ECS must still show for a service to be scaled down: the rollout's own deployment, or nothing newer than it. */
export type ServiceExpectation = { ownDeployment: Pick<RolloutRecord, 'deploymentId' | 'taskDefinitionArn'> } | { nothingNewerThan: string };

/**
 * Answers, immediately before a cleanup, whether a backend or a service is still in use (I8).
 * Every answer reads AWS and the registry afresh: a route a person edited a second ago, or a
 * rollout that began since, keeps what it uses. When in doubt it keeps: a service left running
 * costs money, one scaled down under traffic is an outage.
 */
export class CleanupGuard {
  private readonly serviceOfNode = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly record: RolloutRecord,
    private readonly ports: Pick<RolloutPorts, 'registry' | 'router' | 'deployer'>,
  ) {}

  /** Why `node` must stay, or undefined when deleting it is safe. */
  async nodeInUse(node: string): Promise<string | undefined> {
    for (const [route, weight] of await this.weightsByRoute()) {
      const sent = weight.get(node) ?? 0;
      if (sent > 0) return `route ${route} still sends node ${node} weight ${sent}`;
    }
    for (const other of await this.otherActiveRollouts()) {
      if (nodesOf(other).has(node)) return `rollout ${other.rolloutId} still uses node ${node}`;
    }
    return undefined;
  }

  /** Why `service` must keep running, or undefined when scaling it to zero is safe. */
  async serviceInUse(service: string, expectation: ServiceExpectation): Promise<string | undefined> {
    for (const [route, weight] of await this.weightsByRoute()) {
      for (const [node, sent] of weight) {
        if (sent > 0 && (await this.serviceOf(node)) === service) return `route ${route} still sends weight ${sent} to node ${node}, which selects ${service}`;
      }
    }
    for (const other of await this.otherActiveRollouts()) {
      if (other.service === service && other.phase !== rolloutPhases.rollingBack) return `rollout ${other.rolloutId} is deploying ${service}`;
      for (const node of nodesOf(other)) {
        if ((await this.serviceOf(node)) === service) return `rollout ${other.rolloutId} uses node ${node}, which selects ${service}`;
      }
    }
    return newerDeploymentOf(await this.ports.deployer.describeDeployments(this.record.cluster, service), expectation);
  }

  private async weightsByRoute(): Promise<Array<[string, Map<string, number>]>> {
    const result: Array<[string, Map<string, number>]> = [];
    for (const route of this.record.routes) {
      const { targets } = await this.ports.router.readRoute(routeRef(this.record, route));
      result.push([route, new Map(targets.map((target) => [target.virtualNode, target.weight]))]);
    }
    return result;
  }

  private async otherActiveRollouts(): Promise<RolloutRecord[]> {
    return (await this.ports.registry.activeRollouts()).filter((other) => other.rolloutId !== this.record.rolloutId);
  }

  /** Which ECS service a node selects, read once per guard (or as Prepare read it from ECS). */
  serviceOf(node: string): Promise<string | undefined> {
    let found = this.serviceOfNode.get(node);
    if (!found) {
      const known = this.record.backendServices?.[node];
      found = known !== undefined ? Promise.resolve(known) : this.ports.router.serviceOfBackend(backendRef(this.record, node));
      this.serviceOfNode.set(node, found);
    }
    return found;
  }
}

/**
 * The nodes another rollout still needs: what its routes go back to, and its canary unless it
 * is rolling back itself (then it is retiring that canary too, and two rollbacks of one service
 * must not each keep it for the other).
 */
function nodesOf(rollout: RolloutRecord): Set<string> {
  const originals = Object.values(rollout.originalTargets).flatMap((targets) => targets.map((target) => target.virtualNode));
  return new Set(rollout.phase === rolloutPhases.rollingBack ? originals : [rollout.canaryNode, rollout.stableNode, ...originals]);
}

/** Why ECS shows the service has moved on past what this rollout knew, or undefined. */
function newerDeploymentOf(service: Omit<ServiceState, 'tags'>, expectation: ServiceExpectation): string | undefined {
  const [primary] = newestFirst(service.deployments);
  if (!primary) return undefined;
  if ('ownDeployment' in expectation) {
    const { deploymentId, taskDefinitionArn } = expectation.ownDeployment;
    const ours = deploymentId ? primary.id === deploymentId : primary.taskDefinition === taskDefinitionArn;
    return ours ? undefined : `ECS service ${service.serviceName} now runs deployment ${primary.id} (${primary.taskDefinition}), not this rollout's`;
  }
  if (primary.rolloutState === 'IN_PROGRESS') return `ECS service ${service.serviceName} is deploying ${primary.id}`;
  if (primary.createdAt && Date.parse(primary.createdAt) >= Date.parse(expectation.nothingNewerThan)) {
    return `ECS service ${service.serviceName} got deployment ${primary.id} at ${primary.createdAt}, after this rollout began`;
  }
  return undefined;
}
