import { parseStartRequest } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { configuredTrafficProviders, requireEnv } from '../shared/config';
import { prepareRollout, type ExecutionIdentity } from '../shared/use-cases/prepare-rollout';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { healthSignal } from '../shared/wiring/cloudwatch';
import { serviceDeployer } from '../shared/wiring/ecs';
import { clock } from '../shared/wiring/clock';
import { lifecycleHooks, orchestrator, policyStore } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

const trafficProviders = configuredTrafficProviders();
const scope = {
  trafficProviders,
  // A stack without App Mesh has no mesh: it refuses App Mesh policies before it would compare one.
  meshName: trafficProviders.includes('appmesh') ? requireEnv('MESH_NAME') : '',
  meshOwner: requireEnv('MESH_OWNER'),
  cluster: requireEnv('CLUSTER_NAME'),
  policyParameterPrefix: requireEnv('POLICY_PARAMETER_PREFIX'),
  // Empty (the parameter cleared) means the stack invokes no hooks.
  hookFunctionPrefix: process.env.HOOK_FUNCTION_PREFIX ?? '',
};

export const handler = lambdaHandler('Prepare rollout', async (event: { request: unknown; execution: ExecutionIdentity }) =>
  prepareRollout(
    parseStartRequest(event.request),
    event.execution,
    { ...scope, now: clock.now().toISOString() },
    { router: trafficRouter, deployer: serviceDeployer, health: healthSignal, policies: policyStore, orchestrator, registry, hooks: lifecycleHooks },
  ),
);
