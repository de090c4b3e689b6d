import { AppMeshClient, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { ECSClient } from '@aws-sdk/client-ecs';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import fc from 'fast-check';
import { colorApp, meshNodeSpec } from '../../../../local/color-app';
import { seedDemoApp } from '../../../../local/demo-app';
import { SimulatedAws } from '../../../../local/simulated-aws';
import { AppMeshTrafficRouter } from '../../../../functions/shared/adapters/app-mesh-traffic-router';
import { EcsServiceDeployer } from '../../../../functions/shared/adapters/ecs-service-deployer';
import { VpcLatticeTrafficRouter } from '../../../../functions/shared/adapters/vpc-lattice-traffic-router';
import { latticeWeightRules } from '../../../../functions/shared/domain/lattice-weights';
import { maxWeightedTargets } from '../../../../functions/shared/domain/route-spec';
import { routeKey } from '../../../../functions/shared/domain/route-key';
import { type TrafficProviderName, trafficProviders } from '../../../../functions/shared/domain/traffic-provider';
import type { TrafficRouter } from '../../../../functions/shared/ports/traffic-router';
import { rollBackRollout } from '../../../../functions/shared/use-cases/roll-back-rollout';
import { shiftTraffic } from '../../../../functions/shared/use-cases/shift-traffic';
import { relativeWeights } from '../domain/route-spec.arbitraries';
import { colorAppRecord, colorAppRollout } from './color-app';
import { FakeRegistry } from './fakes';

// Each provider's own router against the simulated provider, which holds every write to the
// provider's rules: App Mesh weights 0–100, Lattice weights 0–999, each in any sum.

interface ProviderRules {
  maxWeight: number;
  router: (sim: SimulatedAws) => TrafficRouter;
  /** What Ensure canary node leaves before the first shift: App Mesh has a node for the canary; a Lattice target group is there already. */
  makeCanaryBackend: (sim: SimulatedAws, canary: string) => Promise<unknown>;
}

/** Each provider's largest weight, and the router that writes under its rules. */
const providerRules: Record<TrafficProviderName, ProviderRules> = {
  appmesh: {
    maxWeight: 100,
    router: (sim) => new AppMeshTrafficRouter(sim.attach(new AppMeshClient({ region: sim.region }))),
    makeCanaryBackend: (sim, canary) =>
      sim.attach(new AppMeshClient({ region: sim.region })).send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName: canary, spec: meshNodeSpec(colorApp.canaryService) })),
  },
  lattice: {
    maxWeight: latticeWeightRules.maxWeight,
    router: (sim) => new VpcLatticeTrafficRouter(sim.attach(new VPCLatticeClient({ region: sim.region }))),
    makeCanaryBackend: async () => undefined,
  },
};

const schedules = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 5 }).map((steps) => [...steps.sort((a, b) => a - b), 100]);

describe.each(trafficProviders)('relative weights through a whole rollout on %s (I2, I3)', (provider) => {
  const { maxWeight, router, makeCanaryBackend } = providerRules[provider];
  // The stable side of a route as the provider accepts it: 1–9 backends (room for the canary),
  // integer weights in the provider's range in any sum, at least one above 0: a lone 1, 8 : 2, 999 : 999 : 3 …
  const stableWeights = fc.integer({ min: 1, max: maxWeightedTargets - 1 }).chain((count) => relativeWeights(count, maxWeight));

  it('any route the provider accepts, shifted to any step of any schedule, rolls back to exactly the route it was', async () => {
    await fc.assert(
      fc.asyncProperty(stableWeights, schedules, fc.nat(), async (weightsOfStable, weights, stepSeed) => {
        // Prepare
        const sim = new SimulatedAws();
        const demo = await seedDemoApp(sim, provider);
        const backends = [demo.stableBackend, ...(await demo.addStableBackends(weightsOfStable.length - 1))];
        await makeCanaryBackend(sim, demo.canaryBackend);
        const targets = weightsOfStable.map((weight, index) => demo.target(backends[index] ?? '', weight));
        demo.setRouteAsPerson(targets);
        const before = demo.storedRoute();
        const route = demo.policyRoute();
        const subject = { ...demo.routeLocation, routes: [route], canaryNode: demo.canaryBackend, stableNode: demo.stableBackend, service: colorApp.canaryService };
        const registry = new FakeRegistry();
        const ports = { registry, router: router(sim), deployer: new EcsServiceDeployer(sim.attach(new ECSClient({ region: sim.region }))) };
        const record = colorAppRecord({ ...subject, phase: 'SHIFTING', originalTargets: { [route]: targets }, lastWrittenTargets: { [route]: targets } });
        registry.rollouts.set(record.rolloutId, record);
        registry.leases.set(routeKey(record, route), { routeKey: routeKey(record, route), rolloutId: record.rolloutId, startedAt: record.startedAt });
        const lastStep = stepSeed % weights.length;

        // Act
        for (let stepIndex = 0; stepIndex <= lastStep; stepIndex++) await shiftTraffic(colorAppRollout({ ...subject, weights, stepIndex }), ports);
        const shifted = demo.routeTargets();
        const report = await rollBackRollout(record.rolloutId, 'alarm', ports);

        // Assess
        expect(shifted.reduce((sum, target) => sum + target.weight, 0)).toBe(100);
        expect(shifted.find((target) => target.virtualNode === demo.canaryBackend)?.weight).toBe(weights[lastStep]);
        expect(report.outcome).toBe('rolled-back');
        expect(demo.storedRoute()).toStrictEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
