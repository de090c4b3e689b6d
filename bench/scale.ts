import { performance } from 'node:perf_hooks';
import { AppMeshClient, CreateMeshCommand, CreateRouteCommand, CreateVirtualNodeCommand, CreateVirtualRouterCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { colorApp, meshNodeSpec, meshTaskDefinition } from '../local/color-app';
import { pairTagKey } from '../functions/shared/domain/route-ownership';
import { LocalStack, type RegistryCall } from '../local/local-stack';
import type { SimulatedAws, SimulatedEvent } from '../local/simulated-aws';
import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { registryDocumentClient } from '../functions/shared/wiring/registry';

export interface ScaleRow {
  rollouts: number;
  wallSeconds: number;
  /** CPU time this process spent (user and system): unlike wall time, it barely moves with the machine's load. */
  cpuSeconds: number;
  promoted: number;
  correctRoutes: number;
  crossTalk: number;
  duplicateEventsDelivered: number;
  executionsStarted: number;
  conditionalWritesRefused: number;
  leftActive: number;
  /** Registry items the deployment-event handler read, per event it handled: constant if the design is linear. */
  itemsReadPerDeploymentEvent: number;
  /** Every registry call of every function, per rollout. */
  registryCallsPerRollout: number;
  simulatedSeconds: number;
}

/** App `i`: its own router, route, stable and canary nodes, services, alarm and policy. */
async function seedApps(sim: SimulatedAws, count: number): Promise<string[]> {
  const appMesh = sim.attach(new AppMeshClient({ region: sim.region }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  const ssm = sim.attach(new SSMClient({ region: sim.region }));
  const cloudwatch = sim.attach(new CloudWatchClient({ region: sim.region }));
  await appMesh.send(new CreateMeshCommand({ meshName: colorApp.mesh }));
  const canaryTaskDefinitions: string[] = [];
  for (let index = 0; index < count; index++) {
    const app = `app${index}`;
    await appMesh.send(new CreateVirtualRouterCommand({ meshName: colorApp.mesh, virtualRouterName: `${app}-vr`, spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] } }));
    await appMesh.send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName: `${app}-v1`, spec: meshNodeSpec(`${app}-blue`) }));
    await appMesh.send(
      new CreateRouteCommand({
        meshName: colorApp.mesh,
        virtualRouterName: `${app}-vr`,
        routeName: `${app}-route`,
        spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: `${app}-v1`, weight: 100, port: 9080 }] } } },
      }),
    );
    const stable = await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition(`${app}-blue`, `${app}-v1`)));
    // Blue serves the app's route and consents to the app's service taking it (I8).
    await ecs.send(
      new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: `${app}-blue`, taskDefinition: stable.taskDefinition?.taskDefinitionArn, desiredCount: 1, tags: [{ key: pairTagKey, value: app }] }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: app, taskDefinition: stable.taskDefinition?.taskDefinitionArn, desiredCount: 1 }));
    await ecs.send(new TagResourceCommand({ resourceArn: `arn:aws:ecs:${sim.region}:${sim.accountId}:service/${colorApp.cluster}/${app}`, tags: [{ key: 'meshshift:policy', value: `/meshshift/${app}` }] }));
    const policy = { version: 1, mesh: colorApp.mesh, virtualRouter: `${app}-vr`, routes: [`${app}-route`], schedule: { type: 'steps', steps: [50, 100] }, bakeSeconds: 30, alarms: [`${app}-5xx`], promotion: { drainSeconds: 0, deleteStableNode: true, scaleStableServiceToZero: true } };
    await ssm.send(new PutParameterCommand({ Name: `/meshshift/${app}`, Type: 'String', Value: JSON.stringify(policy) }));
    await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: `${app}-5xx`, Namespace: 'meshshift/local', MetricName: 'http_5xx_rate', Period: 10, EvaluationPeriods: 1, Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Average' }));
    const canary = await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition(app, `${app}-v2`)));
    canaryTaskDefinitions.push(canary.taskDefinition?.taskDefinitionArn ?? '');
  }
  return canaryTaskDefinitions;
}

function registryLoad(calls: RegistryCall[], deploymentEvents: number, rollouts: number) {
  const itemsRead = calls.filter((call) => call.caller === 'HandleDeploymentEventFunction').reduce((sum, call) => sum + call.itemsRead, 0);
  return { itemsReadPerDeploymentEvent: Math.round((itemsRead / deploymentEvents) * 100) / 100, registryCallsPerRollout: Math.round((calls.length / rollouts) * 10) / 10 };
}

/** `count` rollouts on different routes at once, every IN_PROGRESS event delivered twice. */
export async function measureScale(count: number): Promise<ScaleRow> {
  const stack = await LocalStack.start();
  const canaryTaskDefinitions = await seedApps(stack.sim, count);
  const inProgress: SimulatedEvent[] = [];
  stack.sim.onEvent((event) => {
    if ((event.detail as { eventName?: string }).eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS') inProgress.push(event);
  });
  const registryCallsBefore = stack.registryCalls.length;
  const simulatedStart = stack.seconds;
  let refused = 0;
  const send = registryDocumentClient.send.bind(registryDocumentClient);
  registryDocumentClient.send = (async (command: never) => {
    try {
      return await send(command);
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') refused += 1;
      throw error;
    }
  }) as typeof registryDocumentClient.send;
  try {
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    const deploymentIds = await Promise.all(canaryTaskDefinitions.map((taskDefinition, index) => stack.deploy(taskDefinition, `app${index}`)));
    await Promise.all(inProgress.map((event) => stack.deliver(event)));
    await stack.settled();
    for (const deploymentId of deploymentIds) stack.sim.ecs.completeDeployment(deploymentId);
    const executions = await Promise.all(
      deploymentIds.map((deploymentId, index) => stack.waitForExecution(executionNameForDeployment(colorApp.cluster, `app${index}`, deploymentId))),
    );
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    let correctRoutes = 0;
    let crossTalk = 0;
    for (let index = 0; index < count; index++) {
      const targets = (stack.sim.appMesh.route(colorApp.mesh, `app${index}-vr`, `app${index}-route`)?.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[];
      if (targets.length === 1 && targets[0]?.virtualNode === `app${index}-v2` && targets[0].weight === 100) correctRoutes += 1;
      if (targets.some((target) => !target.virtualNode.startsWith(`app${index}-`))) crossTalk += 1;
    }
    return {
      rollouts: count,
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      cpuSeconds: Math.round((cpu.user + cpu.system) / 10_000) / 100,
      promoted: executions.filter((execution) => execution.status === 'SUCCEEDED').length,
      correctRoutes,
      crossTalk,
      duplicateEventsDelivered: inProgress.length,
      executionsStarted: stack.stepFunctions.executions.size,
      conditionalWritesRefused: refused,
      leftActive: (await stack.registry.activeRollouts()).length,
      ...registryLoad(stack.registryCalls.slice(registryCallsBefore), stack.deliveries.filter((delivery) => delivery.target === 'HandleDeploymentEventFunction').length, count),
      simulatedSeconds: Math.round(stack.seconds - simulatedStart),
    };
  } finally {
    registryDocumentClient.send = send as typeof registryDocumentClient.send;
    await stack.stop();
  }
}

/** Runs one count in this process and prints its row: bench/run.ts gives each count a fresh process. */
if (require.main === module) {
  measureScale(Number(process.argv[2])).then(
    (row) => process.stdout.write(`${JSON.stringify(row)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
