import fc from 'fast-check';
import type { WeightedTarget } from '../../../../functions/shared/domain/route-spec';
import { rollBackRollout } from '../../../../functions/shared/use-cases/roll-back-rollout';
import { shiftTraffic } from '../../../../functions/shared/use-cases/shift-traffic';
import { weightedTargets } from '../domain/route-spec.arbitraries';
import { canaryNode, colorAppPorts, colorAppRecord, colorAppRollout, leaseKey, nodeSpec, route, routeRef, routeSpec, canaryService } from './color-app';

// The stable side of a route as App Mesh accepts it: 1–9 targets (room for the canary), integer
// weights 0–100 in any sum, at least one above 0 — a lone weight 1, 8 : 2, 100 : 100 : 3 …
const relativeTargets = weightedTargets({ maxTargets: 9, relative: true });
const schedules = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 5 }).map((steps) => [...steps.sort((a, b) => a - b), 100]);

describe('relative weights through a whole rollout (I2, I3)', () => {
  it('any valid route, shifted to any step of any schedule, rolls back to exactly the spec it had', async () => {
    await fc.assert(
      fc.asyncProperty(relativeTargets, schedules, fc.nat(), async (targets: WeightedTarget[], weights, stepSeed) => {
        // Prepare
        const ports = colorAppPorts();
        const before = routeSpec(targets);
        ports.router.setRoute(routeRef, before);
        ports.router.nodes.set(canaryNode, nodeSpec(canaryService));
        const record = colorAppRecord({ phase: 'SHIFTING', originalTargets: { [route]: targets }, lastWrittenTargets: { [route]: targets } });
        ports.registry.rollouts.set(record.rolloutId, record);
        ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
        const lastStep = stepSeed % weights.length;

        // Act
        for (let stepIndex = 0; stepIndex <= lastStep; stepIndex++) await shiftTraffic(colorAppRollout({ weights, stepIndex }), ports);
        const shifted = ports.router.targets(routeRef);
        const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

        // Assess
        expect(shifted.reduce((sum, target) => sum + target.weight, 0)).toBe(100);
        expect(shifted.find((target) => target.virtualNode === canaryNode)?.weight).toBe(weights[lastStep]);
        expect(report.outcome).toBe('rolled-back');
        expect(ports.router.spec(routeRef)).toStrictEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
