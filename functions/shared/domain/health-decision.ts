/** CloudWatch's three alarm states. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * An operator's request recorded in the registry (CLI `pause`, `resume`, `promote [--full]`,
 * `abort`): `promote` moves on to the next step, `promote-full` straight to the canary alone.
 */
export type OperatorRequest = 'pause' | 'resume' | 'promote' | 'promote-full' | 'abort';

/**
 * The operator request the rollout has not acted on yet, if any: each request carries an id, and
 * the rollout notes the id of the last one it acted on, so re-reading one never acts twice.
 * @example pendingOperatorRequest({ operatorRequest: 'pause', operatorRequestId: 'b', handledOperatorRequestId: 'a' }) // 'pause'
 */
export function pendingOperatorRequest(record: { operatorRequest?: OperatorRequest; operatorRequestId?: string; handledOperatorRequestId?: string }): OperatorRequest | undefined {
  if (record.operatorRequestId === undefined || record.operatorRequestId === record.handledOperatorRequestId) return undefined;
  return record.operatorRequest;
}

export type HealthVerdict = 'advance' | 'hold' | 'promote' | 'roll-back';

export interface HealthInput {
  alarmStates: Record<string, AlarmState>;
  failedChecks: number;
  toleratedFailedChecks: number;
  isLastStep: boolean;
  operatorRequest?: OperatorRequest;
}

export interface HealthDecision {
  verdict: HealthVerdict;
  failedChecks: number;
  reason: string;
}

/**
 * The alarms in ALARM, by name.
 * @example alarmsInAlarm({ '5xx': 'ALARM', latency: 'OK' }) // ['5xx']
 */
export function alarmsInAlarm(alarmStates: Record<string, AlarmState>): string[] {
  return Object.entries(alarmStates)
    .filter(([, state]) => state === 'ALARM')
    .map(([name]) => name);
}

/**
 * Decides what follows a bake. An alarm in ALARM is a failed check: tolerated failures
 * hold the step for another bake, one more rolls back. INSUFFICIENT_DATA passes, since a
 * canary at a few percent often has too few requests for a datapoint.
 * @example decideHealth({ alarmStates: { '5xx': 'OK' }, failedChecks: 0, toleratedFailedChecks: 0, isLastStep: false })
 * // { verdict: 'advance', failedChecks: 0, reason: 'all 1 alarm(s) healthy' }
 */
export function decideHealth(input: HealthInput): HealthDecision {
  const { failedChecks, toleratedFailedChecks } = input;
  if (input.operatorRequest === 'abort') return { verdict: 'roll-back', failedChecks, reason: 'an operator aborted the rollout' };
  if (input.operatorRequest === 'promote') return { verdict: 'promote', failedChecks, reason: 'an operator promoted the canary' };

  const firing = alarmsInAlarm(input.alarmStates);
  if (firing.length > 0) {
    const failed = failedChecks + 1;
    const reason = `alarm(s) in ALARM: ${firing.join(', ')} (failed check ${failed}, ${toleratedFailedChecks} tolerated)`;
    return { verdict: failed > toleratedFailedChecks ? 'roll-back' : 'hold', failedChecks: failed, reason };
  }
  const healthy = `all ${Object.keys(input.alarmStates).length} alarm(s) healthy`;
  return { verdict: input.isLastStep ? 'promote' : 'advance', failedChecks, reason: healthy };
}
