import { AppMeshClient, CreateRouteCommand, CreateVirtualNodeCommand, CreateVirtualRouterCommand, TagResourceCommand as TagMeshResourceCommand } from '@aws-sdk/client-app-mesh';
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, type UpdateServiceResponse } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { colorApp, colorAppRouteSpec, defaultColorAppPolicy, meshNodeSpec, meshTaskDefinition, registerCanaryTaskDefinition } from '../../local/color-app';
import type { LocalStack } from '../../local/local-stack';
import { seededRandom } from '../../local/seeded-random';
import { executionNameForDeployment } from '../../functions/shared/domain/execution-name';
import { sharedRouteTagKey } from '../../functions/shared/domain/route-ownership';
import { registry } from '../../functions/shared/wiring/registry';
import { routeTargets, startColorApp, waitForPhase } from '../support/local-rollout';

// Two teams share one mesh and one cluster: the color team owns colorteller-route (nodes that
// select colorteller-blue and colorteller); the payments team owns the payments service.

const payments = { service: 'payments', stableNode: 'payments-v1', node: 'payments-v2', virtualRouter: 'payments-vr', route: 'payments-route', policyParameter: '/meshshift/payments' };
const mutating = /^(Create|Update|Delete|Put|Tag|Untag)/;
const fastPolicy = { ...defaultColorAppPolicy, schedule: { type: 'steps' as const, steps: [50, 100] }, bakeSeconds: 10 };
/** The payments team's own policy: its own router and route. */
const paymentsPolicy = { ...fastPolicy, virtualRouter: payments.virtualRouter, routes: [payments.route] };

/** The color app, plus the payments team's service, node, router and route in the same mesh and cluster. */
async function startSharedCluster(policy: object = paymentsPolicy) {
  const app = await startColorApp({ policy: fastPolicy });
  const { sim } = app.stack;
  const appMesh = sim.attach(new AppMeshClient({ region: sim.region }));
  await appMesh.send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName: payments.stableNode, spec: meshNodeSpec(payments.service) }));
  await appMesh.send(new CreateVirtualRouterCommand({ meshName: colorApp.mesh, virtualRouterName: payments.virtualRouter, spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] } }));
  const colorSpec = colorAppRouteSpec();
  const spec = { ...colorSpec, httpRoute: { ...colorSpec.httpRoute, action: { weightedTargets: [{ virtualNode: payments.stableNode, weight: 100, port: 9080 }] } } };
  await appMesh.send(new CreateRouteCommand({ meshName: colorApp.mesh, virtualRouterName: payments.virtualRouter, routeName: payments.route, spec }));
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  const register = async (node: string) => (await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition('payments', node)))).taskDefinition?.taskDefinitionArn ?? '';
  const running = await register(payments.stableNode);
  await ecs.send(
    new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: payments.service, taskDefinition: running, desiredCount: 2, tags: [{ key: 'meshshift:policy', value: payments.policyParameter }] }),
  );
  await sim.attach(new SSMClient({ region: sim.region })).send(new PutParameterCommand({ Name: payments.policyParameter, Type: 'String', Value: JSON.stringify(policy) }));
  const paymentsTaskDefinition = await register(payments.node);
  return { ...app, paymentsTaskDefinition, register, seedingCalls: sim.calls.length };
}

/** A policy of the payments team that names the color team's route. */
const takeoverPolicy = { ...fastPolicy, routes: [colorApp.route] };

function mutatingCallsSince(stack: LocalStack, from: number) {
  return stack.sim.calls.slice(from).filter((call) => mutating.test(call.operation) && call.outcome === 'ok');
}

async function startManual(stack: LocalStack, name: string, input: object) {
  await stack.stepFunctions.send({ constructor: { name: 'StartExecutionCommand' }, input: { name, input: JSON.stringify(input) } });
  return stack.waitForExecution(name);
}

const untouchedRoute = colorAppRouteSpec().httpRoute.action.weightedTargets;

describe('one team cannot move another team\'s route (I8)', () => {
  it('through its own SSM policy: the deployment\'s rollout fails before any write, naming the route and the node', async () => {
    // Prepare
    const { stack, paymentsTaskDefinition, seedingCalls } = await startSharedCluster(takeoverPolicy);
    try {
      // Act
      const deploymentId = await stack.deploy(paymentsTaskDefinition, payments.service);
      const execution = await stack.waitForExecution(executionNameForDeployment(colorApp.cluster, payments.service, deploymentId));

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RouteNotOwnedError');
      expect(execution.cause).toContain('route colorteller-route names node colorteller-v1, which selects ECS service colorteller-blue; colorteller-blue does not name payments');
      expect(routeTargets(stack)).toEqual(untouchedRoute);
      // The only write is the payments team's own deployment.
      expect(mutatingCallsSince(stack, seedingCalls).map((call) => call.operation)).toEqual(['UpdateService']);
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(2);
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.stableNode)).toBeDefined();
    } finally {
      await stack.stop();
    }
  });

  it('through an inline policy in a manual execution: refused before meshshift deploys anything', async () => {
    // Prepare
    const { stack, paymentsTaskDefinition, seedingCalls } = await startSharedCluster();
    try {
      // Act
      const execution = await startManual(stack, 'payments-takeover', { cluster: colorApp.cluster, service: payments.service, taskDefinition: paymentsTaskDefinition, policy: takeoverPolicy });

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RouteNotOwnedError');
      expect(execution.cause).toContain('route colorteller-route names node colorteller-v1');
      expect(mutatingCallsSince(stack, seedingCalls)).toEqual([]);
      expect(routeTargets(stack)).toEqual(untouchedRoute);
    } finally {
      await stack.stop();
    }
  });

  it('by announcing the other team\'s node in its task definition, on its own route', async () => {
    // Prepare: payments' own route, but its new task definition claims colorteller's node.
    const { stack, register } = await startSharedCluster();
    const claimsBlue = await register(colorApp.stableNode);
    const from = stack.sim.calls.length;
    try {
      // Act
      const execution = await startManual(stack, 'payments-claims-node', { cluster: colorApp.cluster, service: payments.service, taskDefinition: claimsBlue });

      // Assess
      expect(execution.error).toBe('RouteNotOwnedError');
      expect(execution.cause).toContain('announces node colorteller-v1, which already exists and selects ECS service colorteller-blue');
      expect(mutatingCallsSince(stack, from)).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('unless the platform team granted the route with a meshshift:shared-with tag: then it runs to promotion', async () => {
    // Prepare
    const { stack, paymentsTaskDefinition } = await startSharedCluster();
    const appMesh = stack.sim.attach(new AppMeshClient({ region: stack.sim.region }));
    const routeArn = `arn:aws:appmesh:${stack.sim.region}:${stack.sim.accountId}:mesh/${colorApp.mesh}/virtualRouter/${colorApp.virtualRouter}/route/${colorApp.route}`;
    await appMesh.send(new TagMeshResourceCommand({ resourceArn: routeArn, tags: [{ key: sharedRouteTagKey, value: 'reporting, payments' }] }));
    try {
      // Act
      const started = startManual(stack, 'payments-granted', { cluster: colorApp.cluster, service: payments.service, taskDefinition: paymentsTaskDefinition, policy: takeoverPolicy });
      await waitForPhase(stack, 'payments-granted', 'WAITING_FOR_CANARY');
      await stack.settled();
      stack.sim.ecs.completeDeployment(stack.sim.ecs.service(colorApp.cluster, payments.service)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '');
      const execution = await started;

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(routeTargets(stack)).toEqual([{ virtualNode: payments.node, weight: 100, port: 9080 }]);
    } finally {
      await stack.stop();
    }
  });
});

describe('facts come from AWS, not from the caller (I9)', () => {
  it('a forged deploymentStartedAt is refused, and the next real deployment still runs to promotion', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp({ policy: fastPolicy });
    const seedingCalls = stack.sim.calls.length;
    try {
      // Act
      const forged = await startManual(stack, 'forged-2099', { cluster: colorApp.cluster, service: colorApp.canaryService, deploymentStartedAt: '2099-01-01T00:00:00Z' });
      const deploymentId = await stack.deploy(canaryTaskDefinition);
      await stack.settled();
      stack.sim.ecs.completeDeployment(deploymentId);
      const real = await stack.waitForExecution(executionName(deploymentId));

      // Assess
      expect(forged.status).toBe('FAILED');
      expect(forged.error).toBe('InvalidInputError');
      expect(forged.cause).toContain('"deploymentStartedAt"');
      expect(mutatingCallsSince(stack, seedingCalls).map((call) => call.operation)).toContain('UpdateRoute');
      expect(real.status).toBe('SUCCEEDED');
      expect(routeTargets(stack)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
    } finally {
      await stack.stop();
    }
  });

  it('ignores deployment events from another account, region or cluster, starting nothing', async () => {
    // Prepare
    const { stack, canaryTaskDefinition } = await startColorApp({}, { holdEvents: true });
    await stack.deploy(canaryTaskDefinition);
    const [event] = stack.heldEvents;
    const elsewhere = [
      { ...event!, account: '999988887777' },
      { ...event!, region: 'eu-west-1' },
      { ...event!, resources: [`arn:aws:ecs:us-west-2:111122223333:service/other-cluster/${colorApp.canaryService}`] },
    ];
    try {
      // Act
      for (const foreign of elsewhere) await stack.deliver(foreign);

      // Assess
      expect(stack.stepFunctions.executions.size).toBe(0);
      expect(stack.deliveries.map((delivery) => (delivery.outcome as { reason: string }).reason)).toEqual([
        'event from account 999988887777, but this meshshift deployment works in account 111122223333 only',
        'event from region eu-west-1, but this meshshift deployment works in region us-west-2 only',
        'event from cluster other-cluster, but this meshshift deployment works in cluster default only',
      ]);
    } finally {
      await stack.stop();
    }
  });
});

/**
 * N deployments of one service within one simulated second, and the worst that can happen to
 * their events. Whatever the order, the newest deployment ends promoted and every older rollout
 * ends rolled back or never starts (I4), and nothing is cleaned up under traffic (I8).
 */
describe('same-second deployments: the newest always wins', () => {
  type Delivery = 'as-they-happen' | 'all-at-once' | 'duplicated-and-late';

  async function race(count: number, delivery: Delivery, seed: number) {
    const { stack } = await startColorApp({ policy: fastPolicy }, { holdEvents: true });
    const nodes = Array.from({ length: count }, (_, index) => `colorteller-r${index + 1}`);
    const taskDefinitions: string[] = [];
    for (const node of nodes) taskDefinitions.push(await registerCanaryTaskDefinition(stack.sim, node));
    const name = (deploymentId: string) => executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);
    const updateService = stack.sim.ecs.operations.get('UpdateService') as (input: object) => UpdateServiceResponse;
    // Straight to the simulated ECS, with no API latency: with 'all-at-once' every deployment has the same createdAt.
    const deploy = (taskDefinition: string) =>
      updateService({ cluster: colorApp.cluster, service: colorApp.canaryService, taskDefinition }).service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
    // What the deployment handler does for an event it accepts; called directly, so an older
    // deployment's rollout starts even when its event would now be ignored (the worst case).
    const start = (deploymentId: string) =>
      stack.stepFunctions.send({
        constructor: { name: 'StartExecutionCommand' },
        input: { name: name(deploymentId), input: JSON.stringify({ cluster: colorApp.cluster, service: colorApp.canaryService, deploymentId }) },
      });
    const random = seededRandom(seed);
    // Fisher–Yates, so every order is as likely as any other.
    const shuffled = <T>(items: T[]) => {
      const result = [...items];
      for (let index = result.length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [result[index], result[other]] = [result[other] as T, result[index] as T];
      }
      return result;
    };
    const ids: string[] = [];
    const starts: Array<Promise<unknown>> = [];
    if (delivery === 'all-at-once') {
      for (const taskDefinition of taskDefinitions) ids.push(deploy(taskDefinition));
      for (const id of shuffled(ids)) starts.push(start(id));
    } else {
      // Each deployment's rollout starts at once and is mid-Prepare when the next one lands, all within 1 s.
      for (const taskDefinition of taskDefinitions) {
        ids.push(deploy(taskDefinition));
        starts.push(start(ids.at(-1) ?? ''));
        await stack.clock.sleep(Math.floor(900 / count));
      }
    }
    await Promise.all(starts);
    const inProgressEvents = [...stack.heldEvents];
    const events = delivery === 'duplicated-and-late' ? shuffled([...inProgressEvents, ...inProgressEvents]) : shuffled(inProgressEvents);
    await Promise.all(events.map((event) => stack.deliver(event)));
    await stack.settled();
    const newest = ids.at(-1) ?? '';
    stack.sim.ecs.completeDeployment(newest);
    await Promise.all(stack.heldEvents.slice(inProgressEvents.length).map((event) => stack.deliver(event)));
    const newestExecution = await stack.waitForExecution(name(newest));
    if (delivery === 'duplicated-and-late') {
      // Late: the oldest deployment's event again, after the newest was promoted.
      await stack.deliver(inProgressEvents[0]!);
      await stack.settled();
    }
    await Promise.all([...stack.stepFunctions.executions.keys()].map((execution) => stack.waitForExecution(execution)));
    return { stack, ids, nodes, newest, newestExecution, name };
  }

  const cases: Array<[number, Delivery, number]> = [
    [2, 'all-at-once', 1],
    [2, 'all-at-once', 2],
    [2, 'as-they-happen', 1],
    [5, 'all-at-once', 3],
    [5, 'as-they-happen', 4],
    [5, 'duplicated-and-late', 5],
    [25, 'all-at-once', 6],
    [25, 'as-they-happen', 7],
    [25, 'duplicated-and-late', 8],
  ];

  it.each(cases)('%i deployments, delivered %s (seed %i)', async (count, delivery, seed) => {
    // Act
    const { stack, ids, nodes, newest, newestExecution, name } = await race(count, delivery, seed);
    try {
      // Assess
      expect(newestExecution.status).toBe('SUCCEEDED');
      expect(routeTargets(stack)).toEqual([{ virtualNode: nodes.at(-1), weight: 100, port: 9080 }]);
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, nodes.at(-1) ?? '')).toBeDefined();
      // The service the promoted route sends everything to is running.
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBe(2);
      for (const older of ids.filter((id) => id !== newest)) {
        const execution = stack.stepFunctions.executions.get(name(older));
        expect(execution?.status).not.toBe('SUCCEEDED');
        expect(['ROLLED_BACK', undefined]).toContain((await registry.getRollout(name(older)))?.phase);
      }
      expect(await registry.heldLeases()).toEqual([]);
      // No older node was left behind holding traffic, and none was created for nothing and kept.
      for (const node of nodes.slice(0, -1)) expect(stack.sim.appMesh.virtualNode(colorApp.mesh, node)).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});
