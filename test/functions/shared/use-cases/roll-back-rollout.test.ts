import { ResourceMissingError } from '../../../../functions/shared/domain/errors';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { routeKey } from '../../../../functions/shared/domain/route-key';
import { rollBackRollout } from '../../../../functions/shared/use-cases/roll-back-rollout';
import type { HookEvent } from '../../../../functions/shared/domain/lifecycle-hooks';
import type { LifecycleHookInvoker } from '../../../../functions/shared/ports/lifecycle-hooks';
import { routerPerProvider } from '../../../../functions/shared/wiring/traffic-router';
import { canaryNode, canaryService, colorAppPorts, colorAppRecord, leaseKey, nodeSpec, original, route, routeRef, routeSpec, stableNode } from './color-app';

const halfway = [
  { virtualNode: stableNode, weight: 50, port: 9080 },
  { virtualNode: canaryNode, weight: 50, port: 9080 },
];

/** A rollout at 50 % that created its canary node, holding the route. */
function rolloutAtHalf(overrides: Partial<RolloutRecord> = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'SHIFTING', deploymentId: 'ecs-svc/2222', canaryNodeCreated: true, stepIndex: 1, canaryWeight: 50, lastWrittenTargets: { [route]: halfway }, ...overrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
  ports.router.nodes.set(canaryNode, nodeSpec(canaryService));
  ports.router.editTargets(routeRef, halfway);
  return { ports, record };
}

/** A team's hook functions as the rollback reaches them: what each was told, or an Invoke that fails. */
function hookFunctions(failure?: Error) {
  const told: Array<{ functionName: string; event: HookEvent }> = [];
  const hooks: LifecycleHookInvoker = {
    ask: () => Promise.reject(new Error('a rollback asks no hook')),
    tell: (functionName, event) => (failure ? Promise.reject(failure) : Promise.resolve(void told.push({ functionName, event }))),
  };
  return { hooks, told };
}

describe('rollBackRollout', () => {
  it("tells the policy's onRollback hook once the routes are back, with why, before it marks the rollout ended", async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ rollbackHook: 'meshshift-hook-page' });
    const { hooks, told } = hookFunctions();

    // Act
    const report = await rollBackRollout(record.rolloutId, 'AlarmBreachedError: alarm colorteller-5xx', { ...ports, hooks });
    const again = await rollBackRollout(record.rolloutId, 'AlarmBreachedError: alarm colorteller-5xx', { ...ports, hooks });

    // Assess
    expect(report.rollbackHook).toBe('told meshshift-hook-page');
    expect(told).toEqual([
      { functionName: 'meshshift-hook-page', event: expect.objectContaining({ hook: 'onRollback', rolloutId: record.rolloutId, step: 2, canaryWeight: 50, reason: 'AlarmBreachedError: alarm colorteller-5xx' }) },
    ]);
    expect(again.outcome).toBe('already-ended');
  });

  it('rolls back all the same when the onRollback hook cannot be told, and says so in its report', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ rollbackHook: 'meshshift-hook-page' });
    const { hooks } = hookFunctions(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));

    // Act
    const report = await rollBackRollout(record.rolloutId, 'abort', { ...ports, hooks });

    // Assess
    expect(report).toEqual(expect.objectContaining({ outcome: 'rolled-back', restoredRoutes: [route], rollbackHook: 'could not tell meshshift-hook-page: TooManyRequestsException: Rate exceeded' }));
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe('ROLLED_BACK');
  });

  it('restores the route spec exactly (I3), retires the canary, frees the route and ends ROLLED_BACK', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm colorteller-5xx', ports);

    // Assess
    expect(report).toEqual({ rolloutId: record.rolloutId, outcome: 'rolled-back', restoredRoutes: [route], untouchedRoutes: [], editedRoutes: [], keptInUse: [], phase: 'ROLLED_BACK' });
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect(ports.router.nodes.has(canaryNode)).toBe(false);
    expect(ports.deployer.writes).toEqual([`scaleToZero ${canaryService}`]);
    expect(ports.registry.leases.has(leaseKey)).toBe(false);
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ phase: 'ROLLED_BACK', outcome: 'alarm colorteller-5xx' }));
  });

  it('restores a route that split traffic over several nodes to that exact split', async () => {
    // Prepare
    const split = [
      { virtualNode: stableNode, weight: 67, port: 9080 },
      { virtualNode: 'colorteller-v0', weight: 33, port: 9080 },
    ];
    const { ports, record } = rolloutAtHalf({ originalTargets: { [route]: split } });
    ports.router.editTargets(routeRef, [
      { virtualNode: stableNode, weight: 33, port: 9080 },
      { virtualNode: 'colorteller-v0', weight: 17, port: 9080 },
      { virtualNode: canaryNode, weight: 50, port: 9080 },
    ]);

    // Act
    await rollBackRollout(record.rolloutId, 'abort', ports);

    // Assess
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(split));
  });

  it('does nothing the second time: already-ended, and no writes anywhere', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();
    await rollBackRollout(record.rolloutId, 'alarm', ports);
    const writes = [ports.router.writes.length, ports.deployer.writes.length, ports.registry.writes.length];

    // Act
    const second = await rollBackRollout(record.rolloutId, 'alarm again', ports);

    // Assess
    expect(second).toEqual(expect.objectContaining({ outcome: 'already-ended', phase: 'ROLLED_BACK', restoredRoutes: [] }));
    expect([ports.router.writes.length, ports.deployer.writes.length, ports.registry.writes.length]).toEqual(writes);
  });

  it('leaves alone a route a person rewrote to other nodes, since their edit is newer than the snapshot', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();
    const personsEdit = [{ virtualNode: 'colorteller-v3', weight: 100, port: 9080 }];
    ports.router.editTargets(routeRef, personsEdit);

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(report.editedRoutes).toEqual([route]);
    expect(report.restoredRoutes).toEqual([]);
    expect(ports.router.targets(routeRef)).toEqual(personsEdit);
    expect(ports.router.writes).not.toContainEqual(expect.stringMatching(/^writeRoute/));
  });

  it('restores every route it may in one write, after reading them all, past a route a person rewrote', async () => {
    // Prepare
    const [edited, grpc] = ['colorteller-edited', 'colorteller-grpc'];
    const routes = [route, edited, grpc];
    const { ports, record } = rolloutAtHalf({
      routes,
      originalTargets: Object.fromEntries(routes.map((name) => [name, original])),
      lastWrittenTargets: Object.fromEntries(routes.map((name) => [name, halfway])),
    });
    ports.router.setRoute({ ...routeRef, route: edited }, routeSpec([{ virtualNode: 'colorteller-v3', weight: 100, port: 9080 }]));
    ports.router.setRoute({ ...routeRef, route: grpc }, routeSpec(halfway));

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(report).toEqual(expect.objectContaining({ restoredRoutes: [route, grpc], editedRoutes: [edited], untouchedRoutes: [] }));
    expect(ports.router.writes.filter((write) => write.startsWith('writeRoutes'))).toEqual(['writeRoutes colorteller-route colorteller-v1=100; colorteller-grpc colorteller-v1=100']);
    expect(ports.router.spec({ ...routeRef, route: grpc })).toStrictEqual(routeSpec(original));
  });

  it('does not write a route that already holds the snapshot', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();
    ports.router.editTargets(routeRef, original);

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(report.untouchedRoutes).toEqual([route]);
    expect(ports.router.writes.filter((write) => write.startsWith('writeRoute'))).toEqual([]);
  });

  it('does not scale the canary service down when the stable node runs on the same service', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();
    ports.router.nodes.set(stableNode, nodeSpec(canaryService));

    // Act
    await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(ports.deployer.writes).toEqual([]);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
  });

  it('does not scale down the spareService a newer rollout is using', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();

    // Act
    await rollBackRollout(record.rolloutId, 'superseded', ports, { spareService: canaryService });

    // Assess
    expect(ports.deployer.writes).toEqual([]);
  });

  describe('never cleans up what something still uses (I8)', () => {
    it('keeps the canary service when ECS has moved on to a newer deployment of it', async () => {
      // Prepare
      const { ports, record } = rolloutAtHalf({ deploymentId: 'ecs-svc/1111' });

      // Act
      const report = await rollBackRollout(record.rolloutId, 'superseded', ports);

      // Assess
      expect(report.keptInUse).toEqual([
        `service ${canaryService}: ECS service ${canaryService} now runs deployment ecs-svc/2222 (${record.taskDefinitionArn}), not this rollout's`,
      ]);
      expect(ports.deployer.writes).toEqual([]);
      expect(ports.router.nodes.has(canaryNode)).toBe(false);
    });

    it('keeps the canary node and service while a person\'s edit still sends the canary traffic', async () => {
      // Prepare
      const { ports, record } = rolloutAtHalf();
      const edited = [
        { virtualNode: canaryNode, weight: 70, port: 9080 },
        { virtualNode: 'colorteller-hotfix', weight: 30, port: 9080 },
      ];
      ports.router.editTargets(routeRef, edited);

      // Act
      const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

      // Assess
      expect(report.editedRoutes).toEqual([route]);
      expect(report.keptInUse).toEqual([
        `service ${canaryService}: route ${route} still sends weight 70 to node ${canaryNode}, which selects ${canaryService}`,
        `node ${canaryNode}: route ${route} still sends node ${canaryNode} weight 70`,
      ]);
      expect(ports.router.targets(routeRef)).toEqual(edited);
      expect(ports.deployer.writes).toEqual([]);
      expect(ports.router.writes.filter((write) => write.startsWith('retireBackend'))).toEqual([]);
    });

    it('keeps a canary node and service that another active rollout uses', async () => {
      // Prepare
      const { ports, record } = rolloutAtHalf();
      const other = colorAppRecord({ rolloutId: 'other-route-rollout', routes: ['colorteller-grpc'], phase: 'SHIFTING', deploymentId: 'ecs-svc/2222' });
      ports.registry.rollouts.set(other.rolloutId, other);

      // Act
      const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

      // Assess
      expect(report.keptInUse).toEqual([
        `service ${canaryService}: rollout other-route-rollout is deploying ${canaryService}`,
        `node ${canaryNode}: rollout other-route-rollout still uses node ${canaryNode}`,
      ]);
      expect(ports.router.nodes.has(canaryNode)).toBe(true);
      expect(ports.deployer.writes).toEqual([]);
    });
  });

  it('scales the canary service down once when two rollouts of it roll back at the same time', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf();
    const other = colorAppRecord({ rolloutId: 'other-route-rollout', routes: ['colorteller-grpc'], phase: 'ROLLING_BACK', deploymentId: 'ecs-svc/2222' });
    ports.registry.rollouts.set(other.rolloutId, other);

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(report.keptInUse).toEqual([]);
    expect(ports.deployer.writes).toEqual([`scaleToZero ${canaryService}`]);
    expect(ports.router.nodes.has(canaryNode)).toBe(false);
  });

  it('keeps a canary node it did not create', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ canaryNodeCreated: false });

    // Act
    await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(ports.router.nodes.has(canaryNode)).toBe(true);
    expect(ports.router.writes).not.toContainEqual(expect.stringMatching(/^retireBackend/));
  });

  it('follows the policy that keeps the canary node and service', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ rollbackOptions: { deleteCanaryNode: false, scaleCanaryServiceToZero: false } });

    // Act
    await rollBackRollout(record.rolloutId, 'alarm', ports);

    // Assess
    expect(ports.router.nodes.has(canaryNode)).toBe(true);
    expect(ports.deployer.writes).toEqual([]);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
  });

  it('finishes a rollback that another caller began (ROLLING_BACK)', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ phase: 'ROLLING_BACK' });

    // Act
    const report = await rollBackRollout(record.rolloutId, 'state machine', ports);

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(ports.router.targets(routeRef)).toEqual(original);
  });

  it.each(['PROMOTED', 'ABANDONED'] as const)('touches nothing for a rollout that ended %s', async (phase) => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ phase });

    // Act
    const report = await rollBackRollout(record.rolloutId, 'late alarm', ports);

    // Assess
    expect(report).toEqual(expect.objectContaining({ outcome: 'already-ended', phase }));
    expect(ports.router.targets(routeRef)).toEqual(halfway);
    expect([...ports.router.writes, ...ports.deployer.writes, ...ports.registry.writes]).toEqual([]);
  });

  it('rolls a rollout of another provider back through that provider\'s router only, and frees its own route key', async () => {
    // Prepare
    const { ports, record } = rolloutAtHalf({ provider: 'lattice' });
    const latticeKey = routeKey(record, route);
    ports.registry.leases.delete(leaseKey);
    ports.registry.leases.set(latticeKey, { routeKey: latticeKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
    const refuse = async () => {
      throw new Error('App Mesh was called for a Lattice rollout');
    };
    const appMeshRouter = { readRoute: refuse, writeRoutes: refuse, backendExists: refuse, createCanaryBackend: refuse, routeTags: refuse, serviceOfBackend: refuse, retireBackend: refuse };
    const lattice = ports.router;

    // Act
    const report = await rollBackRollout(record.rolloutId, 'alarm colorteller-5xx', { ...ports, router: routerPerProvider({ appmesh: appMeshRouter, lattice }) });

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(lattice.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect(lattice.nodes.has(canaryNode)).toBe(false);
    expect(ports.registry.leases.has(latticeKey)).toBe(false);
  });

  it('fails with ResourceMissingError for a rollout the registry does not know', async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const rollBack = rollBackRollout('ghost', 'alarm', ports);

    // Assess
    await expect(rollBack).rejects.toThrow(ResourceMissingError);
  });
});
