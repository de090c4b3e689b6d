import { colorApp, colorAppRouteSpec, registerCanaryTaskDefinition } from '../../local/color-app';
import { type LocalStack, reconcilePeriodSeconds } from '../../local/local-stack';
import { simulationEpoch } from '../../local/virtual-clock';
import type { SimulatedCall } from '../../local/simulated-aws';
import { canaryWeightOf } from '../../functions/shared/domain/traffic-split';
import { estimatedTransitions } from '../../functions/shared/domain/schedule';
import type { WeightedTarget } from '../../functions/shared/domain/route-spec';
import { registry } from '../../functions/shared/wiring/registry';
import { holdCall, routeTargets, startColorApp, statesEntered, waitForPhase } from '../support/local-rollout';

// The real ASL on aws-local-stepfunctions, every task the real handler, AWS answered by the
// stateful simulator, the registry on dynalite, all on the stack's simulated clock.

const originalSpec = colorAppRouteSpec();
const steps = [10, 25, 50, 100];

function storedSpec(stack: LocalStack) {
  return stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec;
}

function routeWrites(stack: LocalStack): WeightedTarget[][] {
  return stack.sim.calls
    .filter((call) => call.operation === 'UpdateRoute' && call.outcome === 'ok')
    .map((call) => (call.input as { spec: { httpRoute: { action: { weightedTargets: WeightedTarget[] } } } }).spec.httpRoute.action.weightedTargets);
}

function isWeightWrite(call: SimulatedCall, weight: number): boolean {
  if (call.operation !== 'UpdateRoute') return false;
  const targets = (call.input as { spec: { httpRoute: { action: { weightedTargets: WeightedTarget[] } } } }).spec.httpRoute.action.weightedTargets;
  return canaryWeightOf(targets, colorApp.canaryNode) === weight;
}

/** Deploys the canary, lets the deployment event start the rollout, and completes the ECS deployment. */
async function deployAndComplete(stack: LocalStack, taskDefinition: string, executionName: (id: string) => string) {
  const deploymentId = await stack.deploy(taskDefinition);
  await stack.settled();
  stack.sim.ecs.completeDeployment(deploymentId);
  return { deploymentId, name: executionName(deploymentId) };
}

describe('a healthy canary', () => {
  it('walks 10 → 25 → 50 → 100, promotes, and retires the stable node and service as the policy says', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.events.filter((event) => event.type === 'StateEntered')).toHaveLength(estimatedTransitions(steps.length, false));
      expect(routeWrites(stack).map((targets) => canaryWeightOf(targets, colorApp.canaryNode))).toEqual([10, 25, 50, 100, 100]);
      expect(routeTargets(stack)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
      const { httpRoute: finalRoute, ...finalRest } = storedSpec(stack) ?? {};
      const { httpRoute: originalRoute, ...originalRest } = originalSpec;
      expect(finalRest).toEqual(originalRest);
      expect({ ...finalRoute, action: undefined }).toEqual({ ...originalRoute, action: undefined });
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.stableNode)).toBeUndefined();
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.canaryNode)?.spec?.serviceDiscovery?.awsCloudMap?.attributes).toEqual([
        { key: 'ECS_SERVICE_NAME', value: colorApp.canaryService },
      ]);
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(0);
      expect((await registry.getRollout(name))?.phase).toBe('PROMOTED');
      expect(await registry.activeRollouts()).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('keeps the stable node and service when the policy says so', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp({
      policy: {
        version: 1,
        mesh: colorApp.mesh,
        virtualRouter: colorApp.virtualRouter,
        routes: [colorApp.route],
        schedule: { type: 'preset', name: 'AllAtOnce' },
        promotion: { deleteStableNode: false, scaleStableServiceToZero: false, drainSeconds: 0 },
      },
    });
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.stableNode)).toBeDefined();
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(2);
    } finally {
      await stack.stop();
    }
  });
});

describe('an alarm', () => {
  it.each(steps.map((weight, index) => [weight, index]))(
    'at the %i %% step restores the original route exactly, at once, and retires the canary',
    async (weight, index) => {
      // Prepare
      const { stack, canaryTaskDefinition, executionName } = await startColorApp();
      stack.sim.onCall((call) => {
        if (isWeightWrite(call, weight)) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', `5xx rate above 5 % at ${weight} %`);
      });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('ABORTED');
        expect(execution.error).toBe('AlarmBreachedError');
        expect(storedSpec(stack)).toEqual(originalSpec);
        // Interrupted during the bake of this step: no health check ran after the alarm.
        expect(statesEntered(execution).filter((state) => state === 'Check health')).toHaveLength(index);
        expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.canaryNode)).toBeUndefined();
        expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBe(0);
        expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.stableNode)).toBeDefined();
        expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      } finally {
        await stack.stop();
      }
    },
  );

  it('on a route whose weights are relative (one target at weight 1) restores it exactly as it was read', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    const relative = [{ virtualNode: colorApp.stableNode, weight: 1, port: 9080 }];
    stack.sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, colorApp.route, relative);
    stack.sim.onCall((call) => {
      if (isWeightWrite(call, 25)) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', '5xx rate above 5 % at 25 %');
    });
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const execution = await stack.waitForExecution(name);
      await stack.settled();

      // Assess
      expect(execution.status).toBe('ABORTED');
      expect(routeWrites(stack).map((targets) => targets.map((target) => target.weight))).toEqual([[90, 10], [75, 25], [1]]);
      expect(storedSpec(stack)).toEqual({ ...originalSpec, httpRoute: { ...originalSpec.httpRoute, action: { weightedTargets: relative } } });
      expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
    } finally {
      await stack.stop();
    }
  });

  it('while the canary tasks start rolls back with no route write', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    try {
      // Act
      const deploymentId = await stack.deploy(canaryTaskDefinition);
      await stack.settled();
      await waitForPhase(stack, executionName(deploymentId), 'WAITING_FOR_CANARY');
      stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', 'errors before any traffic');
      const execution = await stack.waitForExecution(executionName(deploymentId));

      // Assess
      expect(execution.status).toBe('ABORTED');
      expect(routeWrites(stack)).toEqual([]);
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.canaryNode)).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});

describe('an ECS deployment that fails before any shift', () => {
  it('ends the rollout with no route write and cleans up the canary node', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    try {
      // Act
      const deploymentId = await stack.deploy(canaryTaskDefinition);
      await stack.settled();
      await waitForPhase(stack, executionName(deploymentId), 'WAITING_FOR_CANARY');
      stack.sim.ecs.failDeployment(deploymentId, 'ECS deployment circuit breaker: task failed to start.');
      const execution = await stack.waitForExecution(executionName(deploymentId));

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('CanaryDeploymentFailedError');
      expect(execution.cause).toContain('task failed to start');
      expect(stack.sim.calls.filter((call) => call.operation === 'UpdateRoute')).toEqual([]);
      expect(storedSpec(stack)).toEqual(originalSpec);
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.canaryNode)).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});

describe('throttling', () => {
  const operations = [
    'ListTagsForResource',
    'DescribeServices',
    'GetParameter',
    'DescribeTaskDefinition',
    'DescribeRoute',
    'DescribeAlarms',
    'DescribeVirtualNode',
    'CreateVirtualNode',
    'UpdateRoute',
    'UpdateService',
    'DeleteVirtualNode',
  ];

  it.each(operations)('on %s is retried and the rollout still ends promoted', async (operation) => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    const deploymentId = await stack.deploy(canaryTaskDefinition);
    stack.sim.injectFault({ operation, times: 3 });
    try {
      // Act
      await stack.settled();
      stack.sim.ecs.completeDeployment(deploymentId);
      const execution = await stack.waitForExecution(executionName(deploymentId));

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(routeTargets(stack)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
      expect(stack.sim.calls.filter((call) => call.operation === operation && /Throttl|TooManyRequests/.test(call.outcome))).toHaveLength(3);
      const retried = execution.events.some((event) => event.type === 'StateRetried') || stack.deliveries.some((delivery) => delivery.attempts > 1);
      expect(retried).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});

describe('a person editing the route mid-rollout', () => {
  it('stops the rollout with a clear error and leaves the edit in place', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    const personsTargets = [
      { virtualNode: colorApp.stableNode, weight: 70, port: 9080 },
      { virtualNode: colorApp.canaryNode, weight: 30, port: 9080 },
    ];
    stack.sim.onCall((call) => {
      if (isWeightWrite(call, 25)) stack.sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, colorApp.route, personsTargets);
    });
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RouteEditedError');
      expect(execution.cause).toMatch(/changed outside meshshift.*colorteller-v1=70, colorteller-v2=30/);
      expect(routeTargets(stack)).toEqual(personsTargets);
      expect((await registry.getRollout(name))?.phase).toBe('ABANDONED');
      expect(await registry.activeRollouts()).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});

describe('an alarm racing a weight shift', () => {
  const alarmEvent = {
    version: '0',
    id: 'raced-alarm',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: '2026-11-24T10:05:00Z',
    region: 'us-west-2',
    resources: [`arn:aws:cloudwatch:us-west-2:111122223333:alarm:${colorApp.alarm}`],
    detail: { alarmName: colorApp.alarm, state: { value: 'ALARM', reason: 'raced' } },
  };
  const isShiftTo50 = (call: Omit<SimulatedCall, 'outcome'>) => call.caller === 'ShiftTrafficFunction' && isWeightWrite({ ...call, outcome: 'ok' }, 50);

  // Each case holds the 50 % UpdateRoute of "Shift traffic" before it lands and lets the alarm
  // handler run to a chosen point first: the interleaving is the test's choice, not luck.
  it.each([
    ['finishes the whole rollback', undefined],
    ['has marked the rollout ROLLING_BACK but not yet read the route', 'DescribeRoute'],
    ['has restored the route but not yet retired the canary', 'UpdateService'],
  ])('never leaves canary weight above 0 when the alarm handler %s before the shift lands', async (_, pauseBefore) => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    const shift = holdCall(stack, isShiftTo50);
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      await shift.reached;
      if (pauseBefore) {
        const alarmPoint = holdCall(stack, (call) => call.caller === 'HandleAlarmEventFunction' && call.operation === pauseBefore);
        const alarm = stack.invoke('HandleAlarmEventFunction', alarmEvent);
        await alarmPoint.reached;
        shift.release();
        alarmPoint.release();
        await alarm;
      } else {
        await stack.invoke('HandleAlarmEventFunction', alarmEvent);
        shift.release();
      }
      await stack.waitForExecution(name);
      await stack.settled();

      // Assess
      expect(canaryWeightOf((routeTargets(stack) ?? []) as WeightedTarget[], colorApp.canaryNode)).toBe(0);
      expect(storedSpec(stack)).toEqual(originalSpec);
      expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
    } finally {
      await stack.stop();
    }
  });
});

describe('an execution stopped by hand in the console', () => {
  it('is converged by the reconciler within one period: route restored exactly, leases released, ROLLED_BACK', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    try {
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      while ((await registry.getRollout(name))?.canaryWeight !== 25) await stack.clock.sleep(1000);

      // Act
      await stack.stepFunctions.send({ constructor: { name: 'StopExecutionCommand' }, input: { executionArn: stack.stepFunctions.executionArnOf(name), error: 'Manual', cause: 'stopped in the console' } });
      const stoppedAt = stack.seconds;
      await stack.clock.sleep(reconcilePeriodSeconds * 1000);
      await stack.settled();

      // Assess
      const restore = stack.sim.calls.find((call) => call.caller === 'ReconcileRolloutsFunction' && call.operation === 'UpdateRoute');
      expect(restore?.at && (restore.at.getTime() - simulationEpoch) / 1000 - stoppedAt).toBeLessThan(reconcilePeriodSeconds);
      expect(storedSpec(stack)).toEqual(originalSpec);
      expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      expect(await registry.heldLeases()).toEqual([]);
      expect(await registry.activeRollouts()).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});

describe('duplicate and out-of-order ECS events', () => {
  it('start exactly one rollout, which ends promoted', async () => {
    // Prepare: hold events so they can be replayed in the worst order.
    const { stack, canaryTaskDefinition, executionName } = await startColorApp({}, { holdEvents: true });
    const deploymentId = await stack.deploy(canaryTaskDefinition);
    stack.sim.ecs.completeDeployment(deploymentId);
    const [inProgress, completed] = stack.heldEvents;
    try {
      // Act: COMPLETED first, then IN_PROGRESS three times, then COMPLETED again.
      await stack.deliver(completed!);
      await Promise.all([stack.deliver(inProgress!), stack.deliver(inProgress!)]);
      await stack.deliver(inProgress!);
      const execution = await stack.waitForExecution(executionName(deploymentId));
      await stack.deliver(completed!);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect([...stack.stepFunctions.executions.keys()]).toEqual([executionName(deploymentId)]);
      // StartExecution with the same name and input while running answers with the same ARN.
      const starts = stack.deliveries
        .filter((delivery) => (delivery.event.detail as { eventName: string }).eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS')
        .map((delivery) => delivery.outcome);
      expect(starts).toHaveLength(3);
      // Each duplicate is recognised: by the execution name, or, once the rollout exists, by the rollout that drives the deployment.
      for (const { executionArn: _arn, ...outcome } of starts as Array<{ executionArn?: string }>) {
        expect([
          { action: 'started', executionName: executionName(deploymentId) },
          { action: 'duplicate', executionName: executionName(deploymentId) },
          { action: 'ignored', reason: `deployment ${deploymentId} is driven by rollout ${executionName(deploymentId)}` },
        ]).toContainEqual(outcome);
      }
      expect(routeTargets(stack)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
    } finally {
      await stack.stop();
    }
  });

  it('a FAILED event that arrives before IN_PROGRESS starts nothing', async () => {
    // Prepare
    const { stack, canaryTaskDefinition } = await startColorApp({}, { holdEvents: true });
    const seedingCalls = stack.sim.calls.length;
    const deploymentId = await stack.deploy(canaryTaskDefinition);
    stack.sim.ecs.failDeployment(deploymentId, 'tasks failed to start');
    const [inProgress, failed] = stack.heldEvents;
    try {
      // Act
      await stack.deliver(failed!);
      await stack.deliver(inProgress!);

      // Assess
      expect(stack.stepFunctions.executions.size).toBe(0);
      expect(stack.sim.calls.slice(seedingCalls).filter((call) => call.service === 'appmesh')).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});

describe('a newer deployment of the same route', () => {
  it('rolls the older rollout back first, then runs to promotion itself', async () => {
    // Prepare: while v2 sits at 25 %, the team deploys v3.
    const { stack, canaryTaskDefinition, executionName } = await startColorApp();
    const newerTaskDefinition = await registerCanaryTaskDefinition(stack.sim, 'colorteller-v3');
    let newerDeployment: Promise<string> | undefined;
    stack.sim.onCall((call) => {
      if (!newerDeployment && isWeightWrite(call, 25)) newerDeployment = stack.deploy(newerTaskDefinition);
    });
    try {
      // Act
      const older = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const olderExecution = await stack.waitForExecution(older.name);
      const newerId = await (newerDeployment as Promise<string>);
      await stack.settled();
      stack.sim.ecs.completeDeployment(newerId);
      const newerExecution = await stack.waitForExecution(executionName(newerId));

      // Assess
      expect(olderExecution.status).toBe('ABORTED');
      expect(olderExecution.error).toBe('RolloutSupersededError');
      expect(newerExecution.status).toBe('SUCCEEDED');
      expect(routeTargets(stack)).toEqual([{ virtualNode: 'colorteller-v3', weight: 100, port: 9080 }]);
      // The newer rollout's snapshot is the true original, not the older rollout's 25 % split.
      expect((await registry.getRollout(executionName(newerId)))?.originalTargets[colorApp.route]).toEqual(originalSpec.httpRoute.action.weightedTargets);
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, colorApp.canaryNode)).toBeUndefined();
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBeGreaterThan(0);
      expect((await registry.getRollout(older.name))?.phase).toBe('ROLLED_BACK');
    } finally {
      await stack.stop();
    }
  });
});

describe('a manual execution', () => {
  it('that names a task definition deploys it, waits for it, and promotes, with one execution only', async () => {
    // Prepare
    const { stack, canaryTaskDefinition } = await startColorApp();
    const { StartExecutionCommand, SFNClient } = await import('@aws-sdk/client-sfn');
    const sfn = new SFNClient({});
    sfn.send = stack.stepFunctions.send as typeof sfn.send;
    const input = { cluster: colorApp.cluster, service: colorApp.canaryService, taskDefinition: canaryTaskDefinition };
    let deployed: string | undefined;
    stack.sim.onCall((call) => {
      if (call.operation === 'UpdateService' && (call.input as { taskDefinition?: string }).taskDefinition === canaryTaskDefinition) deployed = 'yes';
    });
    try {
      // Act
      await sfn.send(new StartExecutionCommand({ stateMachineArn: 'local', name: 'manual-colorteller-1', input: JSON.stringify(input) }));
      await waitForPhase(stack, 'manual-colorteller-1', 'WAITING_FOR_CANARY');
      await stack.settled();
      const deploymentId = stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
      stack.sim.ecs.completeDeployment(deploymentId);
      const execution = await stack.waitForExecution('manual-colorteller-1');

      // Assess
      expect(deployed).toBe('yes');
      expect(statesEntered(execution)).toContain('Deploy canary');
      expect(execution.status).toBe('SUCCEEDED');
      expect([...stack.stepFunctions.executions.keys()]).toEqual(['manual-colorteller-1']);
      expect(routeTargets(stack)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
    } finally {
      await stack.stop();
    }
  });

  it('with a bad inline policy fails with an error naming the field, and changes nothing', async () => {
    // Prepare
    const { stack } = await startColorApp();
    const seedingCalls = stack.sim.calls.length;
    const input = { cluster: colorApp.cluster, service: colorApp.canaryService, policy: { version: 1, mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter, routes: [colorApp.route], schedule: { type: 'steps', steps: [10, 50] } } };
    try {
      // Act
      await stack.stepFunctions.send({ constructor: { name: 'StartExecutionCommand' }, input: { name: 'manual-bad', input: JSON.stringify(input) } });
      const execution = await stack.waitForExecution('manual-bad');

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('PolicyInvalidError');
      expect(execution.cause).toContain('input.policy.schedule.steps: must end at 100');
      expect(execution.cause).toContain('nothing was changed');
      expect(stack.sim.calls.slice(seedingCalls).filter((call) => /^(Create|Update|Delete|Put|Register|Tag)/.test(call.operation))).toEqual([]);
      expect(await registry.getRollout('manual-bad')).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});

describe('routes shifted in lockstep', () => {
  const routes = [colorApp.route, 'colorteller-route-2', 'colorteller-route-3'];
  const policy = {
    version: 1 as const,
    mesh: colorApp.mesh,
    virtualRouter: colorApp.virtualRouter,
    routes,
    schedule: { type: 'steps' as const, steps: [20, 100] },
    alarms: [colorApp.alarm],
  };

  it('move together to promotion', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp({ policy, extraRoutes: routes.slice(1) });
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      for (const route of routes) expect(routeTargets(stack, route)).toEqual([{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }]);
    } finally {
      await stack.stop();
    }
  });

  it('are all restored exactly when the alarm fires', async () => {
    // Prepare
    const { stack, canaryTaskDefinition, executionName } = await startColorApp({ policy, extraRoutes: routes.slice(1) });
    let writes = 0;
    stack.sim.onCall((call) => {
      if (call.operation === 'UpdateRoute' && ++writes === routes.length) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', 'errors');
    });
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      await stack.waitForExecution(name);
      await stack.settled();

      // Assess
      for (const route of routes) expect(stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, route)?.spec).toEqual(originalSpec);
    } finally {
      await stack.stop();
    }
  });
});
