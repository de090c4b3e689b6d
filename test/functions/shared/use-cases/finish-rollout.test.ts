import { AlarmBreachedError } from '../../../../functions/shared/domain/errors';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { abandonRollout, retireStable } from '../../../../functions/shared/use-cases/finish-rollout';
import { canaryNode, canaryService, colorAppPorts, colorAppRecord, colorAppRollout, leaseKey, nodeSpec, routeRef, stableNode, stableService } from './color-app';

const promoted = [{ virtualNode: canaryNode, weight: 100, port: 9080 }];

function promotedRollout(overrides: Partial<RolloutRecord> = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'SHIFTING', ...overrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
  ports.router.nodes.set(canaryNode, nodeSpec(canaryService));
  ports.router.editTargets(routeRef, promoted);
  return { ports, record };
}

describe('retireStable', () => {
  it('marks the rollout PROMOTED, deletes the stable node, scales its service down and frees the route', async () => {
    // Prepare
    const { ports, record } = promotedRollout();

    // Act
    const report = await retireStable(colorAppRollout(), ports);

    // Assess
    expect(report).toEqual({ deletedNodes: [stableNode], keptNodes: [], scaledDownServices: [stableService], keptInUse: [] });
    expect(ports.router.nodes.has(stableNode)).toBe(false);
    expect(ports.deployer.services.get(stableService)?.desiredCount).toBe(0);
    expect(ports.registry.leases.has(leaseKey)).toBe(false);
    expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe('PROMOTED');
  });

  it('does not scale down the service the canary itself runs on', async () => {
    // Prepare
    const { ports } = promotedRollout();
    ports.router.nodes.set(stableNode, nodeSpec(canaryService));

    // Act
    const report = await retireStable(colorAppRollout(), ports);

    // Assess
    expect(report.scaledDownServices).toEqual([]);
    expect(ports.deployer.writes).toEqual([]);
  });

  describe('never cleans up what something still uses (I8)', () => {
    it('keeps the stable service while ECS is deploying a newer version to it', async () => {
      // Prepare
      const { ports } = promotedRollout();
      ports.deployer.services.get(stableService)?.deployments.unshift({ id: 'ecs-svc/4444', status: 'PRIMARY', taskDefinition: 'blue:4', rolloutState: 'IN_PROGRESS', createdAt: '2026-11-20T12:40:00.000Z' });

      // Act
      const report = await retireStable(colorAppRollout(), ports);

      // Assess
      expect(report.keptInUse).toEqual([`service ${stableService}: ECS service ${stableService} is deploying ecs-svc/4444`]);
      expect(report.scaledDownServices).toEqual([]);
      expect(ports.deployer.services.get(stableService)?.desiredCount).toBe(2);
    });

    it('keeps the stable node and service while a person sends them traffic again', async () => {
      // Prepare
      const { ports } = promotedRollout();
      ports.router.editTargets(routeRef, [{ virtualNode: stableNode, weight: 1, port: 9080 }, ...promoted]);

      // Act
      const report = await retireStable(colorAppRollout(), ports);

      // Assess
      expect(report.keptInUse).toEqual([
        `service ${stableService}: route colorteller-route still sends weight 1 to node ${stableNode}, which selects ${stableService}`,
        `node ${stableNode}: route colorteller-route still sends node ${stableNode} weight 1`,
      ]);
      expect(ports.router.nodes.has(stableNode)).toBe(true);
      expect(ports.deployer.writes).toEqual([]);
    });

    it('keeps the stable service that another rollout\'s route still sends traffic to', async () => {
      // Prepare
      const { ports } = promotedRollout();
      const other = colorAppRecord({ rolloutId: 'other-rollout', service: 'colorteller-red', canaryNode: 'colorteller-red-v1', routes: ['colorteller-grpc'], phase: 'SHIFTING' });
      ports.registry.rollouts.set(other.rolloutId, other);

      // Act
      const report = await retireStable(colorAppRollout(), ports);

      // Assess
      expect(report.keptInUse).toEqual([
        `service ${stableService}: rollout other-rollout uses node ${stableNode}, which selects ${stableService}`,
        `node ${stableNode}: rollout other-rollout still uses node ${stableNode}`,
      ]);
      expect(ports.deployer.writes).toEqual([]);
    });
  });

  it('keeps the stable node and service when the policy says so', async () => {
    // Prepare
    const { ports } = promotedRollout();

    // Act
    const report = await retireStable(colorAppRollout({ promotion: { deleteStableNode: false, scaleStableServiceToZero: false, drainSeconds: 0 } }), ports);

    // Assess
    expect(report).toEqual({ deletedNodes: [], keptNodes: [stableNode], scaledDownServices: [], keptInUse: [] });
    expect(ports.router.nodes.has(stableNode)).toBe(true);
  });

  it('retires nothing when a rollback began during the drain', async () => {
    // Prepare
    const { ports } = promotedRollout({ phase: 'ROLLING_BACK' });

    // Act
    const retire = retireStable(colorAppRollout(), ports);

    // Assess
    await expect(retire).rejects.toThrow(AlarmBreachedError);
    expect(ports.router.nodes.has(stableNode)).toBe(true);
    expect(ports.deployer.writes).toEqual([]);
  });
});

describe('abandonRollout', () => {
  it('lets go of the route without touching route or nodes', async () => {
    // Prepare
    const { ports, record } = promotedRollout();
    const personsEdit = [{ virtualNode: 'colorteller-v3', weight: 100 }];
    ports.router.editTargets(routeRef, personsEdit);

    // Act
    await abandonRollout(record.rolloutId, 'route edited by a person', ports);

    // Assess
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ phase: 'ABANDONED', outcome: 'route edited by a person' }));
    expect(ports.registry.leases.has(leaseKey)).toBe(false);
    expect(ports.router.targets(routeRef)).toEqual(personsEdit);
    expect(ports.router.writes).toEqual([]);
  });

  it('keeps the ROLLED_BACK ending of a rollout that was rolled back before the abandon arrived', async () => {
    // Prepare
    // A rollback restoring the route looks like a person's edit to a shift already under way,
    // so Abandon can follow a rollback that has already ended; the record must keep saying what happened.
    const { ports, record } = promotedRollout({ phase: 'ROLLED_BACK', outcome: 'alarm colorteller-5xx went into ALARM' });
    ports.registry.leases.delete(leaseKey);

    // Act
    await abandonRollout(record.rolloutId, 'Route colorteller-route was changed outside meshshift', ports);

    // Assess
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ phase: 'ROLLED_BACK', outcome: 'alarm colorteller-5xx went into ALARM' }));
  });
});
