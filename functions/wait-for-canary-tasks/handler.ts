import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { waitForCanaryTasks } from '../shared/use-cases/prepare-canary';
import { serviceDeployer } from '../shared/wiring/ecs';
import { registry } from '../shared/wiring/registry';
import { orchestrator } from '../shared/wiring/step-functions';

export const handler = lambdaHandler('Wait for canary tasks', async (event: { rollout: Rollout; taskToken: string }) =>
  waitForCanaryTasks(event.rollout, event.taskToken, { registry, deployer: serviceDeployer, orchestrator }),
);
