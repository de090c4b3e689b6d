import fc from 'fast-check';
import { isNewerRollout, newestFirst, type ListedDeployment, type OrderedRollout } from '../../../../functions/shared/domain/deployment-order';

const second = '2026-11-20T12:36:41.000Z';

describe('newestFirst', () => {
  it('puts the PRIMARY deployment first, then the rest by creation time, ties in ECS\'s own order', () => {
    // Prepare
    const deployments = [
      { id: 'ecs-svc/3', status: 'ACTIVE', createdAt: second },
      { id: 'ecs-svc/1', status: 'ACTIVE', createdAt: '2026-11-20T12:00:00.000Z' },
      { id: 'ecs-svc/4', status: 'PRIMARY', createdAt: second },
      { id: 'ecs-svc/2', status: 'ACTIVE', createdAt: second },
    ];

    // Act
    const order = newestFirst(deployments).map((deployment) => deployment.id);

    // Assess
    expect(order).toEqual(['ecs-svc/4', 'ecs-svc/3', 'ecs-svc/2', 'ecs-svc/1']);
  });
});

describe('isNewerRollout', () => {
  const rollout = (rolloutId: string, deploymentId?: string, overrides: Partial<OrderedRollout> = {}): OrderedRollout => ({
    rolloutId,
    service: 'colorteller',
    deploymentId,
    startedAt: second,
    ...overrides,
  });

  it('lets the PRIMARY deployment win a same-second tie, whichever rollout id sorts first', () => {
    // Prepare
    const deployments = [
      { id: 'ecs-svc/9', status: 'PRIMARY', createdAt: second },
      { id: 'ecs-svc/1', status: 'ACTIVE', createdAt: second },
    ];

    // Act
    const newer = isNewerRollout(rollout('a-newest', 'ecs-svc/9'), rollout('z-older', 'ecs-svc/1'), deployments);
    const older = isNewerRollout(rollout('z-older', 'ecs-svc/1'), rollout('a-newest', 'ecs-svc/9'), deployments);

    // Assess
    expect([newer, older]).toEqual([true, false]);
  });

  it('ranks a deployment ECS no longer lists below every listed one, even with a later start', () => {
    // Act
    const newer = isNewerRollout(rollout('listed', 'ecs-svc/2'), rollout('drained', 'ecs-svc/1', { startedAt: '2099-01-01T00:00:00.000Z' }), [{ id: 'ecs-svc/2', status: 'PRIMARY' }]);

    // Assess
    expect(newer).toBe(true);
  });

  it('orders rollouts of two services by their start instants, whatever offset they were written with', () => {
    // Act
    const newer = isNewerRollout(rollout('green', 'ecs-svc/2', { startedAt: '2026-11-20T12:00:01.000Z' }), rollout('blue', 'ecs-svc/1', { service: 'blue', startedAt: '2026-11-20T14:00:00+02:00' }), []);

    // Assess
    expect(newer).toBe(true);
  });

  it('is a strict total order over any set of same-second rollouts, with the PRIMARY one on top', () => {
    const deploymentsArbitrary = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }).chain((numbers) =>
      fc.tuple(
        fc.constant(numbers),
        fc.integer({ min: 0, max: numbers.length - 1 }),
        fc.array(fc.constantFrom(second, '2026-11-20T12:36:41.500Z'), { minLength: numbers.length, maxLength: numbers.length }),
      ),
    );
    fc.assert(
      fc.property(deploymentsArbitrary, fc.boolean(), ([numbers, primaryIndex, createdAts], withManual) => {
        // Prepare
        const deployments: ListedDeployment[] = numbers.map((number, index) => ({ id: `ecs-svc/${number}`, status: index === primaryIndex ? 'PRIMARY' : 'ACTIVE', createdAt: createdAts[index] }));
        const rollouts = deployments.map((deployment, index) => rollout(`r${index}`, deployment.id, { startedAt: deployment.createdAt ?? second }));
        if (withManual) rollouts.push(rollout('manual', undefined));

        // Act
        const newer = (a: OrderedRollout, b: OrderedRollout) => isNewerRollout(a, b, deployments);

        // Assess
        for (const a of rollouts) {
          expect(newer(a, a)).toBe(false);
          for (const b of rollouts) {
            if (a !== b) expect(newer(a, b)).toBe(!newer(b, a));
            for (const c of rollouts) if (newer(a, b) && newer(b, c)) expect(newer(a, c)).toBe(true);
          }
        }
        const primary = rollouts[primaryIndex] as OrderedRollout;
        for (const other of rollouts.filter((candidate) => candidate.deploymentId && candidate !== primary)) expect(newer(primary, other)).toBe(true);
      }),
    );
  });
});
