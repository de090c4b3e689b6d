import type { GatingHookPoint } from '../shared/domain/lifecycle-hooks';
import type { Rollout } from '../shared/domain/rollout';
import { lambdaHandler } from '../shared/lambda-handler';
import { runHook } from '../shared/use-cases/run-hook';
import { lifecycleHooks, orchestrator } from '../shared/wiring/on-first-use';

export const handler = lambdaHandler('Run hook', async (event: { rollout: Rollout; hook: { point: GatingHookPoint }; taskToken: string }) =>
  runHook(event.rollout, event.hook.point, event.taskToken, { hooks: lifecycleHooks, orchestrator }),
);
