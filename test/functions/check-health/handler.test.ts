import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/check-health/handler';
import { AlarmBreachedError, ResourceMissingError, RolloutAbortedError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  colorApp,
  expectNoMutatingCall,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
  tableName,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-check-health');

let table: RegistryTable;

function alarmIs(state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') {
  aws.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: colorApp.alarm, StateValue: state }], CompositeAlarms: [] });
}

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ stepIndex: 0, canaryWeight: 10 })));
});

describe('check-health handler', () => {
  it('advances to the next step when every alarm is OK, reading only the registry and CloudWatch', async () => {
    // Prepare
    alarmIs('OK');
    const rollout = rolloutInput({ stepIndex: 0 });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toEqual({ ...rollout, verdict: 'advance', failedChecks: 0, stepIndex: 1 });
    expect(awsCalls()).toEqual(['dynamo.GetCommand', 'cloudWatch.DescribeAlarmsCommand']);
    expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' }, ConsistentRead: true });
    expect(aws.cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['colorteller-5xx'], MaxRecords: 100 });
    expectNoMutatingCall();
  });

  it('promotes after the last step', async () => {
    // Prepare
    alarmIs('INSUFFICIENT_DATA');
    const rollout = rolloutInput({ stepIndex: 3 });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toMatchObject({ verdict: 'promote', stepIndex: 3, failedChecks: 0 });
  });

  it('holds the step for a tolerated failed check', async () => {
    // Prepare
    alarmIs('ALARM');
    const rollout = rolloutInput({ stepIndex: 1, toleratedFailedChecks: 1 });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toMatchObject({ verdict: 'hold', stepIndex: 1, failedChecks: 1 });
  });

  it('throws AlarmBreachedError naming the alarm when a check fails beyond tolerance', async () => {
    // Prepare
    alarmIs('ALARM');

    // Act
    const result = handler({ rollout: rolloutInput({ stepIndex: 1 }) }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AlarmBreachedError);
    await expect(result).rejects.toThrow('Health check at 25 % failed: alarm(s) in ALARM: colorteller-5xx (failed check 1, 0 tolerated)');
    expectNoMutatingCall();
  });

  it('throws RolloutAbortedError when an operator asked to abort', async () => {
    // Prepare
    table.patch(`ROLLOUT#${rolloutId}`, 'ROLLOUT', { operatorRequest: 'abort' });
    alarmIs('OK');

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(RolloutAbortedError);
    await expect(result).rejects.toThrow('an operator aborted the rollout');
  });

  it('stops a rollout that is already rolling back without reading alarms', async () => {
    // Prepare
    table.patch(`ROLLOUT#${rolloutId}`, 'ROLLOUT', { phase: 'ROLLING_BACK' });

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toThrow(`Rollout ${rolloutId} is ROLLING_BACK`);
    expect(aws.cloudWatch).not.toHaveReceivedAnyCommand();
  });

  it('reports an alarm that was deleted meanwhile as ResourceMissingError', async () => {
    // Prepare
    aws.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ResourceMissingError);
    await expect(result).rejects.toThrow('CloudWatch alarm(s) not found: colorteller-5xx');
  });
});
