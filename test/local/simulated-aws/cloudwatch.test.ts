import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  ResourceNotFound,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { SimulatedAws, type SimulatedEvent } from '../../../local/simulated-aws';

const ALARM = 'colorteller-5xx';
const ALARM_ARN = `arn:aws:cloudwatch:us-west-2:111122223333:alarm:${ALARM}`;
const CLOUDWATCH_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

const alarmInput: PutMetricAlarmInput = {
  AlarmName: ALARM,
  MetricName: 'envoy_http_downstream_rq_xx',
  Namespace: 'ECS/ContainerInsights/Prometheus',
  Dimensions: [{ Name: 'VirtualNode', Value: 'colorteller-v2' }],
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 5,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
};

async function setup() {
  const sim = new SimulatedAws();
  const client = sim.attach(new CloudWatchClient({ region: 'us-west-2' }));
  const events: SimulatedEvent[] = [];
  sim.onEvent((event) => events.push(event));
  await client.send(new PutMetricAlarmCommand(alarmInput));
  return { sim, client, events };
}

function setState(client: CloudWatchClient, StateValue: StateValue, StateReason: string) {
  return client.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue, StateReason }));
}

describe('simulated CloudWatch alarms', () => {
  it('stores a new alarm in INSUFFICIENT_DATA with its configuration and ARN', async () => {
    // Prepare
    const { client } = await setup();

    // Act
    const { MetricAlarms, CompositeAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));

    // Assess
    expect(MetricAlarms).toEqual([
      {
        ...alarmInput,
        AlarmArn: ALARM_ARN,
        AlarmConfigurationUpdatedTimestamp: expect.any(Date),
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: expect.any(Date),
        StateTransitionedTimestamp: expect.any(Date),
      },
    ]);
    expect(CompositeAlarms).toEqual([]);
  });

  it('filters DescribeAlarms by name, prefix and state', async () => {
    // Prepare
    const { client } = await setup();
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, AlarmName: 'other-latency' }));
    await setState(client, 'ALARM', 'Threshold Crossed');

    // Act
    const byName = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['other-latency', 'ghost'] }));
    const byPrefix = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'colorteller-' }));
    const byState = await client.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    const all = await client.send(new DescribeAlarmsCommand({}));

    // Assess
    expect(byName.MetricAlarms?.map((alarm) => alarm.AlarmName)).toEqual(['other-latency']);
    expect(byPrefix.MetricAlarms?.map((alarm) => alarm.AlarmName)).toEqual([ALARM]);
    expect(byState.MetricAlarms?.map((alarm) => alarm.AlarmName)).toEqual([ALARM]);
    expect(all.MetricAlarms).toHaveLength(2);
  });

  it('emits an Alarm State Change event shaped as EventBridge delivers it when the state changes', async () => {
    // Prepare
    const { client, events } = await setup();

    // Act
    await setState(client, 'OK', 'Threshold Crossed: no datapoints were greater than the threshold (5.0).');
    await setState(client, 'ALARM', 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).');

    // Assess
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '111122223333',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-west-2',
      resources: [ALARM_ARN],
      detail: {
        alarmName: ALARM,
        configuration: { metrics: [] },
        previousState: {
          reason: 'Threshold Crossed: no datapoints were greater than the threshold (5.0).',
          timestamp: expect.stringMatching(CLOUDWATCH_TIMESTAMP),
          value: 'OK',
        },
        state: {
          reason: 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).',
          timestamp: expect.stringMatching(CLOUDWATCH_TIMESTAMP),
          value: 'ALARM',
        },
      },
    });
  });

  it('emits no event when the state does not change, but records the new reason', async () => {
    // Prepare
    const { client, events } = await setup();
    await setState(client, 'ALARM', 'first');

    // Act
    await setState(client, 'ALARM', 'second');
    const { MetricAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));

    // Assess
    expect(events).toHaveLength(1);
    expect(MetricAlarms?.[0]).toMatchObject({ StateValue: 'ALARM', StateReason: 'second' });
  });

  it('lets a test set the state without an API call, with the same event', async () => {
    // Prepare
    const { sim, events } = await setup();
    const callsBefore = sim.calls.length;

    // Act
    sim.cloudwatch.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed');

    // Assess
    expect(sim.cloudwatch.alarm(ALARM)).toMatchObject({ StateValue: 'ALARM', StateReason: 'Threshold Crossed' });
    expect(events[0]?.detail).toMatchObject({ previousState: { value: 'INSUFFICIENT_DATA' }, state: { value: 'ALARM' } });
    expect(sim.calls).toHaveLength(callsBefore);
  });

  it('answers SetAlarmState for an unknown alarm with ResourceNotFound', async () => {
    // Prepare
    const { client } = await setup();

    // Act
    const error = await client
      .send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'ALARM', StateReason: 'x' }))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFound);
    expect(error).toMatchObject({ name: 'ResourceNotFound', $metadata: { httpStatusCode: 404 } });
  });

  it('rejects a state that is not OK, ALARM or INSUFFICIENT_DATA', async () => {
    // Prepare
    const { client } = await setup();

    // Act
    const error = await setState(client, 'BROKEN' as StateValue, 'x').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(CloudWatchServiceException);
    expect(error).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });

  it('rejects MaxRecords above 100', async () => {
    // Prepare
    const { client } = await setup();

    // Act
    const error = await client.send(new DescribeAlarmsCommand({ MaxRecords: 101 })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'ValidationError' });
  });

  it('replaces the configuration on PutMetricAlarm for an existing alarm but keeps its state', async () => {
    // Prepare
    const { client } = await setup();
    await setState(client, 'ALARM', 'Threshold Crossed');

    // Act
    await client.send(new PutMetricAlarmCommand({ ...alarmInput, TreatMissingData: undefined, Threshold: 10 }));
    const { MetricAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));

    // Assess
    expect(MetricAlarms?.[0]).toMatchObject({ Threshold: 10, StateValue: 'ALARM', StateReason: 'Threshold Crossed' });
    expect(MetricAlarms?.[0]?.TreatMissingData).toBeUndefined();
  });
});
