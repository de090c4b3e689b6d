import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { ensureCanaryNode } from '../shared/use-cases/prepare-canary';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Ensure canary node', async (event: { rollout: Rollout }) =>
  ensureCanaryNode(event.rollout, { registry, router: trafficRouter }),
);
