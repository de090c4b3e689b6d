import { InvalidInputError } from '../domain/errors';
import type { LatticePolicy } from '../domain/lattice-policy';
import type { ServiceDeployer, ServiceState } from '../ports/service-deployer';
import type { RolloutTraffic } from './rollout-traffic';

/**
 * A target group as Lattice rules name it: its id. ECS names it by ARN, rules by what was
 * written (an id or an ARN), so both are compared by id.
 * @example targetGroupId('arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123456789abcdef0') // 'tg-0123456789abcdef0'
 */
export function targetGroupId(identifier: string): string {
  return /(?:^|\/)(tg-[0-9a-z]+)$/.exec(identifier)?.[1] ?? identifier;
}

/** ECS's own strategies shift the same listener rule; two controllers on one rule fight. */
function refuseEcsManagedTraffic(service: Pick<ServiceState, 'serviceName' | 'deploymentStrategy'>): void {
  if (service.deploymentStrategy !== 'ROLLING') {
    throw new InvalidInputError(
      `ECS service ${service.serviceName} is deployed with ${service.deploymentStrategy}, which moves Lattice traffic itself; meshshift rolls out only services that ECS deploys ROLLING, so the two never shift one rule`,
    );
  }
}

/**
 * A Lattice rollout's traffic, all from ECS but for the policy's Lattice service and rules: the
 * canary is the one target group the deploying service registers into, and the stable service
 * the policy names must register into its own. Target groups are never created here.
 */
export async function latticeRolloutTraffic(policy: LatticePolicy, deploying: ServiceState, cluster: string, deployer: ServiceDeployer): Promise<RolloutTraffic> {
  refuseEcsManagedTraffic(deploying);
  const [canaryGroup, ...others] = deploying.latticeTargetGroups;
  if (!canaryGroup || others.length > 0) {
    throw new InvalidInputError(
      `ECS service ${deploying.serviceName} registers into ${deploying.latticeTargetGroups.length} Lattice target groups (${deploying.latticeTargetGroups.join(', ') || 'none'}); a Lattice rollout needs exactly one, the canary's, in its vpcLatticeConfigurations`,
    );
  }
  if (policy.stableService === deploying.serviceName) {
    throw new InvalidInputError(`policy.stableService names ${deploying.serviceName}, the service being deployed; it must name the service that serves the routes now`);
  }
  const stable = await deployer.describeDeployments(cluster, policy.stableService);
  refuseEcsManagedTraffic(stable);
  if (stable.latticeTargetGroups.length === 0) {
    throw new InvalidInputError(`ECS service ${stable.serviceName}, the policy's stableService, registers into no Lattice target group`);
  }
  const serviceOfGroup = new Map<string, string>(stable.latticeTargetGroups.map((group) => [targetGroupId(group), stable.serviceName]));
  serviceOfGroup.set(targetGroupId(canaryGroup), deploying.serviceName);
  return {
    location: { provider: 'lattice', mesh: '', virtualRouter: policy.service },
    routes: policy.routes,
    canaryNode: targetGroupId(canaryGroup),
    promotion: { deleteStableNode: false, ...policy.promotion },
    rollback: { deleteCanaryNode: false, ...policy.rollback },
    serviceOfBackend: (backend) => serviceOfGroup.get(targetGroupId(backend)),
  };
}
