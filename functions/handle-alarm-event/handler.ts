import { alarmEventSchema, parseEvent } from '../shared/event-schemas';
import { lambdaHandler, logger, recordDuration, recordMetric } from '../shared/lambda-handler';
import { rollBackRolloutsWatching } from '../shared/use-cases/handle-alarm';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { clock } from '../shared/wiring/clock';
import { lifecycleHooks, orchestrator, serviceDeployer } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Handle alarm event', async (event: unknown) => {
  const { detail, time } = parseEvent(alarmEventSchema, event, 'CloudWatch alarm event');
  if (detail.state.value !== 'ALARM') return { rolledBack: [] };
  const reports = await rollBackRolloutsWatching(detail.alarmName, detail.state.reason ?? 'no reason given', {
    registry,
    router: trafficRouter,
    deployer: serviceDeployer,
    orchestrator,
    hooks: lifecycleHooks,
  });
  recordMetric('AlarmRollbacks', reports.length);
  // From the alarm's state change (the event's time) to routes restored, canary retired and execution stopped: an upper bound on time to safe.
  if (reports.length > 0) recordDuration('AlarmToSafeSeconds', (clock.now().getTime() - Date.parse(time)) / 1000);
  logger.info('Alarm handled', { alarmName: detail.alarmName, reports });
  return { rolledBack: reports.map((report) => report.rolloutId) };
});
