import { alarmEventSchema, parseEvent } from '../shared/event-schemas';
import { lambdaHandler, logger, recordMetric } from '../shared/lambda-handler';
import { rollBackRolloutsWatching } from '../shared/use-cases/handle-alarm';
import { trafficRouter } from '../shared/wiring/traffic-router';
import { orchestrator, serviceDeployer } from '../shared/wiring/on-first-use';
import { registry } from '../shared/wiring/registry';

export const handler = lambdaHandler('Handle alarm event', async (event: unknown) => {
  const { detail } = parseEvent(alarmEventSchema, event, 'CloudWatch alarm event');
  if (detail.state.value !== 'ALARM') return { rolledBack: [] };
  const reports = await rollBackRolloutsWatching(detail.alarmName, detail.state.reason ?? 'no reason given', {
    registry,
    router: trafficRouter,
    deployer: serviceDeployer,
    orchestrator,
  });
  recordMetric('AlarmRollbacks', reports.length);
  logger.info('Alarm handled', { alarmName: detail.alarmName, reports });
  return { rolledBack: reports.map((report) => report.rolloutId) };
});
