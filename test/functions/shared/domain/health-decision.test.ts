import {
  decideHealth,
  decidePauseEnd,
  type HealthInput,
  type PauseEndInput,
  pauseOrder,
  pendingOperatorRequest,
} from '../../../../functions/shared/domain/health-decision';
import { executionTimeoutSeconds } from '../../../../functions/shared/domain/schedule';

function input(overrides: Partial<HealthInput> = {}): HealthInput {
  return { alarmStates: { '5xx': 'OK', latency: 'OK' }, failedChecks: 0, toleratedFailedChecks: 0, isLastStep: false, ...overrides };
}

describe('decideHealth', () => {
  it('advances when every alarm is OK and steps remain', () => {
    // Act
    const decision = decideHealth(input());

    // Assess
    expect(decision).toEqual({ verdict: 'advance', failedChecks: 0, reason: 'all 2 alarm(s) healthy', by: 'alarms', requestHandled: false });
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
    expect(decision).toEqual({ verdict: 'advance', failedChecks: 0, reason: 'all 0 alarm(s) healthy', by: 'alarms', requestHandled: false });
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
    expect(decision).toEqual({ verdict: 'roll-back', failedChecks: 0, reason: 'an operator aborted the rollout', by: 'operator', requestHandled: true });
  });

  it.each([
    ['promote', false, 'advance'],
    ['promote', true, 'promote'],
    ['promote-full', false, 'promote'],
  ] as const)('on %s (last step: %s) goes to %s, even past a failed check that would hold the step', (operatorRequest, isLastStep, verdict) => {
    // Act
    const decision = decideHealth(input({ operatorRequest, isLastStep, alarmStates: { '5xx': 'ALARM' }, toleratedFailedChecks: 1 }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict, by: 'operator', requestHandled: true, failedChecks: 0 }));
  });

  it('pauses a healthy step when an operator asked, for as long as the execution may run', () => {
    // Act
    const decision = decideHealth(input({ operatorRequest: 'pause' }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'pause', by: 'operator', requestHandled: true }));
    expect(decision.pause).toEqual({ by: 'operator', then: 'stay', timeoutSeconds: executionTimeoutSeconds });
  });

  it("keeps an operator's pause pending through a held step, and pauses at the next healthy one", () => {
    // Act
    const held = decideHealth(input({ operatorRequest: 'pause', alarmStates: { '5xx': 'ALARM' }, toleratedFailedChecks: 1 }));

    // Assess
    expect(held).toEqual(expect.objectContaining({ verdict: 'hold', requestHandled: false }));
  });

  it('takes a resume with no pause to end as done: the pause it withdrew is not made later', () => {
    // Act
    const decision = decideHealth(input({ operatorRequest: 'resume', alarmStates: { '5xx': 'ALARM' }, toleratedFailedChecks: 1 }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'hold', requestHandled: true }));
  });

  it.each([
    [{ afterStep: 1, then: 'stay' as const }, { by: 'policy', then: 'stay', timeoutSeconds: executionTimeoutSeconds }, 'the policy pauses here for a person'],
    [{ afterStep: 1, seconds: 600, then: 'promote' as const }, { by: 'policy', seconds: 600, then: 'promote', timeoutSeconds: 600 }, 'the policy pauses here for 600 s, then promote'],
    [{ afterStep: 1, seconds: 600, then: 'stay' as const }, { by: 'policy', seconds: 600, then: 'stay', timeoutSeconds: executionTimeoutSeconds }, 'for 600 s, then stay'],
  ])("pauses a healthy step where the policy has a pause %j", (policyPause, pause, reason) => {
    // Act
    const decision = decideHealth(input({ policyPause }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict: 'pause', by: 'policy', pause }));
    expect(decision.reason).toContain(reason);
  });

  it("does not pause where the policy has a pause but the step failed its check: the alarms decide", () => {
    // Act
    const decision = decideHealth(input({ policyPause: { afterStep: 1, then: 'stay' }, alarmStates: { '5xx': 'ALARM' } }));

    // Assess
    expect(decision.verdict).toBe('roll-back');
  });
});

describe('decidePauseEnd', () => {
  const pauseEnd = (overrides: Partial<PauseEndInput> = {}): PauseEndInput => ({
    pause: pauseOrder('policy', { seconds: 600, then: 'promote' }),
    timedOut: false,
    isLastStep: false,
    failedChecks: 0,
    ...overrides,
  });

  it.each([
    ['resume', false, 'advance'],
    ['promote', false, 'advance'],
    ['resume', true, 'promote'],
    ['promote-full', false, 'promote'],
    ['abort', false, 'roll-back'],
  ] as const)('after %s (last step: %s) goes to %s', (operatorRequest, isLastStep, verdict) => {
    // Act
    const decision = decidePauseEnd(pauseEnd({ operatorRequest, isLastStep }));

    // Assess
    expect(decision).toEqual(expect.objectContaining({ verdict, by: 'operator', requestHandled: true }));
  });

  it.each([
    ['promote', 'advance', 'nobody ended the pause within 600 s, and the policy says go on'],
    ['roll-back', 'roll-back', 'nobody ended the pause within 600 s, and the policy says roll back'],
  ] as const)('when its seconds ran out and the policy says %s, goes to %s', (then, verdict, reason) => {
    // Act
    const decision = decidePauseEnd(pauseEnd({ pause: pauseOrder('policy', { seconds: 600, then }), timedOut: true }));

    // Assess
    expect(decision).toEqual({ verdict, failedChecks: 0, reason, by: 'policy', requestHandled: false });
  });

  it('rolls back a pause for a person that outlasted the execution, its backstop', () => {
    // Act
    const decision = decidePauseEnd(pauseEnd({ pause: pauseOrder('operator', { then: 'stay' }), timedOut: true }));

    // Assess
    expect(decision.verdict).toBe('roll-back');
    expect(decision.reason).toContain('a rollout paused for a person rolls back when its time runs out');
  });

  it('lets a person who acted as the seconds ran out decide', () => {
    // Act
    const decision = decidePauseEnd(pauseEnd({ pause: pauseOrder('policy', { seconds: 600, then: 'roll-back' }), timedOut: true, operatorRequest: 'promote-full' }));

    // Assess
    expect(decision.verdict).toBe('promote');
  });
});

describe('pendingOperatorRequest', () => {
  it.each([
    [{}, undefined, undefined],
    [{ operatorRequest: 'pause' as const, operatorRequestId: 'b', handledOperatorRequestId: 'a' }, undefined, 'pause'],
    [{ operatorRequest: 'pause' as const, operatorRequestId: 'b', handledOperatorRequestId: 'b', handledAtCheck: '1/advance/0' }, undefined, undefined],
    [{ operatorRequest: 'pause' as const, operatorRequestId: 'b', handledOperatorRequestId: 'b', handledAtCheck: '1/advance/0' }, '2/advance/0', undefined],
    [{ operatorRequest: 'pause' as const, operatorRequestId: 'b', handledOperatorRequestId: 'b', handledAtCheck: '1/advance/0' }, '1/advance/0', 'pause'],
    [{ operatorRequest: 'abort' as const, operatorRequestId: 'b', handledOperatorRequestId: 'b', handledAtCheck: '1/advance/0' }, undefined, 'abort'],
    [{ operatorRequest: 'promote' as const }, undefined, undefined],
  ])('of %j seen by check %s is %s', (state, atCheck, pending) => {
    // Assess
    expect(pendingOperatorRequest(state, atCheck)).toBe(pending);
  });
});
