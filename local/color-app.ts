import { AppMeshClient, CreateMeshCommand, CreateRouteCommand, CreateVirtualNodeCommand, CreateVirtualRouterCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { PolicyDocument } from '../functions/shared/domain/policy';
import { pairTagKey } from '../functions/shared/domain/route-ownership';
import { policyTagKey } from '../functions/shared/use-cases/prepare-rollout';
import type { SimulatedAws } from './simulated-aws';

/**
 * The demo application every local run and integration test uses: AWS's "color app".
 * `colorteller-blue` (stable, node colorteller-v1) serves 100 % of route
 * colorteller-route; the opted-in service `colorteller` gets new versions (node -v2, -v3…).
 */
export const colorApp = {
  mesh: 'colorapp',
  virtualRouter: 'colorteller-vr',
  route: 'colorteller-route',
  cluster: 'default',
  stableService: 'colorteller-blue',
  stableNode: 'colorteller-v1',
  canaryService: 'colorteller',
  canaryNode: 'colorteller-v2',
  alarm: 'colorteller-5xx',
  policyParameter: '/meshshift/colorteller',
} as const;

export const defaultColorAppPolicy: PolicyDocument = {
  version: 1,
  mesh: colorApp.mesh,
  virtualRouter: colorApp.virtualRouter,
  routes: [colorApp.route],
  schedule: { type: 'steps', steps: [10, 25, 50, 100] },
  bakeSeconds: 60,
  alarms: [colorApp.alarm],
  toleratedFailedChecks: 0,
  promotion: { deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 10 },
  rollback: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
};

/** The route spec the demo starts from: a retry policy, a timeout and a header match, so I1 has something to keep. */
export function colorAppRouteSpec() {
  return {
    priority: 10,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-color-experiment', invert: true, match: { exact: 'off' } }] },
      action: { weightedTargets: [{ virtualNode: colorApp.stableNode, weight: 100, port: 9080 }] },
      retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms' as const, value: 2000 }, httpRetryEvents: ['server-error', 'gateway-error'] },
      timeout: { perRequest: { unit: 's' as const, value: 15 }, idle: { unit: 's' as const, value: 300 } },
    },
  };
}

export function meshNodeSpec(service: string) {
  return {
    listeners: [
      {
        portMapping: { port: 9080, protocol: 'http' as const },
        healthCheck: { protocol: 'http' as const, path: '/ping', healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000 },
      },
    ],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: service }] } },
    backends: [{ virtualService: { virtualServiceName: 'colorgateway.colorapp.local' } }],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
  };
}

/** A task definition whose Envoy announces `node`, the way App Mesh ECS tasks do. */
export function meshTaskDefinition(family: string, node: string) {
  return {
    family,
    proxyConfiguration: { type: 'APPMESH' as const, containerName: 'envoy', properties: [{ name: 'AppPorts', value: '9080' }] },
    containerDefinitions: [
      { name: 'app', image: 'public.ecr.aws/appmesh/colorteller:latest', essential: true },
      {
        name: 'envoy',
        image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.12.1-prod',
        essential: true,
        environment: [{ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:us-west-2:111122223333:mesh/${colorApp.mesh}/virtualNode/${node}` }],
      },
    ],
  };
}

/** Colorteller opts in through its policy tag; blue serves the route today and consents to colorteller taking its traffic (I8). */
export async function tagForRollouts(sim: SimulatedAws): Promise<void> {
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  const serviceArn = (service: string) => `arn:aws:ecs:${sim.region}:${sim.accountId}:service/${colorApp.cluster}/${service}`;
  await ecs.send(new TagResourceCommand({ resourceArn: serviceArn(colorApp.canaryService), tags: [{ key: policyTagKey, value: colorApp.policyParameter }] }));
  await ecs.send(new TagResourceCommand({ resourceArn: serviceArn(colorApp.stableService), tags: [{ key: pairTagKey, value: colorApp.canaryService }] }));
}

export type AlarmOptions = { periodSeconds?: number; evaluationPeriods?: number; threshold?: number };

/**
 * The app's rollout policy in SSM and the canary alarm, on either provider: a 10-second
 * high-resolution alarm on the canary's 5xx rate above 5 % unless `alarm` says otherwise.
 */
export async function putPolicyAndAlarm(sim: SimulatedAws, policy: unknown, canary: { Name: string; Value: string }, alarm: AlarmOptions = {}): Promise<void> {
  const ssm = sim.attach(new SSMClient({ region: sim.region }));
  const cloudwatch = sim.attach(new CloudWatchClient({ region: sim.region }));
  await ssm.send(new PutParameterCommand({ Name: colorApp.policyParameter, Type: 'String', Value: JSON.stringify(policy) }));
  await cloudwatch.send(new PutMetricAlarmCommand({
    AlarmName: colorApp.alarm,
    Namespace: 'meshshift/local',
    MetricName: 'http_5xx_rate',
    Dimensions: [canary],
    Statistic: 'Average',
    Period: alarm.periodSeconds ?? 10,
    EvaluationPeriods: alarm.evaluationPeriods ?? 1,
    Threshold: alarm.threshold ?? 0.05,
    ComparisonOperator: 'GreaterThanThreshold',
  }));
}

export interface SeedOptions {
  policy?: PolicyDocument;
  /** More routes on the same router, all pointing at the stable node (lockstep rollouts, scale runs). */
  extraRoutes?: string[];
  alarm?: AlarmOptions;
}

/** Creates the demo app through the simulated AWS APIs, as a person would with the console. */
export async function seedColorApp(sim: SimulatedAws, options: SeedOptions = {}): Promise<void> {
  const appMesh = sim.attach(new AppMeshClient({ region: sim.region }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));

  await appMesh.send(new CreateMeshCommand({ meshName: colorApp.mesh }));
  await appMesh.send(new CreateVirtualRouterCommand({
    meshName: colorApp.mesh,
    virtualRouterName: colorApp.virtualRouter,
    spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] },
  }));
  await appMesh.send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName: colorApp.stableNode, spec: meshNodeSpec(colorApp.stableService) }));
  for (const route of [colorApp.route, ...(options.extraRoutes ?? [])]) {
    await appMesh.send(new CreateRouteCommand({ meshName: colorApp.mesh, virtualRouterName: colorApp.virtualRouter, routeName: route, spec: colorAppRouteSpec() }));
  }

  const stableTaskDefinition = await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition('colorteller-blue', colorApp.stableNode)));
  await ecs.send(new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: colorApp.stableService, taskDefinition: stableTaskDefinition.taskDefinition?.taskDefinitionArn, desiredCount: 2 }));
  await ecs.send(new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: colorApp.canaryService, taskDefinition: stableTaskDefinition.taskDefinition?.taskDefinitionArn, desiredCount: 2 }));
  await tagForRollouts(sim);
  await putPolicyAndAlarm(sim, options.policy ?? defaultColorAppPolicy, { Name: 'VirtualNode', Value: colorApp.canaryNode }, options.alarm);
}

/** Registers the next canary task definition (family colorteller, node `node`) and returns its ARN. */
export async function registerCanaryTaskDefinition(sim: SimulatedAws, node: string = colorApp.canaryNode): Promise<string> {
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  const output = await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition('colorteller', node)));
  return output.taskDefinition?.taskDefinitionArn ?? '';
}
