/** Where an execution is; MISSING when Step Functions does not know it (never started, or long expired). */
export type ExecutionState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE' | 'MISSING';

/** The workflow engine (Step Functions): start, resume, fail, stop executions. */
export interface Orchestrator {
  /** Starting a name that already exists is a duplicate, reported, not thrown. */
  start(name: string, input: unknown): Promise<{ executionArn: string; duplicate: boolean }>;
  /** Resuming a task that already ended is fine: events come at least once. */
  resumeTask(taskToken: string, output: unknown): Promise<void>;
  failTask(taskToken: string, error: string, cause: string): Promise<void>;
  /** Stopping an execution that already ended is fine. */
  stop(executionArn: string, error: string, cause: string): Promise<void>;
  stateOf(executionArn: string): Promise<ExecutionState>;
  /** Every execution of the state machine that is still running. */
  runningExecutions(): Promise<Array<{ name: string; executionArn: string }>>;
}
