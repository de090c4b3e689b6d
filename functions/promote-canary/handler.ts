import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { promoteCanary } from '../shared/use-cases/shift-traffic';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Promote canary', async (event: { rollout: Rollout }) =>
  promoteCanary(event.rollout, { registry, router: trafficRouter }),
);
