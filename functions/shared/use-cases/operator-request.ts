import { randomUUID } from 'node:crypto';
import { AlarmBreachedError, ResourceMissingError } from '../domain/errors';
import { type OperatorRequest, pendingOperatorRequest } from '../domain/health-decision';
import type { Rollout } from '../domain/rollout';
import { isActivePhase, type RolloutPause, type RolloutPhase, rolloutPhases, shiftablePhases } from '../domain/rollout-phase';
import type { RolloutRecord } from '../ports/registry';
import type { RolloutPorts } from './rollout-ports';

/**
 * What an operator's requests need: the registry and Step Functions. Never a route, node or
 * service: the rollout's own functions do every AWS write, so an operator needs no rights on them.
 */
export type OperatorPorts = Pick<RolloutPorts, 'registry' | 'orchestrator'>;

export interface OperatorRequestResult {
  rolloutId: string;
  request: OperatorRequest;
  /**
   * `now`: the rollout acts on it at once. `at-step-end`: it acts when the bake in progress ends.
   * `unchanged`: the rollout already does what was asked (the same request twice), nothing was written.
   */
  outcome: 'now' | 'at-step-end' | 'unchanged';
  phase: RolloutPhase;
  /** One sentence for a person. */
  message: string;
}

/** The rollout cannot take this request in its phase (it ended, or is rolling back); nothing was changed. */
export class OperatorRequestRefusedError extends Error {
  override name = 'OperatorRequestRefusedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The error a rollout aborted by an operator fails with: its Roll back reads it as the reason. */
export const abortedError = 'RolloutAbortedError';
export const abortedCause = 'aborted by an operator (meshshift abort)';

/**
 * Asks the rollout to pause at its next step boundary: when the bake in progress ends, it parks
 * at the weight it holds until `resume`, `promote` or `abort`.
 * @example await requestPause('colorteller-ecs-svc-123', ports) // { outcome: 'at-step-end', ... }
 */
export async function requestPause(rolloutId: string, ports: OperatorPorts): Promise<OperatorRequestResult> {
  const record = await shiftableRollout(rolloutId, 'pause', ports);
  if (record.pause) return unchanged(record, 'pause', `is already paused since ${record.pause.since}`);
  const pending = pendingOperatorRequest(record);
  if (pending === 'pause') return unchanged(record, 'pause', 'will already pause when the bake in progress ends');
  if (pending === 'abort') throw refused(record, 'pause', 'is being aborted');
  const updated = await recordRequest(record, 'pause', ports);
  return result(updated, 'pause', 'at-step-end', 'will pause when the bake in progress ends');
}

/**
 * Moves a paused rollout on to its next step at once; withdraws a pause asked for but not reached yet.
 * @example await requestResume('colorteller-ecs-svc-123', ports) // { outcome: 'now', ... }
 */
export async function requestResume(rolloutId: string, ports: OperatorPorts): Promise<OperatorRequestResult> {
  const record = await shiftableRollout(rolloutId, 'resume', ports);
  const pending = pendingOperatorRequest(record);
  if (pending === 'resume') return resendResume(record, 'resume', 'is already resuming', ports);
  if (!record.pause && pending !== 'pause') return unchanged(record, 'resume', 'is not paused; nothing to resume');
  const updated = await recordRequest(record, 'resume', ports);
  if (await resumeIfPaused(updated, ports)) return result(updated, 'resume', 'now', 'resumed: it moves on to its next step now');
  return result(updated, 'resume', 'now', 'will not pause: the pause asked for is withdrawn');
}

/**
 * Moves the rollout on to its next step, or with `full` straight to the canary alone (then the
 * stable retires as the policy says): at once when paused, else when the bake in progress ends,
 * past any failed check that would hold the step and any pause the policy has there.
 * @example await requestPromote('colorteller-ecs-svc-123', { full: true }, ports) // { request: 'promote-full', ... }
 */
export async function requestPromote(rolloutId: string, options: { full: boolean }, ports: OperatorPorts): Promise<OperatorRequestResult> {
  const request: OperatorRequest = options.full ? 'promote-full' : 'promote';
  const record = await shiftableRollout(rolloutId, request, ports);
  const target = options.full ? 'promotes the canary to 100 %' : 'moves on to its next step';
  const pending = pendingOperatorRequest(record);
  if (pending === request) return resendResume(record, request, `already ${target}`, ports);
  if (pending === 'abort') throw refused(record, request, 'is being aborted');
  const updated = await recordRequest(record, request, ports);
  if (await resumeIfPaused(updated, ports)) return result(updated, request, 'now', `${target} now`);
  return result(updated, request, 'at-step-end', `${target} when the bake in progress ends`);
}

/**
 * Asks the rollout to roll back now. The request is written to the registry, then the execution
 * is made to act at once: a parked task fails (the state machine rolls back), otherwise the
 * execution is stopped and meshshift's reconciler, which Step Functions tells of every stopped
 * execution, rolls back. Either way the routes are restored by meshshift's functions.
 * @example await requestAbort('colorteller-ecs-svc-123', ports) // { outcome: 'now', ... }
 */
export async function requestAbort(rolloutId: string, ports: OperatorPorts): Promise<OperatorRequestResult> {
  const record = await readRollout(rolloutId, ports);
  if (record.phase === rolloutPhases.rollingBack || record.phase === rolloutPhases.rolledBack) {
    return unchanged(record, 'abort', record.phase === rolloutPhases.rolledBack ? 'is already rolled back' : 'is already rolling back');
  }
  if (!isActivePhase(record.phase)) throw refused(record, 'abort', `already ended ${record.phase}`);
  const alreadyAsked = pendingOperatorRequest(record) === 'abort';
  const updated = alreadyAsked ? record : await recordRequest(record, 'abort', ports, abortablePhases);
  // Sent again for a repeated request too: stopping or failing what already ended changes nothing,
  // and it finishes the job if the first request's process died between its two calls.
  await interrupt(updated, ports);
  if (alreadyAsked) return unchanged(updated, 'abort', 'is already being aborted');
  return result(updated, 'abort', 'now', 'is rolling back now: meshshift restores its routes and retires the canary');
}

/**
 * The server side of a pause (the Pause rollout task): stores the task token that ends it, then
 * ends it at once if a request came while the check decided to pause. A pause with seconds of its
 * own is ended by its task's timeout; the registry shows until when, and what then.
 */
export async function parkRollout(rollout: Rollout, taskToken: string, now: Date, ports: OperatorPorts): Promise<RolloutPause> {
  const { seconds, then } = rollout.pause ?? {};
  const until = seconds === undefined ? {} : { until: new Date(now.getTime() + seconds * 1000).toISOString(), then };
  const pause: RolloutPause = { taskToken, since: now.toISOString(), ...until };
  const record = await ports.registry.updateRollout(rollout.rolloutId, { pause }, shiftablePhases);
  // Rolling back, or gone: the rollback's own path ends this execution; the Catch makes sure.
  if (!record) throw new AlarmBreachedError(`Rollout ${rollout.rolloutId} is no longer shifting; it does not pause`);
  const pending = pendingOperatorRequest(record);
  if (pending !== undefined && pending !== 'pause') await resumeIfPaused(record, ports);
  return pause;
}

const abortablePhases = Object.values(rolloutPhases).filter((phase) => isActivePhase(phase) && phase !== rolloutPhases.rollingBack);

async function readRollout(rolloutId: string, ports: OperatorPorts): Promise<RolloutRecord> {
  const record = await ports.registry.getRollout(rolloutId);
  if (!record) throw new ResourceMissingError(`No rollout ${rolloutId} in the registry`);
  return record;
}

async function shiftableRollout(rolloutId: string, request: OperatorRequest, ports: OperatorPorts): Promise<RolloutRecord> {
  const record = await readRollout(rolloutId, ports);
  if (!shiftablePhases.includes(record.phase)) throw refused(record, request, isActivePhase(record.phase) ? `is ${record.phase}` : `already ended ${record.phase}`);
  return record;
}

/** Writes the request under a new id, only while the rollout is still in a phase that takes it. */
async function recordRequest(record: RolloutRecord, request: OperatorRequest, ports: OperatorPorts, phases: RolloutPhase[] = shiftablePhases): Promise<RolloutRecord> {
  const updated = await ports.registry.updateRollout(record.rolloutId, { operatorRequest: request, operatorRequestId: randomUUID() }, phases);
  if (updated) return updated;
  const now = await readRollout(record.rolloutId, ports);
  throw refused(now, request, isActivePhase(now.phase) ? `is ${now.phase}` : `ended ${now.phase} meanwhile`);
}

/**
 * Resumes the pause the rollout is parked in, if any. The pause function checks for a pending
 * request right after it stores its token, so whichever of the two writes lands second sees the
 * other's: a request is never left waiting on a pause that parked a moment after it was read.
 */
export async function resumeIfPaused(record: RolloutRecord, ports: Pick<OperatorPorts, 'orchestrator'>): Promise<boolean> {
  if (!record.pause) return false;
  await ports.orchestrator.resumeTask(record.pause.taskToken, { operatorRequestId: record.operatorRequestId });
  return true;
}

/** A repeated request: resumed again in case the first one's process died between its two calls. */
async function resendResume(record: RolloutRecord, request: OperatorRequest, state: string, ports: OperatorPorts): Promise<OperatorRequestResult> {
  await resumeIfPaused(record, ports);
  return unchanged(record, request, state);
}

/**
 * A parked task is failed, so the state machine's own Roll back runs and ends in a Fail a person
 * reads; a Wait (a bake) cannot be interrupted, so the execution is stopped and the reconciler
 * rolls back. A token that ended a moment ago fails nothing, but then the rollout is on its way
 * to Check health, which reads the abort; the reconciler is the backstop of both.
 */
async function interrupt(record: RolloutRecord, ports: OperatorPorts): Promise<void> {
  const parkedToken = record.pause?.taskToken ?? (record.phase === rolloutPhases.waitingForCanary ? record.taskToken : undefined);
  if (parkedToken) await ports.orchestrator.failTask(parkedToken, abortedError, `Rolled back: ${abortedCause}`);
  else await ports.orchestrator.stop(record.executionArn, abortedError, `Rolled back: ${abortedCause}`);
}

function result(record: RolloutRecord, request: OperatorRequest, outcome: OperatorRequestResult['outcome'], state: string): OperatorRequestResult {
  return { rolloutId: record.rolloutId, request, outcome, phase: record.phase, message: `Rollout ${record.rolloutId} ${state}` };
}

function unchanged(record: RolloutRecord, request: OperatorRequest, state: string): OperatorRequestResult {
  return result(record, request, 'unchanged', `${state}; nothing changed`);
}

function refused(record: RolloutRecord, request: OperatorRequest, state: string): OperatorRequestRefusedError {
  return new OperatorRequestRefusedError(`Rollout ${record.rolloutId} ${state}: ${request} refused; nothing changed`);
}
