import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchHealthSignal } from '../../../../functions/shared/adapters/cloudwatch-health-signal';
import { ResourceMissingError, TransientAwsError } from '../../../../functions/shared/domain/errors';

const cloudWatch = mockClient(CloudWatchClient);

function signal() {
  return new CloudWatchHealthSignal(new CloudWatchClient({ region: 'us-west-2' }));
}

/** CloudWatch as it answers: every named alarm that exists, in ALARM when listed in `firing`. */
function answerFor(existing: Set<string>, firing: Set<string> = new Set()) {
  return (input: DescribeAlarmsCommandInput) => ({
    MetricAlarms: (input.AlarmNames ?? []).filter((name) => existing.has(name)).map((name) => ({ AlarmName: name, StateValue: firing.has(name) ? ('ALARM' as const) : ('OK' as const) })),
  });
}

beforeEach(() => {
  cloudWatch.reset();
});

describe('CloudWatchHealthSignal', () => {
  it('returns the state of metric and composite alarms', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: '5xx', StateValue: 'ALARM' },
        { AlarmName: 'latency', StateValue: 'INSUFFICIENT_DATA' },
      ],
      CompositeAlarms: [{ AlarmName: 'overall', StateValue: 'OK' }],
    });

    // Act
    const states = await signal().alarmStates(['5xx', 'latency', 'overall']);

    // Assess
    expect(states).toEqual({ '5xx': 'ALARM', latency: 'INSUFFICIENT_DATA', overall: 'OK' });
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['5xx', 'latency', 'overall'], MaxRecords: 100 });
  });

  it('asks for at most 100 alarms at a time', async () => {
    // Prepare
    const names = Array.from({ length: 250 }, (_, index) => `alarm-${index}`);
    cloudWatch.on(DescribeAlarmsCommand).callsFake(answerFor(new Set(names), new Set(['alarm-249'])));

    // Act
    const states = await signal().alarmStates(names);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 3);
    const batches = cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input.AlarmNames);
    expect(batches).toEqual([names.slice(0, 100), names.slice(100, 200), names.slice(200)]);
    expect(Object.keys(states)).toHaveLength(250);
    expect(states['alarm-249']).toBe('ALARM');
  });

  it('makes no call for no alarms', async () => {
    // Act
    const states = await signal().alarmStates([]);

    // Assess
    expect(states).toEqual({});
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 0);
  });

  it('fails with ResourceMissingError naming every missing alarm, since a missing alarm is not a pass', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).callsFake(answerFor(new Set(['5xx'])));

    // Act
    const states = signal().alarmStates(['5xx', 'latncy', 'errors']);

    // Assess
    await expect(states).rejects.toThrow(ResourceMissingError);
    await expect(states).rejects.toThrow('CloudWatch alarm(s) not found: latncy, errors');
  });

  it('turns throttling into TransientAwsError', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));

    // Act
    const states = signal().alarmStates(['5xx']);

    // Assess
    await expect(states).rejects.toThrow(TransientAwsError);
  });
});
