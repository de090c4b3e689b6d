import { AppMeshClient, CreateRouteCommand, CreateVirtualNodeCommand, CreateVirtualRouterCommand } from '@aws-sdk/client-app-mesh';
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, type UpdateServiceResponse } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { colorApp, colorAppRouteSpec, meshNodeSpec, meshTaskDefinition } from '../../local/color-app';
import { latticeTaskDefinition, layOutLatticeApp } from '../../local/color-app-lattice';
import type { LocalStack } from '../../local/local-stack';
import { seededRandom } from '../../local/seeded-random';
import type { SimulatedAws } from '../../local/simulated-aws';
import { executionNameForDeployment } from '../../functions/shared/domain/execution-name';
import { pairTagKey, sharedRouteTagKey } from '../../functions/shared/domain/route-ownership';
import { type TrafficProviderName, trafficProviders } from '../../functions/shared/domain/traffic-provider';
import { policyTagKey } from '../../functions/shared/use-cases/prepare-rollout';
import { registry } from '../../functions/shared/wiring/registry';
import { routeWrites, startDemo, waitForPhase } from '../support/local-rollout';

// Two teams share one cluster, and one mesh on App Mesh: the color team owns the demo route (on
// Lattice, its rule, forwarding to the target group colorteller-blue registers into); the
// payments team owns the payments service and a route (a rule of its own Lattice service) of its own.

const payments = { service: 'payments', stableService: 'payments-blue', stableNode: 'payments-v1', node: 'payments-v2', virtualRouter: 'payments-vr', route: 'payments-route', policyParameter: '/meshshift/payments' };
const mutating = /^(Create|Update|Delete|Put|Tag|Untag)/;
const fast = { schedule: { type: 'steps' as const, steps: [50, 100] }, bakeSeconds: 10 };

/** The payments team's app beside the color app: its next task definition, where that version's traffic goes, and its own policy. */
interface PaymentsApp {
  taskDefinition: string;
  canaryBackend: string;
  ownPolicy: object;
}

async function registerMeshTaskDefinition(sim: SimulatedAws, node: string): Promise<string> {
  const ecs = sim.attach(new ECSClient({ region: sim.region }));
  return (await ecs.send(new RegisterTaskDefinitionCommand(meshTaskDefinition(payments.service, node)))).taskDefinition?.taskDefinitionArn ?? '';
}

const addPayments: Record<TrafficProviderName, (sim: SimulatedAws, colorPolicy: object) => Promise<PaymentsApp>> = {
  /** Its node, router and route in the color app's mesh, and one ECS service whose node the route names. */
  appmesh: async (sim, colorPolicy) => {
    const appMesh = sim.attach(new AppMeshClient({ region: sim.region }));
    await appMesh.send(new CreateVirtualNodeCommand({ meshName: colorApp.mesh, virtualNodeName: payments.stableNode, spec: meshNodeSpec(payments.service) }));
    await appMesh.send(new CreateVirtualRouterCommand({ meshName: colorApp.mesh, virtualRouterName: payments.virtualRouter, spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] } }));
    const colorSpec = colorAppRouteSpec();
    const spec = { ...colorSpec, httpRoute: { ...colorSpec.httpRoute, action: { weightedTargets: [{ virtualNode: payments.stableNode, weight: 100, port: 9080 }] } } };
    await appMesh.send(new CreateRouteCommand({ meshName: colorApp.mesh, virtualRouterName: payments.virtualRouter, routeName: payments.route, spec }));
    const running = await registerMeshTaskDefinition(sim, payments.stableNode);
    await sim.attach(new ECSClient({ region: sim.region })).send(
      new CreateServiceCommand({ cluster: colorApp.cluster, serviceName: payments.service, taskDefinition: running, desiredCount: 2, tags: [{ key: policyTagKey, value: payments.policyParameter }] }),
    );
    return { taskDefinition: await registerMeshTaskDefinition(sim, payments.node), canaryBackend: payments.node, ownPolicy: { ...colorPolicy, virtualRouter: payments.virtualRouter, routes: [payments.route] } };
  },
  /** Its own Lattice service and rule, and a blue/green pair of ECS services, each registering into its own target group. */
  lattice: async (sim) => {
    const app = await layOutLatticeApp(sim, {
      service: payments.service,
      stableService: payments.stableService,
      canaryService: payments.service,
      rules: [payments.service],
      tags: { stable: [{ key: pairTagKey, value: payments.service }], canary: [{ key: policyTagKey, value: payments.policyParameter }] },
    });
    const ecs = sim.attach(new ECSClient({ region: sim.region }));
    const next = await ecs.send(new RegisterTaskDefinitionCommand(latticeTaskDefinition(payments.service)));
    const ownPolicy = { version: 1, provider: 'lattice', service: app.serviceId, routes: app.rules.map((rule) => rule.route), stableService: payments.stableService, ...fast };
    return { taskDefinition: next.taskDefinition?.taskDefinitionArn ?? '', canaryBackend: app.canaryTargetGroup.id, ownPolicy };
  },
};

/**
 * The color app on `provider`, and the payments team's app beside it, whose SSM policy names its
 * own route, or takes over the color team's (the color team's very policy, stableService included).
 */
async function startSharedCluster(provider: TrafficProviderName, paymentsPolicy: 'own' | 'takeover' = 'own') {
  const start = await startDemo(provider, { policy: fast });
  const { sim } = start.stack;
  const app = await addPayments[provider](sim, start.demo.policy);
  const policy = paymentsPolicy === 'own' ? app.ownPolicy : start.demo.policy;
  await sim.attach(new SSMClient({ region: sim.region })).send(new PutParameterCommand({ Name: payments.policyParameter, Type: 'String', Value: JSON.stringify(policy) }));
  return { ...start, payments: app, untouchedRoute: start.demo.routeTargets(), seedingCalls: sim.calls.length };
}

function mutatingCallsSince(stack: LocalStack, from: number) {
  return stack.sim.calls.slice(from).filter((call) => mutating.test(call.operation) && call.outcome === 'ok');
}

async function startManual(stack: LocalStack, name: string, input: object) {
  await stack.stepFunctions.send({ constructor: { name: 'StartExecutionCommand' }, input: { name, input: JSON.stringify(input) } });
  return stack.waitForExecution(name);
}

describe.each(trafficProviders)('on %s', (provider) => {
  describe('one team cannot move another team\'s route (I8)', () => {
    it('through its own SSM policy: the deployment\'s rollout fails before any write, naming the route and the backend', async () => {
      // Prepare
      const { stack, demo, payments: app, untouchedRoute, seedingCalls } = await startSharedCluster(provider, 'takeover');
      try {
        // Act
        const deploymentId = await stack.deploy(app.taskDefinition, payments.service);
        const execution = await stack.waitForExecution(executionNameForDeployment(colorApp.cluster, payments.service, deploymentId));

        // Assess
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('RouteNotOwnedError');
        expect(execution.cause).toContain(`route ${demo.policyRoute()} names node ${demo.stableBackend}, which selects ECS service colorteller-blue; colorteller-blue does not name payments`);
        expect(demo.routeTargets()).toEqual(untouchedRoute);
        // The only write is the payments team's own deployment.
        expect(mutatingCallsSince(stack, seedingCalls).map((call) => call.operation)).toEqual(['UpdateService']);
        expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(2);
        expect(demo.backendExists(demo.stableBackend)).toBe(true);
      } finally {
        await stack.stop();
      }
    });

    it('through an inline policy in a manual execution: refused before meshshift deploys anything', async () => {
      // Prepare
      const { stack, demo, payments: app, untouchedRoute, seedingCalls } = await startSharedCluster(provider);
      try {
        // Act
        const execution = await startManual(stack, 'payments-takeover', { cluster: colorApp.cluster, service: payments.service, taskDefinition: app.taskDefinition, policy: demo.policy });

        // Assess
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('RouteNotOwnedError');
        expect(execution.cause).toContain(`route ${demo.policyRoute()} names node ${demo.stableBackend}`);
        expect(mutatingCallsSince(stack, seedingCalls)).toEqual([]);
        expect(demo.routeTargets()).toEqual(untouchedRoute);
      } finally {
        await stack.stop();
      }
    });

    // The README's form of a grant: one service, or several separated by commas.
    it.each(['payments', 'reporting payments'])('unless the platform team granted the route with a meshshift:shared-with tag: then it runs to promotion (granted to %s)', async (grant) => {
      // Prepare
      const { stack, demo, payments: app } = await startSharedCluster(provider);
      try {
        await demo.tagRoute({ [sharedRouteTagKey]: grant });

        // Act
        const started = startManual(stack, 'payments-granted', { cluster: colorApp.cluster, service: payments.service, taskDefinition: app.taskDefinition, policy: demo.policy });
        await waitForPhase(stack, 'payments-granted', 'WAITING_FOR_CANARY');
        await stack.settled();
        stack.sim.ecs.completeDeployment(stack.sim.ecs.service(colorApp.cluster, payments.service)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '');
        const execution = await started;

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(demo.routeTargets()).toEqual([demo.target(app.canaryBackend, 100)]);
      } finally {
        await stack.stop();
      }
    });
  });

  describe('facts come from AWS, not from the caller (I9)', () => {
    it('a forged deploymentStartedAt is refused, and the next real deployment still runs to promotion', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: fast });
      try {
        // Act
        const forged = await startManual(stack, 'forged-2099', { cluster: colorApp.cluster, service: colorApp.canaryService, deploymentStartedAt: '2099-01-01T00:00:00Z' });
        const writesOfForged = routeWrites(stack, demo).length;
        const deploymentId = await stack.deploy(canaryTaskDefinition);
        await stack.settled();
        stack.sim.ecs.completeDeployment(deploymentId);
        const real = await stack.waitForExecution(executionName(deploymentId));

        // Assess
        expect(forged.status).toBe('FAILED');
        expect(forged.error).toBe('InvalidInputError');
        expect(forged.cause).toContain('"deploymentStartedAt"');
        expect(writesOfForged).toBe(0);
        expect(real.status).toBe('SUCCEEDED');
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
      } finally {
        await stack.stop();
      }
    });

    it('ignores deployment events from another account, region or cluster, starting nothing', async () => {
      // Prepare
      const { stack, canaryTaskDefinition } = await startDemo(provider, {}, { holdEvents: true });
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
});

describe('on App Mesh, where a task definition names its node, one team cannot move another team\'s route (I8)', () => {
  it('by announcing the other team\'s node in its task definition, on its own route', async () => {
    // Prepare: payments' own route, but its new task definition claims colorteller's node.
    const { stack } = await startSharedCluster('appmesh');
    const claimsBlue = await registerMeshTaskDefinition(stack.sim, colorApp.stableNode);
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
});

describe('on Lattice, where ECS says which service a target group serves, one team cannot move another team\'s route (I8)', () => {
  it('by naming its own consenting stable service for the other team\'s rule', async () => {
    // Prepare: payments-blue names payments as its pair, but the color rule forwards to colorteller-blue's target group.
    const { stack, demo, payments: app, untouchedRoute, seedingCalls } = await startSharedCluster('lattice');
    const colorPolicy = demo.policy as { service: string; routes: string[] };
    const policy = { ...app.ownPolicy, service: colorPolicy.service, routes: colorPolicy.routes };
    try {
      // Act
      const execution = await startManual(stack, 'payments-own-stable', { cluster: colorApp.cluster, service: payments.service, taskDefinition: app.taskDefinition, policy });

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RouteNotOwnedError');
      expect(execution.cause).toContain(`route ${demo.policyRoute()} names node ${demo.stableBackend}`);
      expect(mutatingCallsSince(stack, seedingCalls)).toEqual([]);
      expect(demo.routeTargets()).toEqual(untouchedRoute);
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(2);
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
describe.each(trafficProviders)('same-second deployments on %s: the newest always wins', (provider) => {
  type Delivery = 'as-they-happen' | 'all-at-once' | 'duplicated-and-late';

  async function race(count: number, delivery: Delivery, seed: number) {
    const { stack, demo, canaryTaskDefinition, executionName: name } = await startDemo(provider, { policy: fast }, { holdEvents: true });
    // Each a newer version of the canary: on App Mesh each announces a node of its own.
    const taskDefinitions = [canaryTaskDefinition];
    while (taskDefinitions.length < count) taskDefinitions.push(await demo.registerCanaryTaskDefinition());
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
    return { stack, demo, ids, taskDefinitions, newest, newestExecution, name };
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
    const { stack, demo, ids, taskDefinitions, newest, newestExecution, name } = await race(count, delivery, seed);
    const [newestBackend, ...olderBackends] = taskDefinitions.map((taskDefinition) => demo.canaryBackendOf(taskDefinition)).reverse();
    try {
      // Assess
      expect(newestExecution.status).toBe('SUCCEEDED');
      expect(demo.routeTargets()).toEqual([demo.target(newestBackend ?? '', 100)]);
      expect(demo.backendExists(newestBackend ?? '')).toBe(true);
      // The service the promoted route sends everything to is running.
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBe(2);
      for (const older of ids.filter((id) => id !== newest)) {
        const execution = stack.stepFunctions.executions.get(name(older));
        expect(execution?.status).not.toBe('SUCCEEDED');
        expect(['ROLLED_BACK', undefined]).toContain((await registry.getRollout(name(older)))?.phase);
      }
      expect(await registry.heldLeases()).toEqual([]);
      // No older version's node was left behind, made for nothing and kept (on Lattice every version registers into the one canary target group).
      expect(olderBackends.filter((backend) => backend !== newestBackend && demo.backendExists(backend))).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});
