import { DescribeServicesCommand, ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { GetListenerCommand, GetRuleCommand, GetTargetGroupCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { VpcLatticeTrafficRouter } from '../../functions/shared/adapters/vpc-lattice-traffic-router';
import { EcsServiceDeployer } from '../../functions/shared/adapters/ecs-service-deployer';
import { colorApp } from '../../local/color-app';
import { colorAppLattice, type LatticeSeedOptions, seedColorAppLattice } from '../../local/color-app-lattice';
import { SimulatedAws } from '../../local/simulated-aws';

async function setup(options: LatticeSeedOptions = {}) {
  const sim = new SimulatedAws();
  const layout = await seedColorAppLattice(sim, options);
  const lattice = sim.attach(new VPCLatticeClient({ region: sim.region }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  return { sim, layout, lattice, ecs };
}

describe('the Lattice layout of the color app', () => {
  it('forwards 100 % of the rule to the stable target group, matching every path at priority 10', async () => {
    // Prepare
    const { layout, lattice } = await setup();

    // Act
    const rule = await lattice.send(new GetRuleCommand({ serviceIdentifier: layout.serviceId, listenerIdentifier: layout.listenerId, ruleIdentifier: layout.ruleId }));

    // Assess
    expect(rule).toMatchObject({
      id: layout.ruleId,
      name: colorAppLattice.rule,
      isDefault: false,
      priority: 10,
      match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
      action: { forward: { targetGroups: [{ targetGroupIdentifier: layout.stableTargetGroup.id, weight: 100 }] } },
    });
  });

  it('answers what no rule matches with a fixed 404 on an HTTP listener', async () => {
    // Prepare
    const { layout, lattice } = await setup();

    // Act
    const listener = await lattice.send(new GetListenerCommand({ serviceIdentifier: layout.serviceId, listenerIdentifier: layout.listenerId }));

    // Assess
    expect(listener).toMatchObject({ name: colorAppLattice.listener, protocol: 'HTTP', port: 80, defaultAction: { fixedResponse: { statusCode: 404 } } });
  });

  it('makes two IP target groups, the stable one used by the colorteller service and the canary one by none yet', async () => {
    // Prepare
    const { layout, lattice } = await setup();

    // Act
    const stable = await lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: layout.stableTargetGroup.arn }));
    const canary = await lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: layout.canaryTargetGroup.id }));

    // Assess
    expect(stable).toMatchObject({ id: layout.stableTargetGroup.id, name: 'colorteller-blue', type: 'IP', serviceArns: [layout.serviceArn] });
    expect(canary).toMatchObject({ arn: layout.canaryTargetGroup.arn, name: 'colorteller', type: 'IP', serviceArns: [] });
    expect(layout.stableTargetGroup.id).not.toBe(layout.canaryTargetGroup.id);
  });

  it('names the rule the way the Lattice router reads it', async () => {
    // Prepare
    const { sim, layout } = await setup();
    const router = new VpcLatticeTrafficRouter(sim.attach(new VPCLatticeClient({ region: sim.region })));

    // Act
    const reading = await router.readRoute({ mesh: '', virtualRouter: layout.serviceId, route: layout.route });

    // Assess
    expect(layout.route).toBe(`${layout.listenerId}/${layout.ruleId}`);
    expect(reading.targets).toEqual([{ virtualNode: layout.stableTargetGroup.id, weight: 100 }]);
  });

  it('registers each ECS service into its own target group, both services steady', async () => {
    // Prepare
    const { layout, ecs } = await setup();

    // Act
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: colorApp.cluster, services: [colorApp.stableService, colorApp.canaryService] }));

    // Assess
    const targetGroupsOf = (name: string) =>
      services?.find((service) => service.serviceName === name)?.deployments?.flatMap((deployment) => (deployment.vpcLatticeConfigurations ?? []).map((configuration) => configuration.targetGroupArn));
    expect(targetGroupsOf(colorApp.stableService)).toEqual([layout.stableTargetGroup.arn]);
    expect(targetGroupsOf(colorApp.canaryService)).toEqual([layout.canaryTargetGroup.arn]);
    expect(services?.map((service) => ({ name: service.serviceName, runningCount: service.runningCount }))).toEqual([
      { name: colorApp.stableService, runningCount: 2 },
      { name: colorApp.canaryService, runningCount: 2 },
    ]);
  });

  it('gives the ECS deployer the target groups and the ROLLING strategy meshshift may work with', async () => {
    // Prepare
    const { sim, layout } = await setup();
    const deployer = new EcsServiceDeployer(sim.attach(new ECSClient({ region: sim.region })));

    // Act
    const stable = await deployer.describeService(colorApp.cluster, colorApp.stableService);
    const canary = await deployer.describeService(colorApp.cluster, colorApp.canaryService);

    // Assess
    expect(stable).toMatchObject({ latticeTargetGroups: [layout.stableTargetGroup.arn], deploymentStrategy: 'ROLLING' });
    expect(canary).toMatchObject({ latticeTargetGroups: [layout.canaryTargetGroup.arn], deploymentStrategy: 'ROLLING' });
  });

  it('tags the stable service as consenting to the canary and the canary with its policy, as the App Mesh layout does', async () => {
    // Prepare
    const { ecs, sim } = await setup();
    const arn = (name: string) => `arn:aws:ecs:${sim.region}:${sim.accountId}:service/${colorApp.cluster}/${name}`;

    // Act
    const stableTags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn(colorApp.stableService) }));
    const canaryTags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn(colorApp.canaryService) }));

    // Assess
    expect(stableTags.tags).toEqual([{ key: 'meshshift:pair', value: colorApp.canaryService }]);
    expect(canaryTags.tags).toEqual([{ key: 'meshshift:policy', value: colorApp.policyParameter }]);
  });

  it('adds the rules of a lockstep rollout to the same listener, each ahead of the catch-all and forwarding to the stable target group, all in the policy', async () => {
    // Prepare
    const { layout, lattice, sim } = await setup({ extraRules: ['colorteller-2', 'colorteller-3'] });
    const ssm = sim.attach(new SSMClient({ region: sim.region }));

    // Act
    const rules = await Promise.all(layout.rules.map((rule) => lattice.send(new GetRuleCommand({ serviceIdentifier: layout.serviceId, listenerIdentifier: layout.listenerId, ruleIdentifier: rule.id }))));
    const stored = await ssm.send(new GetParameterCommand({ Name: colorApp.policyParameter }));

    // Assess
    expect(rules.map((rule) => [rule.name, rule.priority, rule.match?.httpMatch?.pathMatch?.match?.prefix])).toEqual([
      ['colorteller', 10, '/'],
      ['colorteller-2', 1, '/colorteller-2'],
      ['colorteller-3', 2, '/colorteller-3'],
    ]);
    for (const rule of rules) expect(rule.action).toEqual({ forward: { targetGroups: [{ targetGroupIdentifier: layout.stableTargetGroup.id, weight: 100 }] } });
    expect(JSON.parse(stored.Parameter?.Value ?? '{}').routes).toEqual(layout.rules.map((rule) => `${layout.listenerId}/${rule.id}`));
    expect(layout.route).toBe(layout.rules[0]?.route);
  });
});
