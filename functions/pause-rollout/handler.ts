import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { parkRollout } from '../shared/use-cases/operator-request';
import { clock } from '../shared/wiring/clock';
import { orchestrator } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Pause rollout', async (event: { rollout: Rollout; taskToken: string }) =>
  parkRollout(event.rollout, event.taskToken, clock.now(), { registry, orchestrator }),
);
