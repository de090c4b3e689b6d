import { AlarmBreachedError, RouteEditedError, TransientAwsError } from '../../../../functions/shared/domain/errors';
import type { RolloutPhase } from '../../../../functions/shared/domain/rollout-phase';
import { promoteCanary, shiftTraffic } from '../../../../functions/shared/use-cases/shift-traffic';
import { canaryNode, colorAppPorts, colorAppRecord, colorAppRollout, leaseKey, original, route, routeRef, routeSpec, stableNode } from './color-app';

function shiftingRollout(recordOverrides: Parameters<typeof colorAppRecord>[0] = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'WAITING_FOR_CANARY', ...recordOverrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
  ports.router.nodes.set(canaryNode, { serviceDiscovery: { awsCloudMap: { attributes: [{ key: 'ECS_SERVICE_NAME', value: 'colorteller-green' }] } } });
  return { ports, record };
}

const tenPercent = [
  { virtualNode: stableNode, weight: 90, port: 9080 },
  { virtualNode: canaryNode, weight: 10, port: 9080 },
];

const grpcRoute = 'colorteller-grpc';
const grpcRef = { ...routeRef, route: grpcRoute };

/** The color app with a second, gRPC route shifted in lockstep with the HTTP one. */
function twoRouteRollout() {
  const { ports, record } = shiftingRollout({
    routes: [route, grpcRoute],
    originalTargets: { [route]: original, [grpcRoute]: [{ virtualNode: stableNode, weight: 100 }] },
    lastWrittenTargets: {},
  });
  ports.router.setRoute(grpcRef, { grpcRoute: { match: { serviceName: 'color.Teller' }, action: { weightedTargets: [{ virtualNode: stableNode, weight: 100 }] } } });
  return { ports, record };
}

describe('shiftTraffic', () => {
  it("writes the step's split over the full route spec and records it", async () => {
    // Prepare
    const { ports, record } = shiftingRollout();

    // Act
    await shiftTraffic(colorAppRollout({ stepIndex: 0 }), ports);

    // Assess
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(tenPercent));
    const stored = await ports.registry.getRollout(record.rolloutId);
    expect(stored).toEqual(expect.objectContaining({ phase: 'SHIFTING', stepIndex: 0, canaryWeight: 10, lastWrittenTargets: { [route]: tenPercent } }));
    expect(stored?.originalTargets).toEqual({ [route]: original });
  });

  it('tells Bake to wait the provider\'s settle time before the bake: 90 + 60 s on Lattice', async () => {
    // Prepare
    const { ports } = shiftingRollout();

    // Act
    const next = await shiftTraffic(colorAppRollout({ stepIndex: 0, settleSeconds: 90, bakeSeconds: 60, bakeWaitSeconds: 60 }), ports);

    // Assess
    expect(next.bakeWaitSeconds).toBe(150);
  });

  it('moves on from what it wrote last to the next step', async () => {
    // Prepare
    const { ports } = shiftingRollout();
    await shiftTraffic(colorAppRollout({ stepIndex: 0 }), ports);

    // Act
    await shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);

    // Assess
    expect(ports.router.targets(routeRef)).toEqual([
      { virtualNode: stableNode, weight: 50, port: 9080 },
      { virtualNode: canaryNode, weight: 50, port: 9080 },
    ]);
    expect(ports.router.writes).toHaveLength(2);
  });

  it('writes nothing on a retry after its write landed, but still records the step', async () => {
    // Prepare
    const { ports, record } = shiftingRollout();
    ports.router.editTargets(routeRef, tenPercent);

    // Act
    await shiftTraffic(colorAppRollout({ stepIndex: 0 }), ports);

    // Assess
    expect(ports.router.writes).toEqual([]);
    expect((await ports.registry.getRollout(record.rolloutId))?.lastWrittenTargets[route]).toEqual(tenPercent);
  });

  it('throws RouteEditedError and leaves the route alone when it differs from what meshshift wrote last (I5)', async () => {
    // Prepare
    const { ports, record } = shiftingRollout();
    const personsEdit = [
      { virtualNode: stableNode, weight: 60, port: 9080 },
      { virtualNode: canaryNode, weight: 40, port: 9080 },
    ];
    ports.router.editTargets(routeRef, personsEdit);

    // Act
    const shift = shiftTraffic(colorAppRollout({ stepIndex: 0 }), ports);

    // Assess
    await expect(shift).rejects.toThrow(RouteEditedError);
    await expect(shift).rejects.toThrow(/colorteller-v1=60, colorteller-v2=40/);
    expect(ports.router.targets(routeRef)).toEqual(personsEdit);
    expect(ports.router.writes).toEqual([]);
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(record);
  });

  it.each<RolloutPhase>(['ROLLING_BACK', 'ROLLED_BACK', 'ABANDONED', 'PROMOTED'])('moves no traffic for a rollout that is %s', async (phase) => {
    // Prepare
    const { ports } = shiftingRollout({ phase });

    // Act
    const shift = shiftTraffic(colorAppRollout(), ports);

    // Assess
    await expect(shift).rejects.toThrow(AlarmBreachedError);
    expect(ports.router.writes).toEqual([]);
    expect(ports.router.targets(routeRef)).toEqual(original);
  });

  it.each<RolloutPhase>(['ROLLING_BACK', 'ROLLED_BACK'])(
    'leaves the original targets when the rollout turns %s between its route write and its registry update (I7)',
    async (phase) => {
      // Prepare
      const { ports, record } = shiftingRollout({ phase: 'SHIFTING', stepIndex: 0, lastWrittenTargets: { [route]: tenPercent } });
      ports.router.editTargets(routeRef, tenPercent);
      ports.registry.beforeUpdate = (rolloutId, changes, onlyInPhases) => {
        // The alarm handler's rollback lands right after our write reached App Mesh.
        if (changes.phase === 'SHIFTING' && onlyInPhases) ports.registry.setPhase(rolloutId, phase);
      };

      // Act
      const shift = shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);

      // Assess
      await expect(shift).rejects.toThrow(AlarmBreachedError);
      expect(ports.router.writes[0]).toBe('writeRoutes colorteller-route colorteller-v1=50,colorteller-v2=50');
      expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
      // The rollback that began retires the canary; the shift only takes its own write back.
      expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe(phase);
      expect(ports.deployer.writes).toEqual([]);
    },
  );

  it('takes back its own late write when a retry finds the rollout rolled back (I7)', async () => {
    // Prepare: the previous attempt's 50 % write landed after the alarm handler restored the route.
    const halfway = [
      { virtualNode: stableNode, weight: 50, port: 9080 },
      { virtualNode: canaryNode, weight: 50, port: 9080 },
    ];
    const { ports } = shiftingRollout({ phase: 'ROLLED_BACK', lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, halfway);

    // Act
    const shift = shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);

    // Assess
    await expect(shift).rejects.toThrow(AlarmBreachedError);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
  });

  it('restores the route when its registry update throttles and a rollback began meanwhile (I7)', async () => {
    // Prepare
    const { ports, record } = shiftingRollout({ phase: 'SHIFTING', stepIndex: 0, lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, tenPercent);
    ports.registry.beforeUpdate = (rolloutId, changes, onlyInPhases) => {
      if (changes.phase !== 'SHIFTING' || !onlyInPhases) return;
      ports.registry.setPhase(rolloutId, 'ROLLED_BACK');
      throw new TransientAwsError('Registry UpdateItem rollout failed transiently (ProvisionedThroughputExceededException); safe to retry');
    };

    // Act
    const shift = shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);

    // Assess
    await expect(shift).rejects.toThrow(AlarmBreachedError);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe('ROLLED_BACK');
  });

  it('hands a throttled registry update back to be retried while the rollout may still shift', async () => {
    // Prepare
    const { ports } = shiftingRollout({ phase: 'SHIFTING', stepIndex: 0, lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, tenPercent);
    let throttled = false;
    ports.registry.beforeUpdate = () => {
      if (throttled) return;
      throttled = true;
      throw new TransientAwsError('Registry UpdateItem rollout failed transiently; safe to retry');
    };

    // Act
    const first = shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);
    await expect(first).rejects.toThrow(TransientAwsError);
    await shiftTraffic(colorAppRollout({ stepIndex: 1 }), ports);

    // Assess: the retry finds its write landed, writes nothing more, and records the step.
    expect(ports.router.writes).toEqual(['writeRoutes colorteller-route colorteller-v1=50,colorteller-v2=50']);
    expect(ports.router.targets(routeRef)).toEqual([
      { virtualNode: stableNode, weight: 50, port: 9080 },
      { virtualNode: canaryNode, weight: 50, port: 9080 },
    ]);
  });

  it('shifts every route of the rollout in one write, after reading them all (lockstep)', async () => {
    // Prepare
    const { ports } = twoRouteRollout();

    // Act
    await shiftTraffic(colorAppRollout({ routes: [route, grpcRoute], stepIndex: 0 }), ports);

    // Assess
    expect(ports.router.targets(routeRef)).toEqual(tenPercent);
    expect(ports.router.spec(grpcRef)).toStrictEqual({
      grpcRoute: {
        match: { serviceName: 'color.Teller' },
        action: {
          weightedTargets: [
            { virtualNode: stableNode, weight: 90 },
            { virtualNode: canaryNode, weight: 10 },
          ],
        },
      },
    });
    expect(ports.router.writes).toEqual(['writeRoutes colorteller-route colorteller-v1=90,colorteller-v2=10; colorteller-grpc colorteller-v1=90,colorteller-v2=10']);
  });

  it('writes no route when the second one was edited by someone else (I5)', async () => {
    // Prepare
    const { ports, record } = twoRouteRollout();
    ports.router.editTargets(grpcRef, [{ virtualNode: 'colorteller-v3', weight: 100 }]);

    // Act
    const shift = shiftTraffic(colorAppRollout({ routes: [route, grpcRoute], stepIndex: 0 }), ports);

    // Assess
    await expect(shift).rejects.toThrow(RouteEditedError);
    await expect(shift).rejects.toThrow(`Route ${grpcRoute} was changed outside meshshift`);
    expect(ports.router.writes).toEqual([]);
    expect(ports.router.targets(routeRef)).toEqual(original);
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(record);
  });

  it('writes only the route still behind on a retry after part of the write landed', async () => {
    // Prepare: the first attempt's write reached the HTTP route only (a batch that partly failed).
    const { ports } = twoRouteRollout();
    ports.router.editTargets(routeRef, tenPercent);

    // Act
    await shiftTraffic(colorAppRollout({ routes: [route, grpcRoute], stepIndex: 0 }), ports);

    // Assess
    expect(ports.router.writes).toEqual(['writeRoutes colorteller-grpc colorteller-v1=90,colorteller-v2=10']);
  });
});

describe('promoteCanary', () => {
  it('points the route at the canary alone and records the step past the last', async () => {
    // Prepare
    const { ports, record } = shiftingRollout({ phase: 'SHIFTING', lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, tenPercent);

    // Act
    await promoteCanary(colorAppRollout({ stepIndex: 2 }), ports);

    // Assess
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec([{ virtualNode: canaryNode, weight: 100, port: 9080 }]));
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ stepIndex: 3, canaryWeight: 100 }));
  });

  it('keeps the stable targets at weight 0 beside the canary when the promotion says so', async () => {
    // Prepare
    const { ports } = shiftingRollout({ phase: 'SHIFTING', lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, tenPercent);
    const promotion = { ...colorAppRollout().promotion, stableTargetGroups: 'keep-at-zero' as const };

    // Act
    await promoteCanary(colorAppRollout({ stepIndex: 2, promotion }), ports);

    // Assess
    expect(ports.router.targets(routeRef)).toEqual([
      { virtualNode: stableNode, weight: 0, port: 9080 },
      { virtualNode: canaryNode, weight: 100, port: 9080 },
    ]);
  });

  it('refuses to promote over a route a person edited (I5)', async () => {
    // Prepare
    const { ports } = shiftingRollout({ phase: 'SHIFTING', lastWrittenTargets: { [route]: tenPercent } });
    ports.router.editTargets(routeRef, [{ virtualNode: 'colorteller-v3', weight: 100 }]);

    // Act
    const promote = promoteCanary(colorAppRollout({ stepIndex: 2 }), ports);

    // Assess
    await expect(promote).rejects.toThrow(RouteEditedError);
    expect(ports.router.targets(routeRef)).toEqual([{ virtualNode: 'colorteller-v3', weight: 100 }]);
  });
});
