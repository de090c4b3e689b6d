import {
  ResourceNotFound,
  type DescribeAlarmsInput,
  type DescribeAlarmsOutput,
  type MetricAlarm,
  type PutMetricAlarmInput,
  type SetAlarmStateInput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { namedServiceError, serviceError } from './errors';
import { deepClone, eventEnvelope, operationTable, type Operations, type SimulationContext } from './shared';

const STATE_VALUES: ReadonlySet<string> = new Set<StateValue>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const MAX_DESCRIBE_RECORDS = 100;

type StoredAlarm = MetricAlarm & { AlarmName: string; AlarmArn: string; StateValue: StateValue; StateReason: string; StateUpdatedTimestamp: Date };

/** Alarm State Change events carry timestamps the way CloudWatch writes them: `2026-11-20T12:40:40.989+0000`. */
function alarmTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, '+0000');
}

export class SimulatedCloudWatch {
  readonly operations: Operations = operationTable({
    PutMetricAlarm: (input: PutMetricAlarmInput) => this.putMetricAlarm(input),
    DescribeAlarms: (input: DescribeAlarmsInput) => this.describeAlarms(input),
    SetAlarmState: (input: SetAlarmStateInput) => this.setAlarmStateFromApi(input),
  });

  private readonly alarms = new Map<string, StoredAlarm>();

  constructor(private readonly context: SimulationContext) {}

  alarmNames(): string[] {
    return [...this.alarms.keys()];
  }

  alarm(alarmName: string): MetricAlarm | undefined {
    const alarm = this.alarms.get(alarmName);
    return alarm === undefined ? undefined : deepClone(alarm);
  }

  /** The alarm's metric crossing (or recovering from) its threshold. */
  setAlarmState(alarmName: string, stateValue: StateValue, stateReason: string): void {
    this.setAlarmStateFromApi({ AlarmName: alarmName, StateValue: stateValue, StateReason: stateReason });
  }

  private putMetricAlarm(input: PutMetricAlarmInput): Record<string, never> {
    const configuration = { ...input };
    // Tags belong to the tagging API, not to the alarm DescribeAlarms returns.
    delete configuration.Tags;
    const alarmName = configuration.AlarmName;
    if (typeof alarmName !== 'string' || alarmName.length < 1 || alarmName.length > 255) {
      throw this.validationError('AlarmName must be 1-255 characters.');
    }
    if (configuration.ComparisonOperator === undefined) {
      throw this.validationError('ComparisonOperator is required.');
    }
    const { EvaluationPeriods } = configuration;
    if (EvaluationPeriods === undefined || !Number.isInteger(EvaluationPeriods) || EvaluationPeriods < 1) {
      throw this.validationError('EvaluationPeriods must be an integer of at least 1.');
    }
    const now = this.context.now();
    const existing = this.alarms.get(alarmName);
    // Updating an alarm replaces its configuration but, as in CloudWatch, leaves its state alone.
    this.alarms.set(alarmName, {
      ...configuration,
      AlarmName: alarmName,
      AlarmArn: this.alarmArn(alarmName),
      AlarmConfigurationUpdatedTimestamp: now,
      StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
    });
    return {};
  }

  private describeAlarms(input: DescribeAlarmsInput): DescribeAlarmsOutput {
    const { AlarmNames, AlarmNamePrefix, StateValue: wantedState, MaxRecords } = input;
    if (AlarmNames !== undefined && AlarmNames.length > MAX_DESCRIBE_RECORDS) {
      throw this.validationError(`AlarmNames may name at most ${MAX_DESCRIBE_RECORDS} alarms.`);
    }
    if (MaxRecords !== undefined && !(Number.isInteger(MaxRecords) && MaxRecords >= 1 && MaxRecords <= MAX_DESCRIBE_RECORDS)) {
      throw this.validationError(`MaxRecords must be between 1 and ${MAX_DESCRIBE_RECORDS}.`);
    }
    const matching = [...this.alarms.values()].filter(
      (alarm) =>
        (AlarmNames === undefined || AlarmNames.includes(alarm.AlarmName)) &&
        (AlarmNamePrefix === undefined || alarm.AlarmName.startsWith(AlarmNamePrefix)) &&
        (wantedState === undefined || alarm.StateValue === wantedState),
    );
    return { MetricAlarms: matching.slice(0, MaxRecords ?? MAX_DESCRIBE_RECORDS), CompositeAlarms: [] };
  }

  private setAlarmStateFromApi(input: SetAlarmStateInput): Record<string, never> {
    const { AlarmName, StateValue: next, StateReason } = input;
    if (next === undefined || !STATE_VALUES.has(next)) {
      throw this.validationError('StateValue must be one of OK, ALARM, INSUFFICIENT_DATA.');
    }
    if (typeof StateReason !== 'string' || StateReason.length > 1023) {
      throw this.validationError('StateReason is required and at most 1023 characters.');
    }
    const alarm = AlarmName === undefined ? undefined : this.alarms.get(AlarmName);
    if (alarm === undefined) {
      throw serviceError('cloudwatch', ResourceNotFound, `Alarm ${AlarmName ?? ''} not found`);
    }
    const previous = { value: alarm.StateValue, reason: alarm.StateReason, at: alarm.StateUpdatedTimestamp };
    const now = this.context.now();
    Object.assign(alarm, { StateValue: next, StateReason, StateUpdatedTimestamp: now } satisfies Partial<StoredAlarm>);
    if (previous.value === next) {
      return {};
    }
    alarm.StateTransitionedTimestamp = now;
    this.context.emit({
      ...eventEnvelope(this.context, now),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      resources: [alarm.AlarmArn],
      detail: {
        alarmName: alarm.AlarmName,
        configuration: { metrics: [] },
        previousState: { reason: previous.reason, timestamp: alarmTimestamp(previous.at), value: previous.value },
        state: { reason: StateReason, timestamp: alarmTimestamp(now), value: next },
      },
    });
    return {};
  }

  private alarmArn(alarmName: string): string {
    return `arn:aws:cloudwatch:${this.context.region}:${this.context.accountId}:alarm:${alarmName}`;
  }

  /** CloudWatch reports malformed requests as the unmodeled `ValidationError`. */
  private validationError(message: string): Error {
    return namedServiceError('cloudwatch', 'ValidationError', message);
  }
}
