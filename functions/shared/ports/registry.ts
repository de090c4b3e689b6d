import type { OperatorRequest } from '../domain/health-decision';
import type { WeightedTarget } from '../domain/route-spec';
import type { RolloutPause, RolloutPhase } from '../domain/rollout-phase';
import type { RolloutSubject } from '../domain/rollout';
import type { DeploymentRolloutState } from './service-deployer';

/** What must outlive a Lambda invocation: the snapshot for exact rollback, and what we wrote last. */
export interface RolloutRecord extends RolloutSubject {
  phase: RolloutPhase;
  /** When the deployment began; decides which of two rollouts of one route is newer (I4). */
  startedAt: string;
  canaryNodeCreated: boolean;
  alarms: string[];
  /** Per route: its weighted targets before meshshift's first write (I3). */
  originalTargets: Record<string, WeightedTarget[]>;
  /** Per route: the targets meshshift wrote last (I5). */
  lastWrittenTargets: Record<string, WeightedTarget[]>;
  stepIndex: number;
  canaryWeight: number;
  rollbackOptions: { deleteCanaryNode: boolean; scaleCanaryServiceToZero: boolean };
  /** The policy's onRollback hook: told after any rollback, by whichever path performs it. */
  rollbackHook?: string;
  /**
   * The ECS service of each backend, as Prepare read it from ECS, for providers whose backends
   * do not say (Lattice target groups); absent where the provider answers itself (App Mesh).
   */
  backendServices?: Record<string, string>;
  taskToken?: string;
  operatorRequest?: OperatorRequest;
  /** Tells one operator request from the next, so the rollout acts on each once however often it reads it. */
  operatorRequestId?: string;
  /** The last operator request the rollout acted on; a request with another id is still pending. */
  handledOperatorRequestId?: string;
  /** Which health check acted on it, so a retry of that check acts the same rather than as if none was made. */
  handledAtCheck?: string;
  /** The pause the rollout is parked in; null once it moved on. */
  pause?: RolloutPause | null;
  outcome?: string;
  updatedAt: string;
  /** When the rollout reached PROMOTED, ROLLED_BACK or ABANDONED; absent while it is active. */
  endedAt?: string;
}

export interface RouteLease {
  routeKey: string;
  rolloutId: string;
  startedAt: string;
}

export interface DeploymentNote {
  deploymentId: string;
  rolloutId?: string;
  state?: DeploymentRolloutState;
  reason?: string;
}

/** The rollout registry: leases, snapshots, the alarm and deploying indexes, deployment notes. */
export interface Registry {
  getRollout(rolloutId: string): Promise<RolloutRecord | undefined>;
  /** Creates the record unless it exists; returns what is stored either way (retries keep the first snapshot). */
  createRollout(record: RolloutRecord): Promise<RolloutRecord>;
  /**
   * Updates fields; when `onlyInPhases` is given the write happens only in those phases and
   * `undefined` is returned otherwise, so a late shift cannot undo a rollback (I7).
   */
  updateRollout(rolloutId: string, changes: Partial<Omit<RolloutRecord, 'rolloutId'>>, onlyInPhases?: RolloutPhase[]): Promise<RolloutRecord | undefined>;
  /** Takes the route's lease if free or already ours; otherwise returns the holder. */
  acquireRoute(lease: RouteLease): Promise<{ acquired: true } | { acquired: false; holder: RouteLease }>;
  /** Moves a lease from `previousRolloutId` to `lease.rolloutId`, only if the previous one still holds it. */
  takeOverRoute(lease: RouteLease, previousRolloutId: string): Promise<boolean>;
  releaseRoute(routeKey: string, rolloutId: string): Promise<void>;
  rolloutIdsWatching(alarmName: string): Promise<string[]>;
  /** The active rollout deploying this task definition to the service, read by key whatever the number of rollouts. */
  rolloutIdDeploying(cluster: string, service: string, taskDefinitionArn: string): Promise<string | undefined>;
  /** Upserts what is known about an ECS deployment and returns the merged note. */
  noteDeployment(note: DeploymentNote): Promise<DeploymentNote>;
  activeRollouts(): Promise<RolloutRecord[]>;
  /** Every route lease held, whoever holds it, so leases left by ended rollouts can be found. */
  heldLeases(): Promise<RouteLease[]>;
}

/**
 * Rollouts that ended, for operators (`meshshift list --all`), kept until the registry's
 * retention expires them. Apart from the Registry: the rollout's own functions never read history.
 */
export interface RolloutHistory {
  /** Newest end first; with `since`, only those that ended at or after it. */
  endedRollouts(since?: Date): Promise<RolloutRecord[]>;
}
