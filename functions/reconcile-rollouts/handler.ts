import * as z from 'zod';
import { parseEvent } from '../shared/event-schemas';
import { lambdaHandler, logger, recordMetric } from '../shared/lambda-handler';
import { reconcileRollouts } from '../shared/use-cases/reconcile-rollouts';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { clock } from '../shared/wiring/clock';
import { publishNeedsAttention } from '../shared/wiring/events';
import { healthSignal } from '../shared/wiring/cloudwatch';
import { lifecycleHooks, serviceDeployer } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';
import { orchestrator } from '../shared/wiring/step-functions';

/** Two triggers, one job: the schedule (every minute) and a rollout execution ending ABORTED, TIMED_OUT or FAILED. */
const triggerSchema = z.object({ source: z.enum(['aws.events', 'aws.scheduler', 'aws.states']), 'detail-type': z.string() });

/** A rollback that has not moved for this long stopped half-way: two minutes is well past any retry's wait. */
const stuckRollbackSeconds = 120;

export const handler = lambdaHandler('Reconcile rollouts', async (event: unknown) => {
  const trigger = parseEvent(triggerSchema, event, 'reconcile trigger');
  const report = await reconcileRollouts(
    { registry, router: trafficRouter, deployer: serviceDeployer, orchestrator, health: healthSignal, hooks: lifecycleHooks },
    { now: clock.now(), stuckRollbackSeconds },
  );
  recordMetric('RolloutsReconciled', report.actions.length);
  // Its share of how rollouts end: an operator's abort during a bake, a lost alarm event, an execution that ended.
  recordMetric('ReconcilerRollbacks', report.actions.filter(({ action }) => action.startsWith('rolled back') || action.startsWith('finished a rollback')).length);
  recordMetric('RolloutsNeedAttention', report.needAttention.length);
  await publishNeedsAttention(registry, report.needAttention);
  if (report.needAttention.length > 0) logger.error('Rollouts need attention', { trigger: trigger['detail-type'], needAttention: report.needAttention });
  else logger.info('Reconciled', { trigger: trigger['detail-type'], actions: report.actions });
  return report;
});
