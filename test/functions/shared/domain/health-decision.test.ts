import { decideHealth, type HealthInput } from '../../../../functions/shared/domain/health-decision';

function input(overrides: Partial<HealthInput> = {}): HealthInput {
  return { alarmStates: { '5xx': 'OK', latency: 'OK' }, failedChecks: 0, toleratedFailedChecks: 0, isLastStep: false, ...overrides };
}

describe('decideHealth', () => {
  it('advances when every alarm is OK and steps remain', () => {
    // Act
    const decision = decideHealth(input());

    // Assess
    expect(decision).toEqual({ verdict: 'advance', failedChecks: 0, reason: 'all 2 alarm(s) healthy' });
  });

  it('promotes when every alarm is OK after the last step', () => {
    // Act
    const decision = decideHealth(input({ isLastStep: true }));

    // Assess
    expect(decision.verdict).toBe('promote');
  });

  it('lets INSUFFICIENT_DATA pass, since a canary at a few percent may have no datapoints yet', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: { '5xx': 'INSUFFICIENT_DATA', latency: 'OK' } }));

    // Assess
    expect(decision.verdict).toBe('advance');
    expect(decision.failedChecks).toBe(0);
  });

  it('advances with no alarms at all', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: {} }));

    // Assess
    expect(decision).toEqual({ verdict: 'advance', failedChecks: 0, reason: 'all 0 alarm(s) healthy' });
  });

  it('rolls back on the first alarm when no failures are tolerated, naming the alarm', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: { '5xx': 'ALARM', latency: 'OK' } }));

    // Assess
    expect(decision.verdict).toBe('roll-back');
    expect(decision.failedChecks).toBe(1);
    expect(decision.reason).toContain('5xx');
    expect(decision.reason).not.toContain('latency');
  });

  it('holds the step while failed checks stay within the tolerance', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: { '5xx': 'ALARM' }, failedChecks: 1, toleratedFailedChecks: 2 }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'hold', failedChecks: 2 }));
  });

  it('rolls back on the first failed check beyond the tolerance', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: { '5xx': 'ALARM' }, failedChecks: 2, toleratedFailedChecks: 2 }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'roll-back', failedChecks: 3 }));
  });

  it('holds rather than promotes on the last step while an alarm fires within the tolerance', () => {
    // Act
    const decision = decideHealth(input({ alarmStates: { '5xx': 'ALARM' }, toleratedFailedChecks: 1, isLastStep: true }));

    // Assess
    expect(decision.verdict).toBe('hold');
  });

  it('keeps earlier failed checks when the alarms are healthy again', () => {
    // Act
    const decision = decideHealth(input({ failedChecks: 1, toleratedFailedChecks: 2 }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'advance', failedChecks: 1 }));
  });

  it('rolls back when an operator aborts, even with healthy alarms', () => {
    // Act
    const decision = decideHealth(input({ operatorRequest: 'abort' }));

    // Assess
    expect(decision).toEqual({ verdict: 'roll-back', failedChecks: 0, reason: 'an operator aborted the rollout' });
  });

  it('promotes when an operator promotes, even before the last step', () => {
    // Act
    const decision = decideHealth(input({ operatorRequest: 'promote', isLastStep: false }));

    // Assess
    expect(decision.verdict).toBe('promote');
  });
});
