import * as z from 'zod';
import { InvalidInputError } from './errors';
import type { CaughtFailure } from './errors';
import type { HealthVerdict, PauseOrder } from './health-decision';
import type { LatticePolicy } from './lattice-policy';
import type { LifecycleHooks } from './lifecycle-hooks';
import { type AppMeshPolicy, formatIssues } from './policy';
import type { StepPause } from './schedule';
import type { TrafficProviderName } from './traffic-provider';

/**
 * What starts a rollout: the ECS deployment event handler and manual executions (CLI or
 * `aws stepfunctions start-execution`) both send this. With `taskDefinition`, meshshift
 * deploys it to the service itself; with `policy`, the inline policy replaces the one the
 * service's `meshshift:policy` tag points at. When the deployment began is read from ECS, never
 * taken from the input: a caller cannot make its rollout look newer than a real deployment.
 */
export const startRequestSchema = z
  .object({
    cluster: z.string().min(1).max(255),
    service: z.string().min(1).max(255),
    taskDefinition: z.string().min(1).max(2048).optional(),
    deploymentId: z.string().regex(/^ecs-svc\/\d+$/, 'must look like ecs-svc/<digits>').optional(),
    policy: z.unknown().optional(),
  })
  .strict()
  .refine((request) => !(request.taskDefinition && request.deploymentId), {
    message: 'give either taskDefinition (meshshift deploys it) or deploymentId (already deploying), not both',
    path: ['taskDefinition'],
  });

export type StartRequest = z.output<typeof startRequestSchema>;

/**
 * Validates a start request, naming every wrong field.
 * @example parseStartRequest({ cluster: 'default', service: 'colorteller' })
 */
export function parseStartRequest(input: unknown): StartRequest {
  const result = startRequestSchema.safeParse(input);
  if (!result.success) throw new InvalidInputError(`Invalid rollout input: ${formatIssues('input', result.error.issues)}`, { cause: result.error });
  return result.data;
}

/** What a rollout moves: which routes, from which node to which, for which ECS service. */
export interface RolloutSubject {
  rolloutId: string;
  executionArn: string;
  /** Whose routes these are; absent means App Mesh, as every rollout before VPC Lattice. */
  provider?: TrafficProviderName;
  mesh: string;
  meshOwner?: string;
  virtualRouter: string;
  routes: string[];
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  deploymentId?: string;
  canaryNode: string;
  stableNode: string;
}

/**
 * The rollout as it travels through the state machine. The registry holds what must
 * survive the execution (route snapshots, last writes, task token); this holds the plan.
 */
export interface Rollout extends RolloutSubject {
  deployTaskDefinition: boolean;
  weights: number[];
  /** The provider's delay before a shift is in force; waited before each bake (0 on App Mesh). */
  settleSeconds: number;
  bakeSeconds: number;
  /** What Bake waits next: the settle and the bake after a shift, the bake alone after a hold. */
  bakeWaitSeconds: number;
  stepIndex: number;
  alarms: string[];
  toleratedFailedChecks: number;
  failedChecks: number;
  canaryDnsHostname?: string;
  /**
   * App Mesh's promotion options; a Lattice rollout adds whether the stable target groups stay at
   * weight 0. Absent (App Mesh, or an execution started before the option) means they are removed.
   */
  promotion: AppMeshPolicy['promotion'] & Partial<Pick<LatticePolicy['promotion'], 'stableTargetGroups'>>;
  rollback: AppMeshPolicy['rollback'];
  /** The policy's pauses between steps; absent for a schedule without any (and executions started before pauses). */
  pauses?: StepPause[];
  /** The policy's lifecycle hooks, read by the state machine's Choices and by Run hook. */
  hooks?: LifecycleHooks;
  /** The verdict that sent the rollout on; 'pause' while it is parked, so the check after it knows it ends a pause. */
  verdict?: HealthVerdict;
  /** The pause it is parked in, while the verdict is 'pause'. */
  pause?: PauseOrder;
  /** Set by the state machine when the pause's seconds ran out before anyone ended it. */
  pauseTimedOut?: CaughtFailure;
}
