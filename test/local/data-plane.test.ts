import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { seedColorAppLattice, type ColorAppLatticeLayout } from '../../local/color-app-lattice';
import { DataPlane, type DataPlaneOptions, type SecondOfTraffic } from '../../local/data-plane';
import { SimulatedAws } from '../../local/simulated-aws';
import { simulationEpoch, VirtualClock } from '../../local/virtual-clock';
import { createColorMesh, MESH, ROUTE, ROUTER } from './simulated-aws/mesh-fixture';

const REQUESTS_PER_SECOND = 100;
const LATTICE_PROPAGATION_SECONDS = 90;

describe('DataPlane', () => {
  let clock: VirtualClock;
  let sim: SimulatedAws;
  let dataPlane: DataPlane | undefined;

  beforeEach(() => {
    clock = new VirtualClock();
    sim = new SimulatedAws({ now: () => new clock.Date(), sleep: (ms) => clock.sleep(ms), vpcLattice: { propagationSeconds: LATTICE_PROPAGATION_SECONDS } });
    clock.start();
  });

  afterEach(async () => {
    dataPlane?.stop();
    dataPlane = undefined;
    await clock.stop();
  });

  function startTraffic(options: Partial<DataPlaneOptions>): SecondOfTraffic[] {
    const seconds: SecondOfTraffic[] = [];
    dataPlane = new DataPlane(sim, clock, { routes: [], requestsPerSecond: REQUESTS_PER_SECOND, profiles: {}, onSecond: (second) => seconds.push(second), ...options });
    dataPlane.start();
    return seconds;
  }

  /** Runs the clock until just after the data plane served second `second`, so that second is counted. */
  const untilSecond = (second: number) => clock.sleep(second * 1000 - clock.elapsed() + 1);

  const ruleOf = (layout: ColorAppLatticeLayout) => ({ serviceIdentifier: layout.serviceId, listenerIdentifier: layout.listenerId, ruleIdentifier: layout.ruleId });

  describe('Lattice rules', () => {
    it('sends all traffic to the stable target group while the rule forwards 100 % to it', async () => {
      // Prepare
      const layout = await seedColorAppLattice(sim);
      startTraffic({ latticeRules: [ruleOf(layout)] });

      // Act
      await untilSecond(10);

      // Assess
      expect(dataPlane?.trafficOf(layout.stableTargetGroup.id, 0, 10)).toEqual({ requests: 10 * REQUESTS_PER_SECOND, errors: 0 });
      expect(dataPlane?.trafficOf(layout.canaryTargetGroup.id, 0, 10)).toEqual({ requests: 0, errors: 0 });
    });

    it("serves a weight change only once Lattice's propagation delay has passed, then splits by the new weights", async () => {
      // Prepare
      const layout = await seedColorAppLattice(sim);
      const seconds = startTraffic({ latticeRules: [ruleOf(layout)] });
      await untilSecond(10);

      // Act
      sim.vpcLattice.editRuleAsPerson(layout.serviceId, layout.listenerId, layout.ruleId, [
        { targetGroupIdentifier: layout.stableTargetGroup.id, weight: 75 },
        { targetGroupIdentifier: layout.canaryTargetGroup.id, weight: 25 },
      ]);
      const firstSecondServed = Math.ceil((sim.vpcLattice.settlesAt(layout.serviceId, layout.listenerId, layout.ruleId).getTime() - simulationEpoch) / 1000);
      await untilSecond(120);

      // Assess
      expect(firstSecondServed).toBe(10 + LATTICE_PROPAGATION_SECONDS + 1);
      expect(dataPlane?.trafficOf(layout.canaryTargetGroup.id, 0, firstSecondServed - 1)).toEqual({ requests: 0, errors: 0 });
      expect(dataPlane?.trafficOf(layout.canaryTargetGroup.id, firstSecondServed - 1, firstSecondServed + 9)).toEqual({ requests: 10 * 25, errors: 0 });
      expect(dataPlane?.trafficOf(layout.stableTargetGroup.id, firstSecondServed - 1, firstSecondServed + 9)).toEqual({ requests: 10 * 75, errors: 0 });
      expect(seconds.at(-1)?.applied).toEqual({
        [`${layout.serviceId}/${layout.listenerId}/${layout.ruleId}`]: [
          { virtualNode: layout.stableTargetGroup.id, weight: 75 },
          { virtualNode: layout.canaryTargetGroup.id, weight: 25 },
        ],
      });
    });

    it('fails canary requests at its profile rate and raises an alarm watching the canary target group', async () => {
      // Prepare
      const layout = await seedColorAppLattice(sim);
      await sim.attach(new CloudWatchClient({ region: sim.region })).send(
        new PutMetricAlarmCommand({
          AlarmName: 'colorteller-5xx',
          Namespace: 'meshshift/local',
          MetricName: 'http_5xx_rate',
          Dimensions: [{ Name: 'VirtualNode', Value: layout.canaryTargetGroup.id }],
          Statistic: 'Average',
          Period: 10,
          EvaluationPeriods: 1,
          Threshold: 0.05,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      sim.vpcLattice.editRuleAsPerson(layout.serviceId, layout.listenerId, layout.ruleId, [
        { targetGroupIdentifier: layout.stableTargetGroup.id, weight: 50 },
        { targetGroupIdentifier: layout.canaryTargetGroup.id, weight: 50 },
      ]);
      startTraffic({ latticeRules: [ruleOf(layout)], profiles: { [layout.canaryTargetGroup.id]: { errorRate: 0.2, latencyMs: 50 } } });

      // Act
      await untilSecond(LATTICE_PROPAGATION_SECONDS + 30);

      // Assess
      expect(dataPlane?.trafficOf(layout.canaryTargetGroup.id, 0, LATTICE_PROPAGATION_SECONDS - 1).requests).toBe(0);
      expect(sim.cloudwatch.alarm('colorteller-5xx')?.StateValue).toBe('ALARM');
    });
  });

  describe('App Mesh routes', () => {
    it("keep following Envoy's propagation seconds when a Lattice rule flows alongside", async () => {
      // Prepare
      await createColorMesh(sim.attach(new AppMeshClient({ region: sim.region })));
      const layout = await seedColorAppLattice(sim);
      const seconds = startTraffic({ routes: [{ mesh: MESH, virtualRouter: ROUTER, route: ROUTE }], latticeRules: [ruleOf(layout)], signal: { propagationSeconds: 2 } });
      await untilSecond(5);

      // Act
      sim.appMesh.editRouteAsPerson(MESH, ROUTER, ROUTE, [
        { virtualNode: 'colorteller-v1', weight: 50 },
        { virtualNode: 'colorteller-v2', weight: 50 },
      ]);
      await untilSecond(10);

      // Assess
      const meshKey = `${MESH}/${ROUTER}/${ROUTE}`;
      const canaryShareBySecond = seconds.map((second) => second.applied[meshKey]?.find((target) => target.virtualNode === 'colorteller-v2')?.weight ?? 0);
      expect(canaryShareBySecond).toEqual([0, 0, 0, 0, 0, 0, 0, 50, 50, 50]);
      expect(dataPlane?.trafficOf('colorteller-v2', 7, 10)).toEqual({ requests: 3 * 50, errors: 0 });
      expect(dataPlane?.trafficOf(layout.stableTargetGroup.id, 0, 10)).toEqual({ requests: 10 * REQUESTS_PER_SECOND, errors: 0 });
    });
  });
});
