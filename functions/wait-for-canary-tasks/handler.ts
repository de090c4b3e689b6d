import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { waitForCanaryTasks } from '../shared/use-cases/prepare-canary';
import { serviceDeployer } from '../shared/wiring/ecs';
import { orchestrator } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Wait for canary tasks', async (event: { rollout: Rollout; taskToken: string }) =>
  waitForCanaryTasks(event.rollout, event.taskToken, { registry, deployer: serviceDeployer, orchestrator }),
);
