import { type CaughtFailure, readableCause } from '../shared/domain/errors';
import { lambdaHandler, recordMetric } from '../shared/lambda-handler';
import { abandonRollout } from '../shared/use-cases/finish-rollout';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Abandon rollout', async (event: { rolloutId: string; failure: CaughtFailure }) => {
  const reason = readableCause(event.failure.Cause);
  await abandonRollout(event.rolloutId, reason, { registry });
  recordMetric('RolloutsAbandoned');
  return {
    error: event.failure.Error ?? 'RouteEditedError',
    cause: `Rollout ${event.rolloutId} stopped without touching the route or the nodes. ${reason}`,
  };
});
