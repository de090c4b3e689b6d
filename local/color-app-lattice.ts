import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand as CreateLatticeServiceCommand,
  CreateTargetGroupCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { LatticePolicyDocument } from '../functions/shared/domain/lattice-policy';
import { colorApp, defaultColorAppPolicy, putPolicyAndAlarm, tagForRollouts } from './color-app';
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
  stableTargetGroup: 'colorteller-blue',
  canaryTargetGroup: 'colorteller',
  /** The task definitions' port mapping that ECS registers into the target groups. */
  portName: 'http',
  port: 9080,
  vpc: 'vpc-0c01a0c01a0c01a0c',
  /** The role ECS uses to register tasks into Lattice (ECS's "infrastructure role"). */
  infrastructureRole: 'ecsInfrastructureRoleForVpcLattice',
} as const;

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
}

/** The App Mesh demo's schedule, bake, alarm and cleanup, on the Lattice rule that blue serves today. */
export function colorAppLatticePolicy(serviceId: string, route: string): LatticePolicyDocument {
  const { schedule, bakeSeconds, alarms, toleratedFailedChecks, promotion, rollback } = defaultColorAppPolicy;
  return {
    version: 1,
    provider: 'lattice',
    service: serviceId,
    routes: [route],
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
function latticeTaskDefinition(family: string) {
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

/** Creates the Lattice layout of the demo app through the simulated AWS APIs, as a platform team would ahead of any rollout, with its policy and canary alarm. */
export async function seedColorAppLattice(sim: SimulatedAws): Promise<ColorAppLatticeLayout> {
  const lattice = sim.attach(new VPCLatticeClient({ region: sim.region }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));

  const service = await lattice.send(new CreateLatticeServiceCommand({ name: colorAppLattice.service }));
  const targetGroup = async (name: string) => {
    const created = await lattice.send(
      new CreateTargetGroupCommand({ name, type: 'IP', config: { port: colorAppLattice.port, protocol: 'HTTP', vpcIdentifier: colorAppLattice.vpc } }),
    );
    return { id: created.id ?? '', arn: created.arn ?? '' };
  };
  const stableTargetGroup = await targetGroup(colorAppLattice.stableTargetGroup);
  const canaryTargetGroup = await targetGroup(colorAppLattice.canaryTargetGroup);
  // Traffic no rule matches gets a 404 rather than a silent default backend.
  const listener = await lattice.send(
    new CreateListenerCommand({
      serviceIdentifier: service.id,
      name: colorAppLattice.listener,
      protocol: 'HTTP',
      defaultAction: { fixedResponse: { statusCode: 404 } },
    }),
  );
  const rule = await lattice.send(
    new CreateRuleCommand({
      serviceIdentifier: service.id,
      listenerIdentifier: listener.id,
      name: colorAppLattice.rule,
      priority: colorAppLattice.rulePriority,
      match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
      action: { forward: { targetGroups: [{ targetGroupIdentifier: stableTargetGroup.id, weight: 100 }] } },
    }),
  );

  const stableTaskDefinition = await ecs.send(new RegisterTaskDefinitionCommand(latticeTaskDefinition(colorApp.stableService)));
  const roleArn = `arn:aws:iam::${sim.accountId}:role/${colorAppLattice.infrastructureRole}`;
  for (const [serviceName, registersInto] of [
    [colorApp.stableService, stableTargetGroup],
    [colorApp.canaryService, canaryTargetGroup],
  ] as const) {
    await ecs.send(
      new CreateServiceCommand({
        cluster: colorApp.cluster,
        serviceName,
        taskDefinition: stableTaskDefinition.taskDefinition?.taskDefinitionArn,
        desiredCount: 2,
        launchType: 'FARGATE',
        vpcLatticeConfigurations: [{ roleArn, targetGroupArn: registersInto.arn, portName: colorAppLattice.portName }],
      }),
    );
  }
  await tagForRollouts(sim);

  const listenerId = listener.id ?? '';
  const ruleId = rule.id ?? '';
  await putPolicyAndAlarm(sim, colorAppLatticePolicy(service.id ?? '', `${listenerId}/${ruleId}`), { Name: 'TargetGroup', Value: canaryTargetGroup.id });
  return {
    serviceId: service.id ?? '',
    serviceArn: service.arn ?? '',
    listenerId,
    ruleId,
    stableTargetGroup,
    canaryTargetGroup,
    route: `${listenerId}/${ruleId}`,
  };
}
