import { executionTimeoutSeconds, type PauseEnd, type StepPause } from './schedule';

/** CloudWatch's three alarm states. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * An operator's request recorded in the registry (CLI `pause`, `resume`, `promote [--full]`,
 * `abort`): `promote` moves on to the next step, `promote-full` straight to the canary alone.
 */
export type OperatorRequest = 'pause' | 'resume' | 'promote' | 'promote-full' | 'abort';

/** What says whether an operator request is still to be acted on (fields of the registry's record). */
export interface OperatorRequestState {
  operatorRequest?: OperatorRequest;
  operatorRequestId?: string;
  handledOperatorRequestId?: string;
  handledAtCheck?: string;
}

/**
 * The operator request the rollout has still to act on, if any. Each request carries an id and
 * the rollout notes the id of the last one it acted on, so re-reading one never acts twice; but a
 * retry of the very check that acted on it (`atCheck`, when its note landed and its answer was
 * lost) sees it again and acts the same. An abort stays: nothing after it may move the rollout on.
 * @example pendingOperatorRequest({ operatorRequest: 'pause', operatorRequestId: 'b', handledOperatorRequestId: 'a' }) // 'pause'
 */
export function pendingOperatorRequest(state: OperatorRequestState, atCheck?: string): OperatorRequest | undefined {
  if (state.operatorRequest === 'abort') return 'abort';
  if (state.operatorRequestId === undefined) return undefined;
  const handled = state.operatorRequestId === state.handledOperatorRequestId;
  return !handled || (atCheck !== undefined && state.handledAtCheck === atCheck) ? state.operatorRequest : undefined;
}

export type HealthVerdict = 'advance' | 'hold' | 'promote' | 'pause' | 'roll-back';

/**
 * The pause a 'pause' verdict parks the rollout in. `timeoutSeconds` is what the state machine's
 * pause waits at most: the pause's own seconds when it ends by itself, else the execution's
 * timeout, so a pause for a person ends only when the execution does (and is then rolled back).
 */
export interface PauseOrder {
  by: 'operator' | 'policy';
  seconds?: number;
  then: PauseEnd;
  timeoutSeconds: number;
}

export interface HealthInput {
  alarmStates: Record<string, AlarmState>;
  failedChecks: number;
  toleratedFailedChecks: number;
  isLastStep: boolean;
  /** Only a request the rollout has not acted on yet (see pendingOperatorRequest). */
  operatorRequest?: OperatorRequest;
  /** The policy's pause after this step, if it has one. */
  policyPause?: StepPause;
}

export interface HealthDecision {
  verdict: HealthVerdict;
  failedChecks: number;
  reason: string;
  /** Who decided: a person's request, the policy's pause, or the alarms. */
  by: 'operator' | 'policy' | 'alarms';
  /** Whether the pending request is now acted on; a pause asked for during a held step waits for a healthy one. */
  requestHandled: boolean;
  pause?: PauseOrder;
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
 * Decides what follows a bake. A person's request comes first: abort rolls back, promote moves on
 * (to the next step, or with promote-full to the canary alone) even past a failed check. Then an
 * alarm in ALARM is a failed check: tolerated failures hold the step for another bake, one more
 * rolls back. INSUFFICIENT_DATA passes, since a canary at a few percent often has too few requests
 * for a datapoint. A healthy step moves on, unless a person asked for a pause or the policy has one
 * here.
 * @example decideHealth({ alarmStates: { '5xx': 'OK' }, failedChecks: 0, toleratedFailedChecks: 0, isLastStep: false })
 * // { verdict: 'advance', failedChecks: 0, reason: 'all 1 alarm(s) healthy', by: 'alarms', requestHandled: false }
 */
export function decideHealth(input: HealthInput): HealthDecision {
  const { failedChecks, toleratedFailedChecks, operatorRequest } = input;
  const byOperator = operatorDecision(operatorRequest, input.isLastStep, failedChecks);
  if (byOperator) return byOperator;

  // A resume with no pause to end withdrew a pause asked for earlier: nothing is left to do for it.
  const requestHandled = operatorRequest !== undefined;
  const firing = alarmsInAlarm(input.alarmStates);
  if (firing.length > 0) {
    const failed = failedChecks + 1;
    const reason = `alarm(s) in ALARM: ${firing.join(', ')} (failed check ${failed}, ${toleratedFailedChecks} tolerated)`;
    const verdict = failed > toleratedFailedChecks ? 'roll-back' : 'hold';
    return { verdict, failedChecks: failed, reason, by: 'alarms', requestHandled: requestHandled && operatorRequest !== 'pause' };
  }
  const healthy = `all ${Object.keys(input.alarmStates).length} alarm(s) healthy`;
  if (operatorRequest === 'pause') {
    return { verdict: 'pause', failedChecks, reason: `${healthy}; an operator asked for a pause`, by: 'operator', requestHandled, pause: pauseOrder('operator', { then: 'stay' }) };
  }
  if (input.policyPause) {
    const reason = `${healthy}; the policy pauses here${input.policyPause.seconds ? ` for ${input.policyPause.seconds} s, then ${input.policyPause.then}` : ' for a person'}`;
    return { verdict: 'pause', failedChecks, reason, by: 'policy', requestHandled, pause: pauseOrder('policy', input.policyPause) };
  }
  return { verdict: nextStep(input.isLastStep), failedChecks, reason: healthy, by: 'alarms', requestHandled };
}

export interface PauseEndInput {
  pause: PauseOrder;
  /** The pause's seconds ran out before anyone ended it. */
  timedOut: boolean;
  isLastStep: boolean;
  failedChecks: number;
  operatorRequest?: OperatorRequest;
}

/**
 * Decides what follows a pause. Whoever ended it decided: a person's request (resume and promote
 * go on to the next step, promote-full to the canary alone, abort rolls back), or, when its seconds
 * ran out, what the policy says (a pause for a person rolls back). The alarms are not judged again: one firing during the pause
 * rolled the rollout back at once, as in any bake.
 * @example decidePauseEnd({ pause, timedOut: false, isLastStep: false, failedChecks: 0, operatorRequest: 'resume' })
 * // { verdict: 'advance', failedChecks: 0, reason: 'an operator resumed the rollout', by: 'operator', requestHandled: true }
 */
export function decidePauseEnd(input: PauseEndInput): HealthDecision {
  const { failedChecks, operatorRequest, pause } = input;
  const byOperator = operatorDecision(operatorRequest, input.isLastStep, failedChecks);
  if (byOperator) return byOperator;
  const requestHandled = operatorRequest !== undefined;
  if (!input.timedOut) return { verdict: nextStep(input.isLastStep), failedChecks, reason: 'an operator resumed the rollout', by: 'operator', requestHandled };
  const ranOut = `nobody ended the pause within ${pause.timeoutSeconds} s`;
  if (pause.then === 'promote') return { verdict: nextStep(input.isLastStep), failedChecks, reason: `${ranOut}, and the policy says go on`, by: 'policy', requestHandled };
  // A pause that stays for a person times out only with the execution: rolling back is its backstop.
  const then = pause.then === 'roll-back' ? 'the policy says roll back' : 'a rollout paused for a person rolls back when its time runs out';
  return { verdict: 'roll-back', failedChecks, reason: `${ranOut}, and ${then}`, by: 'policy', requestHandled };
}

function operatorDecision(request: OperatorRequest | undefined, isLastStep: boolean, failedChecks: number): HealthDecision | undefined {
  const decided = { failedChecks, by: 'operator' as const, requestHandled: true };
  if (request === 'abort') return { ...decided, verdict: 'roll-back', reason: 'an operator aborted the rollout' };
  if (request === 'promote-full') return { ...decided, verdict: 'promote', reason: 'an operator promoted the canary to 100 %' };
  if (request === 'promote') return { ...decided, verdict: nextStep(isLastStep), reason: 'an operator moved the rollout on to its next step' };
  return undefined;
}

const nextStep = (isLastStep: boolean): HealthVerdict => (isLastStep ? 'promote' : 'advance');

/**
 * The pause a step parks in: a timed one waits its seconds unless it stays for a person; any
 * other waits at most as long as the execution may run.
 * @example pauseOrder('policy', { seconds: 600, then: 'promote' }) // { by: 'policy', seconds: 600, then: 'promote', timeoutSeconds: 600 }
 */
export function pauseOrder(by: PauseOrder['by'], pause: Pick<StepPause, 'seconds' | 'then'>): PauseOrder {
  const ownTimer = pause.then === 'stay' ? undefined : pause.seconds;
  return { by, ...(pause.seconds === undefined ? {} : { seconds: pause.seconds }), then: pause.then, timeoutSeconds: ownTimer ?? executionTimeoutSeconds };
}
