import { meshNodeOfTaskDefinition } from '../domain/canary-node';
import { InvalidInputError } from '../domain/errors';
import type { AppMeshPolicy } from '../domain/policy';
import type { MeshTaskDefinition } from '../domain/canary-node';
import type { RolloutTraffic } from './rollout-traffic';

/**
 * An App Mesh rollout's traffic: the policy's mesh, router and routes, and the canary node the
 * task definition's Envoy announces. The mesh and its owner must be the stack's own.
 */
export function appMeshRolloutTraffic(policy: AppMeshPolicy, taskDefinition: MeshTaskDefinition & { taskDefinitionArn: string }, stack: { meshName: string; meshOwner: string }): RolloutTraffic {
  if (policy.mesh !== stack.meshName) {
    throw new InvalidInputError(`Policy names mesh ${policy.mesh}, but this meshshift deployment may only change mesh ${stack.meshName}`);
  }
  if (policy.meshOwner !== undefined && policy.meshOwner !== stack.meshOwner) {
    throw new InvalidInputError(`Policy names mesh owner ${policy.meshOwner}, but this meshshift deployment may only change the mesh owned by ${stack.meshOwner}`);
  }
  const canary = meshNodeOfTaskDefinition(taskDefinition);
  if (canary.mesh !== policy.mesh) {
    throw new InvalidInputError(`${taskDefinition.taskDefinitionArn} serves mesh ${canary.mesh}, but the policy names mesh ${policy.mesh}`);
  }
  return {
    location: { mesh: policy.mesh, meshOwner: policy.meshOwner, virtualRouter: policy.virtualRouter },
    routes: policy.routes,
    canaryNode: canary.virtualNode,
    canaryDnsHostname: policy.canaryDnsHostname,
    promotion: policy.promotion,
    rollback: policy.rollback,
  };
}
