import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { shiftTraffic } from '../shared/use-cases/shift-traffic';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Shift traffic', async (event: { rollout: Rollout }) =>
  shiftTraffic(event.rollout, { registry, router: trafficRouter }),
);
