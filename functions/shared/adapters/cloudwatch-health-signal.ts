import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ResourceMissingError } from '../domain/errors';
import type { AlarmState } from '../domain/health-decision';
import type { HealthSignal } from '../ports/health-signal';
import { callAws } from './aws-error';

const describeAlarmsLimit = 100;

/** CloudWatch alarm states as a HealthSignal. */
export class CloudWatchHealthSignal implements HealthSignal {
  constructor(private readonly client: CloudWatchClient) {}

  async alarmStates(alarmNames: string[]): Promise<Record<string, AlarmState>> {
    const states: Record<string, AlarmState> = {};
    for (let start = 0; start < alarmNames.length; start += describeAlarmsLimit) {
      const batch = alarmNames.slice(start, start + describeAlarmsLimit);
      const output = await callAws('DescribeAlarms', () => this.client.send(new DescribeAlarmsCommand({ AlarmNames: batch, MaxRecords: describeAlarmsLimit })));
      for (const alarm of [...(output.MetricAlarms ?? []), ...(output.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName) states[alarm.AlarmName] = (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState;
      }
    }
    const missing = alarmNames.filter((name) => !(name in states));
    if (missing.length > 0) throw new ResourceMissingError(`CloudWatch alarm(s) not found: ${missing.join(', ')}`);
    return states;
  }
}
