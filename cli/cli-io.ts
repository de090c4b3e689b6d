import type { AwsSettings, CliPorts } from './cli-ports';

/** 0: done (with --wait: promoted). 1: failed, rolled back or invalid input. 2: wrong command line. 3: --timeout passed while the rollout still runs. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, timedOut: 3 } as const;

/** Everything the CLI does to the world, so a test holds the clock, the terminal and AWS. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Builds the AWS-facing ports; called only after every argument was validated. */
  connect: (settings: AwsSettings) => Promise<CliPorts>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Whether stdout is a terminal: `status --watch` redraws in place only there. */
  interactive: boolean;
}
