import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand as CreateLatticeServiceCommand,
  CreateTargetGroupCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { LatticePolicyDocument } from '../functions/shared/domain/lattice-policy';
import { type AlarmOptions, colorApp, defaultColorAppPolicy, putPolicyAndAlarm, tagForRollouts } from './color-app';
import type { SimulatedAws } from './simulated-aws';

/**
 * The color app laid out on VPC Lattice instead of App Mesh: the same two ECS services, each
 * registering its tasks into a target group of its own, and one listener rule of the colorteller
 * Lattice service splitting traffic between the two groups (the App Mesh route's counterpart).
 */
export const colorAppLattice = {
  service: 'colorteller',
  listener: 'http',
  rule: 'colorteller',
  rulePriority: 10,
  /** The task definitions' port mapping that ECS registers into the target groups. */
  portName: 'http',
  port: 9080,
  vpc: 'vpc-0c01a0c01a0c01a0c',
  /** The role ECS uses to register tasks into Lattice (ECS's "infrastructure role"). */
  infrastructureRole: 'ecsInfrastructureRoleForVpcLattice',
} as const;

/** A listener rule the layout made, by its name, its id, and the way the Lattice router names it (`<listenerId>/<ruleId>`). */
export interface LatticeRuleMade {
  name: string;
  id: string;
  route: string;
}

/** What the layout made, by the identifiers the Lattice router and the tests need. */
export interface ColorAppLatticeLayout {
  serviceId: string;
  serviceArn: string;
  listenerId: string;
  ruleId: string;
  stableTargetGroup: { id: string; arn: string };
  canaryTargetGroup: { id: string; arn: string };
  /** The rule as the Lattice router names it: `<listenerId>/<ruleId>`, under the service id. */
  route: string;
  /** Every rule of the policy, the demo's first, then `extraRules` in order. */
  rules: LatticeRuleMade[];
  /** The policy the layout stored in SSM. */
  policy: LatticePolicyDocument;
}

export interface LatticeSeedOptions {
  /** More rules of the same listener, each forwarding everything to the stable target group: the routes of a lockstep rollout. */
  extraRules?: string[];
  /** Fields of the policy over the demo's; its service and routes are always the layout's. */
  policy?: Partial<Omit<LatticePolicyDocument, 'version' | 'provider' | 'service' | 'routes'>>;
  alarm?: AlarmOptions;
}

/** The App Mesh demo's schedule, bake, alarm and cleanup, on the Lattice rules that blue serves today. */
export function colorAppLatticePolicy(serviceId: string, routes: string[]): LatticePolicyDocument {
  const { schedule, bakeSeconds, alarms, toleratedFailedChecks, promotion, rollback } = defaultColorAppPolicy;
  return {
    version: 1,
    provider: 'lattice',
    service: serviceId,
    routes,
    stableService: colorApp.stableService,
    schedule,
    bakeSeconds,
    alarms,
    toleratedFailedChecks,
    promotion: { scaleStableServiceToZero: promotion?.scaleStableServiceToZero, drainSeconds: promotion?.drainSeconds },
    rollback: { scaleCanaryServiceToZero: rollback?.scaleCanaryServiceToZero },
  };
}

/** A task definition whose named port ECS registers into a Lattice target group; Lattice IP targets need awsvpc. */
export function latticeTaskDefinition(family: string) {
  return {
    family,
    networkMode: 'awsvpc' as const,
    requiresCompatibilities: ['FARGATE' as const],
    containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/appmesh/colorteller:latest', essential: true, portMappings: [{ containerPort: colorAppLattice.port, protocol: 'tcp' as const, name: colorAppLattice.portName }] }],
  };
}

/** Registers the next canary task definition of family colorteller and returns its ARN. */
export async function registerLatticeCanaryTaskDefinition(sim: SimulatedAws): Promise<string> {
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  const output = await ecs.send(new RegisterTaskDefinitionCommand(latticeTaskDefinition(colorApp.canaryService)));
  return output.taskDefinition?.taskDefinitionArn ?? '';
}

/** An IP target group for the apps' HTTP port in the demo VPC, by id and ARN. */
export async function createTargetGroup(sim: SimulatedAws, name: string): Promise<{ id: string; arn: string }> {
  const lattice = sim.attach(new VPCLatticeClient({ region: sim.region }));
  const created = await lattice.send(new CreateTargetGroupCommand({ name, type: 'IP', config: { port: colorAppLattice.port, protocol: 'HTTP', vpcIdentifier: colorAppLattice.vpc } }));
  return { id: created.id ?? '', arn: created.arn ?? '' };
}

/** One team's app on Lattice, by name: each ECS service registers into a target group of its own name. */
export interface LatticeApp {
  /** The Lattice service. */
  service: string;
  stableService: string;
  canaryService: string;
  /** The listener's rules, the first a catch-all at priority 10, each forwarding everything to the stable target group. */
  rules: string[];
  /** Tags each ECS service is created with. */
  tags?: Partial<Record<'stable' | 'canary', Array<{ key: string; value: string }>>>;
}

export type LatticeAppLayout = Omit<ColorAppLatticeLayout, 'ruleId' | 'route' | 'policy'>;

/**
 * Lays out one team's app on Lattice through the simulated APIs, as a platform team would ahead
 * of any rollout: a Lattice service whose HTTP listener answers 404 where no rule matches, the
 * rules, the two target groups, and the two ECS services in cluster default, both on one task definition.
 */
export async function layOutLatticeApp(sim: SimulatedAws, app: LatticeApp): Promise<LatticeAppLayout> {
  const lattice = sim.attach(new VPCLatticeClient({ region: sim.region }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));

  const service = await lattice.send(new CreateLatticeServiceCommand({ name: app.service }));
  const stableTargetGroup = await createTargetGroup(sim, app.stableService);
  const canaryTargetGroup = await createTargetGroup(sim, app.canaryService);
  // Traffic no rule matches gets a 404 rather than a silent default backend.
  const listener = await lattice.send(
    new CreateListenerCommand({
      serviceIdentifier: service.id,
      name: colorAppLattice.listener,
      protocol: 'HTTP',
      defaultAction: { fixedResponse: { statusCode: 404 } },
    }),
  );
  const listenerId = listener.id ?? '';
  const rules: LatticeRuleMade[] = [];
  // Priorities are unique per listener, the lowest evaluated first: each extra rule matches a path of its own ahead of the catch-all at 10.
  for (const [index, name] of app.rules.entries()) {
    const rule = await lattice.send(
      new CreateRuleCommand({
        serviceIdentifier: service.id,
        listenerIdentifier: listenerId,
        name,
        priority: index === 0 ? colorAppLattice.rulePriority : index,
        match: { httpMatch: { pathMatch: { match: { prefix: index === 0 ? '/' : `/${name}` } } } },
        action: { forward: { targetGroups: [{ targetGroupIdentifier: stableTargetGroup.id, weight: 100 }] } },
      }),
    );
    rules.push({ name, id: rule.id ?? '', route: `${listenerId}/${rule.id ?? ''}` });
  }

  const stableTaskDefinition = await ecs.send(new RegisterTaskDefinitionCommand(latticeTaskDefinition(app.stableService)));
  const roleArn = `arn:aws:iam::${sim.accountId}:role/${colorAppLattice.infrastructureRole}`;
  for (const [serviceName, registersInto, tags] of [
    [app.stableService, stableTargetGroup, app.tags?.stable],
    [app.canaryService, canaryTargetGroup, app.tags?.canary],
  ] as const) {
    await ecs.send(
      new CreateServiceCommand({
        cluster: colorApp.cluster,
        serviceName,
        taskDefinition: stableTaskDefinition.taskDefinition?.taskDefinitionArn,
        desiredCount: 2,
        launchType: 'FARGATE',
        vpcLatticeConfigurations: [{ roleArn, targetGroupArn: registersInto.arn, portName: colorAppLattice.portName }],
        ...(tags ? { tags: [...tags] } : {}),
      }),
    );
  }
  return { serviceId: service.id ?? '', serviceArn: service.arn ?? '', listenerId, stableTargetGroup, canaryTargetGroup, rules };
}

/** Creates the Lattice layout of the demo app through the simulated AWS APIs, as a platform team would ahead of any rollout, with its policy and canary alarm. */
export async function seedColorAppLattice(sim: SimulatedAws, options: LatticeSeedOptions = {}): Promise<ColorAppLatticeLayout> {
  const app = await layOutLatticeApp(sim, {
    service: colorAppLattice.service,
    stableService: colorApp.stableService,
    canaryService: colorApp.canaryService,
    rules: [colorAppLattice.rule, ...(options.extraRules ?? [])],
  });
  const { rules, canaryTargetGroup } = app;
  await tagForRollouts(sim);

  const policy: LatticePolicyDocument = { ...colorAppLatticePolicy(app.serviceId, rules.map((rule) => rule.route)), ...options.policy };
  await putPolicyAndAlarm(sim, policy, { Name: 'TargetGroup', Value: canaryTargetGroup.id }, options.alarm);
  const [demoRule] = rules as [LatticeRuleMade];
  return { ...app, ruleId: demoRule.id, route: demoRule.route, policy };
}
