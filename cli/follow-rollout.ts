import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { isTransient } from '../functions/shared/adapters/aws-error';
import { describeError, TransientAwsError } from '../functions/shared/domain/errors';
import { isActivePhase, rolloutPhases } from '../functions/shared/domain/rollout-phase';
import type { RolloutRecord } from '../functions/shared/ports/registry';
import type { CliPorts } from './cli-ports';
import { duration, timestamp } from './format';
import { howItEnded } from './rollout-timeline';
import { type CliIo, exitCodes } from './cli-io';

/** Clears the terminal and puts the cursor top left, so each frame replaces the last. */
export const clearScreen = '\u001b[H\u001b[2J';

/** Throttling, a 5xx or a broken connection: the next refresh will likely work. */
function isPassing(error: unknown): boolean {
  return error instanceof TransientAwsError || isTransient(error);
}

/** One rollout on one line: where it is, the canary's weight, the step, any pause, and the execution. */
export function rolloutLine(record: RolloutRecord, execution: string): string {
  const paused = record.pause ? `  paused since ${timestamp(record.pause.since)}${record.pause.until ? ` until ${timestamp(record.pause.until)}` : ''}` : '';
  return `${record.rolloutId}  ${record.cluster}/${record.service}  ${record.phase}  canary ${record.canaryNode} at ${record.canaryWeight} %  step ${record.stepIndex + 1}${paused}  execution ${execution}`;
}

export interface Frame {
  lines: string[];
  /** Whether anything shown is still running: a watch ends at the first frame where nothing is. */
  active: boolean;
}

/**
 * Shows `frame` every `intervalSeconds` until a frame has nothing active. On a terminal each frame
 * replaces the last; in a pipe or a log each follows the last after a blank line, since escape
 * codes would only garble it. A refresh that fails transiently is said on stderr and retried at the
 * next interval; any other failure ends the watch.
 */
export async function watch(frame: () => Promise<Frame>, intervalSeconds: number, io: CliIo): Promise<number> {
  for (let shown = 0; ; ) {
    try {
      const { lines, active } = await frame();
      if (io.interactive) io.out(`${clearScreen}${lines.join('\n')}`);
      else io.out(`${shown > 0 ? '\n' : ''}${lines.join('\n')}`);
      shown += 1;
      if (!active) return exitCodes.ok;
    } catch (error) {
      if (!isPassing(error)) throw error;
      io.err(`${timestamp(io.now())}  refresh failed (${describeError(error)}); trying again in ${duration(intervalSeconds)}`);
    }
    await io.sleep(intervalSeconds * 1000);
  }
}

type Outcome = { code: number; message: string } | undefined;

/**
 * How the rollout ended, or undefined while it runs. The execution decides, except that an
 * execution stopped while the registry still shows the rollout active is being rolled back by
 * meshshift (the reconciler acts on every stopped execution): waiting for that tells a pipeline
 * the routes are safe.
 */
function outcomeOf(rolloutId: string, record: RolloutRecord | undefined, execution: DescribeExecutionOutput | undefined): Outcome {
  if (!execution) {
    if (!record) return { code: exitCodes.failed, message: `No rollout ${rolloutId}: not in the registry, and Step Functions has no execution of that name` };
    if (isActivePhase(record.phase)) return undefined;
    return { code: record.phase === rolloutPhases.promoted ? exitCodes.ok : exitCodes.failed, message: `Rollout ${rolloutId} ${record.phase}${record.outcome ? `: ${record.outcome}` : ''}` };
  }
  if (execution.status === 'RUNNING') return undefined;
  if (execution.status === 'SUCCEEDED') return { code: exitCodes.ok, message: `Rollout ${rolloutId} promoted` };
  if (execution.status === 'ABORTED' && record && isActivePhase(record.phase)) return undefined;
  return { code: exitCodes.failed, message: `Rollout ${rolloutId} ${record?.phase ?? 'never started'}: execution ${howItEnded(execution)}` };
}

/**
 * Waits for the rollout to end, printing a line whenever where it is changes, and returns the exit
 * code a pipeline acts on: 0 promoted, 1 rolled back or failed, 3 still running at the timeout.
 * Transient failures are said on stderr and retried until the timeout.
 */
export async function waitForOutcome(
  rolloutId: string,
  executionArn: string,
  ports: CliPorts,
  io: CliIo,
  options: { intervalSeconds: number; timeoutSeconds?: number },
): Promise<number> {
  const deadline = options.timeoutSeconds === undefined ? Infinity : io.now().getTime() + options.timeoutSeconds * 1000;
  let lastSeen = '';
  for (;;) {
    try {
      const record = await ports.registry.getRollout(rolloutId);
      const execution = await ports.execution(executionArn);
      const seen = record ? rolloutLine(record, execution?.status ?? 'MISSING') : `${rolloutId}  not in the registry yet  execution ${execution?.status ?? 'MISSING'}`;
      if (seen !== lastSeen) io.out(`${timestamp(io.now())}  ${seen}`);
      lastSeen = seen;
      const outcome = outcomeOf(rolloutId, record, execution);
      if (outcome) {
        if (outcome.code === exitCodes.ok) io.out(outcome.message);
        else io.err(outcome.message);
        return outcome.code;
      }
    } catch (error) {
      if (!isPassing(error)) throw error;
      io.err(`${timestamp(io.now())}  reading the rollout failed (${describeError(error)}); trying again in ${duration(options.intervalSeconds)}`);
    }
    const left = deadline - io.now().getTime();
    if (left <= 0) {
      io.err(`Rollout ${rolloutId} has not ended after --timeout ${duration(options.timeoutSeconds ?? 0)}; it goes on (meshshift status ${rolloutId} --watch)`);
      return exitCodes.timedOut;
    }
    await io.sleep(Math.min(options.intervalSeconds * 1000, left));
  }
}
