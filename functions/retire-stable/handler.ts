import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler, recordMetric } from '../shared/lambda-handler';
import { retireStable } from '../shared/use-cases/finish-rollout';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { serviceDeployer } from '../shared/wiring/ecs';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Retire stable', async (event: { rollout: Rollout }) => {
  const report = await retireStable(event.rollout, { registry, router: trafficRouter, deployer: serviceDeployer });
  recordMetric('RolloutsPromoted');
  return report;
});
