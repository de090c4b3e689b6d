import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { deployCanary } from '../shared/use-cases/prepare-canary';
import { serviceDeployer } from '../shared/wiring/ecs';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Deploy canary', async (event: { rollout: Rollout }) =>
  deployCanary(event.rollout, { registry, deployer: serviceDeployer }),
);
