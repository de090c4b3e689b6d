import { type CaughtFailure, readableCause } from '../shared/domain/errors';
import { lambdaHandler, recordMetric } from '../shared/lambda-handler';
import { rollBackRollout } from '../shared/use-cases/roll-back-rollout';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { lifecycleHooks, serviceDeployer } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

/**
 * The compensation path. Also runs when preparation failed, in which case there is no
 * rollout to undo and it only turns the failure into an Error and Cause a person can read.
 */
export const handler = lambdaHandler('Roll back', async (event: { rolloutId: string; failure: CaughtFailure }) => {
  const error = event.failure.Error ?? 'RolloutFailedError';
  const reason = `${error}: ${readableCause(event.failure.Cause)}`;
  if (!(await registry.getRollout(event.rolloutId))) return { error, cause: `Rollout ${event.rolloutId} did not start, nothing was changed. ${reason}` };
  const report = await rollBackRollout(event.rolloutId, reason, { registry, router: trafficRouter, deployer: serviceDeployer, hooks: lifecycleHooks });
  if (report.outcome === 'already-ended') {
    // For example "Retire stable" failing after promotion: the canary serves 100 %, nothing to undo.
    return { error, cause: `Rollout ${event.rolloutId} had already ended ${report.phase}; nothing was rolled back. ${reason}`, report };
  }
  recordMetric('RolloutsRolledBack');
  const edited = report.editedRoutes.length ? ` Left as a person edited them: ${report.editedRoutes.join(', ')}.` : '';
  const kept = report.keptInUse.length ? ` Kept because still in use: ${report.keptInUse.join('; ')}.` : '';
  return {
    error,
    cause: `Rollout ${event.rolloutId} rolled back. ${reason}. Routes restored: ${report.restoredRoutes.join(', ') || 'none needed'}.${edited}${kept}`,
    report,
  };
});
