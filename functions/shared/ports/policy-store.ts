/** Where per-service policies live (SSM Parameter Store in AWS). */
export interface PolicyStore {
  /** The policy document text; throws ResourceMissingError when absent. */
  load(name: string): Promise<string>;
}
