/**
 * Error classes are the contract with the state machine: each `name` is matched by
 * `ErrorEquals` in statemachines/rollout.asl.json, so never rename one without the ASL.
 */

abstract class MeshshiftError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A policy, event, manual input or CLI flag is malformed. Nothing in AWS was changed. */
export class InvalidInputError extends MeshshiftError {
  override name = 'InvalidInputError';
}

/** A rollout policy failed validation; the message names every offending field. */
export class PolicyInvalidError extends MeshshiftError {
  override name = 'PolicyInvalidError';
}

/** Something the rollout needs (mesh, route, node, service, policy) does not exist. */
export class ResourceMissingError extends MeshshiftError {
  override name = 'ResourceMissingError';
}

/** The deployed task definition has no App Mesh proxy, so it has no virtual node to shift to. */
export class NoMeshProxyError extends MeshshiftError {
  override name = 'NoMeshProxyError';
}

/** A weight write would break invariant I2 (integers 0–100 summing to 100, at most 10 targets). */
export class InvalidWeightsError extends MeshshiftError {
  override name = 'InvalidWeightsError';
}

/** Invariant I5: the route's targets are not what meshshift last wrote, so a person changed them. */
export class RouteEditedError extends MeshshiftError {
  override name = 'RouteEditedError';
}

/** A watched alarm is in ALARM (or too many checks failed): the rollout must roll back. */
export class AlarmBreachedError extends MeshshiftError {
  override name = 'AlarmBreachedError';
}

/** The canary's ECS deployment failed before any traffic moved. */
export class CanaryDeploymentFailedError extends MeshshiftError {
  override name = 'CanaryDeploymentFailedError';
}

/** Another rollout owns the route and this one must not run (it is older, or a newer one won). */
export class RolloutSupersededError extends MeshshiftError {
  override name = 'RolloutSupersededError';
}

/** An operator asked for the rollout to be rolled back. */
export class RolloutAbortedError extends MeshshiftError {
  override name = 'RolloutAbortedError';
}

/** A timed pause ran out and the policy says roll back, or a pause for a person outlasted the execution. */
export class PauseRanOutError extends MeshshiftError {
  override name = 'PauseRanOutError';
}

/** Throttling, 5xx or a lost optimistic-lock race: safe to retry with backoff. */
export class TransientAwsError extends MeshshiftError {
  override name = 'TransientAwsError';
}

/** Recovers a readable `cause` chain for messages shown to people (Fail state Cause, CLI). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** A caught error as Step Functions hands it to the compensation path. */
export interface CaughtFailure {
  Error?: string;
  Cause?: string;
}

/**
 * The message inside a Catch's Cause: Lambda wraps it as JSON (`errorMessage`, `trace`),
 * which is noise in a Fail state that a person reads.
 * @example readableCause('{"errorType":"AlarmBreachedError","errorMessage":"5xx in ALARM"}') // '5xx in ALARM'
 */
export function readableCause(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/** The route, or a node it names, belongs to another service than the one deploying: nothing was changed (I8). */
export class RouteNotOwnedError extends MeshshiftError {
  override name = 'RouteNotOwnedError';
}
