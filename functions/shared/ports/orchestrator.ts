/** The workflow engine (Step Functions): start, resume, fail, stop executions. */
export interface Orchestrator {
  /** Starting a name that already exists is a duplicate, reported, not thrown. */
  start(name: string, input: unknown): Promise<{ executionArn: string; duplicate: boolean }>;
  /** Resuming a task that already ended is fine: events come at least once. */
  resumeTask(taskToken: string, output: unknown): Promise<void>;
  failTask(taskToken: string, error: string, cause: string): Promise<void>;
  /** Stopping an execution that already ended is fine. */
  stop(executionArn: string, error: string, cause: string): Promise<void>;
}
