import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { checkHealth } from '../shared/use-cases/check-health';
import { healthSignal } from '../shared/wiring/cloudwatch';
import { trafficRouter } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Check health', async (event: { rollout: Rollout }) => checkHealth(event.rollout, { registry, health: healthSignal, router: trafficRouter }));
