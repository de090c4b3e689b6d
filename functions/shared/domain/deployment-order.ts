/** An ECS deployment as DescribeServices lists it. */
export interface ListedDeployment {
  id: string;
  status: string;
  createdAt?: string;
}

/** A rollout as ordering needs it: which deployment it rolls out and when that began. */
export interface OrderedRollout {
  rolloutId: string;
  service: string;
  deploymentId?: string;
  /** ECS's createdAt of the deployment, or the execution's start for a rollout that deploys itself. */
  startedAt: string;
}

/**
 * A service's deployments newest first, by ECS's own account: the PRIMARY deployment, then the
 * rest by creation time, ties kept in the order ECS lists them (newest first).
 */
export function newestFirst<Deployment extends ListedDeployment>(deployments: Deployment[]): Deployment[] {
  const rank = (deployment: Deployment) => (deployment.status === 'PRIMARY' ? 0 : 1);
  return deployments
    .map((deployment, position) => ({ deployment, position }))
    .sort(
      (a, b) =>
        rank(a.deployment) - rank(b.deployment) ||
        instant(b.deployment.createdAt) - instant(a.deployment.createdAt) ||
        a.position - b.position,
    )
    .map(({ deployment }) => deployment);
}

/**
 * Whether rollout `a` is newer than rollout `b`: a strict total order, so that of any number of
 * rollouts of one route, deployed in the same second and handled in any order, exactly one wins.
 * Two deployments of one service are ordered by ECS's list (read just now: `deployments`); a
 * deployment no longer listed is older than every listed one. Otherwise the start instants
 * decide, and equal instants fall back to the rollout ids.
 * @example isNewerRollout({ rolloutId: 'b', service: 's', deploymentId: 'ecs-svc/2', startedAt: t }, { rolloutId: 'a', service: 's', deploymentId: 'ecs-svc/1', startedAt: t }, [{ id: 'ecs-svc/2', status: 'PRIMARY' }, { id: 'ecs-svc/1', status: 'ACTIVE' }]) // true
 */
export function isNewerRollout(a: OrderedRollout, b: OrderedRollout, deployments: ListedDeployment[]): boolean {
  if (a.service === b.service && a.deploymentId && b.deploymentId && a.deploymentId !== b.deploymentId) {
    const order = newestFirst(deployments).map((deployment) => deployment.id);
    const position = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
    const difference = position(b.deploymentId) - position(a.deploymentId);
    if (difference !== 0) return difference > 0;
  }
  const byTime = instant(a.startedAt) - instant(b.startedAt);
  if (byTime !== 0) return byTime > 0;
  return a.rolloutId > b.rolloutId;
}

function instant(iso: string | undefined): number {
  const parsed = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(parsed) ? 0 : parsed;
}
