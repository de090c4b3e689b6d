import { colorApp, meshNodeSpec } from '../../local/color-app';
import type { DemoApp } from '../../local/demo-app';
import { type LocalStack, reconcilePeriodSeconds } from '../../local/local-stack';
import { simulationEpoch } from '../../local/virtual-clock';
import type { SimulatedCall } from '../../local/simulated-aws';
import { canaryWeightOf } from '../../functions/shared/domain/traffic-split';
import { estimatedTransitions } from '../../functions/shared/domain/schedule';
import { type TrafficProviderName, trafficProviders } from '../../functions/shared/domain/traffic-provider';
import { registry } from '../../functions/shared/wiring/registry';
import { backendWrites, holdCall, routeWrites, startDemo, statesEntered, waitForPhase } from '../support/local-rollout';

// The real ASL on aws-local-stepfunctions, every task the real handler, AWS answered by the
// stateful simulator, the registry on dynalite, all on the stack's simulated clock. Every test
// that states a guarantee runs on each traffic provider: App Mesh and VPC Lattice.

const steps = [10, 25, 50, 100];

/**
 * What the providers do differently, and nothing else. App Mesh virtual nodes are meshshift's:
 * Ensure canary node makes the canary's, and cleanup deletes the one it retires. Lattice target
 * groups belong to the ECS services that register into them: meshshift never makes or deletes one.
 */
const providerFacts: Record<TrafficProviderName, {
  backendWrites: string[];
  /** A promotion that keeps the stable version running, in the provider's policy. */
  keepStable: { promotion: Record<string, unknown> };
  /** The provider's own calls of a rollout, besides the ECS, CloudWatch and SSM ones every rollout makes. */
  providerOperations: string[];
  /** How the rollout says a person changed the route: at the next write on App Mesh, when Check health reads the weights back on Lattice. */
  editedCause: RegExp;
  /** The call that writes several routes of one step: one UpdateRoute each on App Mesh, one BatchUpdateRule per listener on Lattice. */
  lockstepWrite: string;
  /** How many of those calls write the three routes of the lockstep tests' one listener (or router). */
  lockstepWritesPerStep: number;
}> = {
  appmesh: {
    backendWrites: ['CreateVirtualNode', 'DeleteVirtualNode'],
    keepStable: { promotion: { deleteStableNode: false, scaleStableServiceToZero: false, drainSeconds: 0 } },
    providerOperations: ['DescribeRoute', 'DescribeVirtualNode', 'CreateVirtualNode', 'UpdateRoute', 'DeleteVirtualNode'],
    editedCause: /changed outside meshshift/,
    lockstepWrite: 'UpdateRoute',
    lockstepWritesPerStep: 3,
  },
  lattice: {
    backendWrites: [],
    keepStable: { promotion: { scaleStableServiceToZero: false, drainSeconds: 0 } },
    providerOperations: ['GetRule', 'GetTargetGroup', 'UpdateRule'],
    editedCause: /someone else changed it/,
    lockstepWrite: 'BatchUpdateRule',
    lockstepWritesPerStep: 1,
  },
};

/** The backend retired as its provider retires one: App Mesh deletes the node (and made the canary's); a Lattice target group stays. */
function expectRetired(stack: LocalStack, demo: DemoApp, backend: string): void {
  const { backendWrites: expected } = providerFacts[demo.provider];
  expect(backendWrites(stack, demo)).toEqual(expected);
  expect(demo.backendExists(backend)).toBe(expected.length === 0);
}

function isWeightWrite(demo: DemoApp, call: SimulatedCall, weight: number): boolean {
  const targets = demo.writtenTargets(call);
  return targets !== undefined && canaryWeightOf(targets, demo.canaryBackend) === weight;
}

/** Deploys the canary, lets the deployment event start the rollout, and completes the ECS deployment. */
async function deployAndComplete(stack: LocalStack, taskDefinition: string, executionName: (id: string) => string) {
  const deploymentId = await stack.deploy(taskDefinition);
  await stack.settled();
  stack.sim.ecs.completeDeployment(deploymentId);
  return { deploymentId, name: executionName(deploymentId) };
}

describe.each(trafficProviders)('on %s', (provider) => {
  const facts = providerFacts[provider];

  describe('a healthy canary', () => {
    it('walks 10 → 25 → 50 → 100, promotes, keeps everything of the route but its weights (I1), and retires the stable version as the policy says', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const keptBefore = demo.storedRouteBesidesTargets();
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(execution.events.filter((event) => event.type === 'StateEntered')).toHaveLength(estimatedTransitions(steps.length, false));
        expect(routeWrites(stack, demo).map((targets) => canaryWeightOf(targets, demo.canaryBackend))).toEqual([10, 25, 50, 100, 100]);
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
        expect(demo.storedRouteBesidesTargets()).toEqual(keptBefore);
        expectRetired(stack, demo, demo.stableBackend);
        expect(demo.backendExists(demo.canaryBackend)).toBe(true);
        expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(0);
        expect((await registry.getRollout(name))?.phase).toBe('PROMOTED');
        expect(await registry.activeRollouts()).toEqual([]);
      } finally {
        await stack.stop();
      }
    });

    it('keeps the stable version and service when the policy says so', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { schedule: { type: 'preset', name: 'AllAtOnce' }, ...facts.keepStable } });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(demo.backendExists(demo.stableBackend)).toBe(true);
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
        const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
        const original = demo.storedRoute();
        stack.sim.onCall((call) => {
          if (isWeightWrite(demo, call, weight)) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', `5xx rate above 5 % at ${weight} %`);
        });
        try {
          // Act
          const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
          const execution = await stack.waitForExecution(name);

          // Assess
          expect(execution.status).toBe('ABORTED');
          expect(execution.error).toBe('AlarmBreachedError');
          expect(demo.storedRoute()).toEqual(original);
          // Interrupted during the bake of this step: no health check ran after the alarm.
          expect(statesEntered(execution).filter((state) => state === 'Check health')).toHaveLength(index);
          expectRetired(stack, demo, demo.canaryBackend);
          expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBe(0);
          expect(demo.backendExists(demo.stableBackend)).toBe(true);
          expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
        } finally {
          await stack.stop();
        }
      },
    );

    it('on a route whose weights are relative (one target at weight 1) restores it exactly as it was read', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      demo.setRouteAsPerson([demo.target(demo.stableBackend, 1)]);
      const relative = demo.storedRoute();
      stack.sim.onCall((call) => {
        if (isWeightWrite(demo, call, 25)) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', '5xx rate above 5 % at 25 %');
      });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);
        await stack.settled();

        // Assess
        expect(execution.status).toBe('ABORTED');
        expect(routeWrites(stack, demo).map((targets) => targets.map((target) => target.weight))).toEqual([[90, 10], [75, 25], [1]]);
        expect(demo.storedRoute()).toEqual(relative);
        expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      } finally {
        await stack.stop();
      }
    });

    it('while the canary tasks start rolls back with no route write', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        // Act
        const deploymentId = await stack.deploy(canaryTaskDefinition);
        await stack.settled();
        await waitForPhase(stack, executionName(deploymentId), 'WAITING_FOR_CANARY');
        stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', 'errors before any traffic');
        const execution = await stack.waitForExecution(executionName(deploymentId));

        // Assess
        expect(execution.status).toBe('ABORTED');
        expect(routeWrites(stack, demo)).toEqual([]);
        expectRetired(stack, demo, demo.canaryBackend);
      } finally {
        await stack.stop();
      }
    });
  });

  describe('an ECS deployment that fails before any shift', () => {
    it('ends the rollout with no route write and cleans up what the rollout made', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
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
        expect(stack.sim.calls.filter((call) => demo.requestedTargets(call))).toEqual([]);
        expect(demo.storedRoute()).toEqual(original);
        expectRetired(stack, demo, demo.canaryBackend);
      } finally {
        await stack.stop();
      }
    });
  });

  describe('throttling', () => {
    const operations = ['ListTagsForResource', 'DescribeServices', 'GetParameter', 'DescribeTaskDefinition', 'DescribeAlarms', 'UpdateService', ...facts.providerOperations];

    it.each(operations)('on %s is retried and the rollout still ends promoted', async (operation) => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const deploymentId = await stack.deploy(canaryTaskDefinition);
      stack.sim.injectFault({ operation, times: 3 });
      try {
        // Act
        await stack.settled();
        stack.sim.ecs.completeDeployment(deploymentId);
        const execution = await stack.waitForExecution(executionName(deploymentId));

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
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
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      stack.sim.onCall((call) => {
        if (isWeightWrite(demo, call, 25)) demo.editAsPerson({ stable: 70, canary: 30 });
      });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('RouteEditedError');
        expect(execution.cause).toMatch(facts.editedCause);
        expect(execution.cause).toContain(`${demo.stableBackend}=70, ${demo.canaryBackend}=30`);
        expect(demo.routeTargets()).toEqual([demo.target(demo.stableBackend, 70), demo.target(demo.canaryBackend, 30)]);
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

    // Each case holds the 50 % write of "Shift traffic" before it lands and lets the alarm
    // handler run to a chosen point first: the interleaving is the test's choice, not luck.
    it.each([
      ['finishes the whole rollback', undefined],
      ['has marked the rollout ROLLING_BACK but not yet read the route', 'read'],
      ['has restored the route but not yet retired the canary', 'UpdateService'],
    ])('never leaves canary weight above 0 when the alarm handler %s before the shift lands', async (_, pauseBefore) => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
      const isShiftTo50 = (call: Omit<SimulatedCall, 'outcome'>) => {
        const targets = call.caller === 'ShiftTrafficFunction' ? demo.requestedTargets(call) : undefined;
        return targets !== undefined && canaryWeightOf(targets, demo.canaryBackend) === 50;
      };
      const shift = holdCall(stack, isShiftTo50);
      const pauseOperation = pauseBefore === 'read' ? demo.routeReadOperation : pauseBefore;
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await shift.reached;
        if (pauseOperation) {
          const alarmPoint = holdCall(stack, (call) => call.caller === 'HandleAlarmEventFunction' && call.operation === pauseOperation);
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
        expect(canaryWeightOf(demo.routeTargets(), demo.canaryBackend)).toBe(0);
        expect(demo.storedRoute()).toEqual(original);
        expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      } finally {
        await stack.stop();
      }
    });
  });

  describe('an execution stopped by hand in the console', () => {
    it('is converged by the reconciler within one period: route restored exactly, leases released, ROLLED_BACK', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
      try {
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        while ((await registry.getRollout(name))?.canaryWeight !== 25) await stack.clock.sleep(1000);

        // Act
        await stack.stepFunctions.send({ constructor: { name: 'StopExecutionCommand' }, input: { executionArn: stack.stepFunctions.executionArnOf(name), error: 'Manual', cause: 'stopped in the console' } });
        const stoppedAt = stack.seconds;
        await stack.clock.sleep(reconcilePeriodSeconds * 1000);
        await stack.settled();

        // Assess
        const restore = stack.sim.calls.find((call) => call.caller === 'ReconcileRolloutsFunction' && demo.writtenTargets(call));
        expect(restore?.at && (restore.at.getTime() - simulationEpoch) / 1000 - stoppedAt).toBeLessThan(reconcilePeriodSeconds);
        expect(demo.storedRoute()).toEqual(original);
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
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, {}, { holdEvents: true });
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
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
      } finally {
        await stack.stop();
      }
    });

    it('a FAILED event that arrives before IN_PROGRESS starts nothing', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition } = await startDemo(provider, {}, { holdEvents: true });
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
        expect(stack.sim.calls.slice(seedingCalls).filter((call) => call.service === demo.service)).toEqual([]);
      } finally {
        await stack.stop();
      }
    });
  });

  describe('a newer deployment of the same route', () => {
    it('rolls the older rollout back first, then runs to promotion itself', async () => {
      // Prepare: while the first canary sits at 25 %, the team deploys the next.
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const originalTargets = demo.routeTargets();
      const newerTaskDefinition = await demo.registerCanaryTaskDefinition();
      let newerDeployment: Promise<string> | undefined;
      stack.sim.onCall((call) => {
        if (!newerDeployment && isWeightWrite(demo, call, 25)) newerDeployment = stack.deploy(newerTaskDefinition);
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
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackendOf(newerTaskDefinition), 100)]);
        // The newer rollout's snapshot is the true original, not the older rollout's 25 % split.
        expect((await registry.getRollout(executionName(newerId)))?.originalTargets[demo.policyRoute()]).toEqual(originalTargets);
        // App Mesh deletes the older canary's node; on Lattice both versions register into the one canary target group.
        expect(demo.backendExists(demo.canaryBackend)).toBe(facts.backendWrites.length === 0);
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
      const { stack, demo, canaryTaskDefinition } = await startDemo(provider);
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
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
      } finally {
        await stack.stop();
      }
    });

    it('with a bad inline policy fails with an error naming the field, and changes nothing', async () => {
      // Prepare
      const { stack, demo } = await startDemo(provider);
      const seedingCalls = stack.sim.calls.length;
      const input = { cluster: colorApp.cluster, service: colorApp.canaryService, policy: { ...demo.policy, schedule: { type: 'steps', steps: [10, 50] } } };
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
    const lockstep = { extraRoutes: ['colorteller-route-2', 'colorteller-route-3'], policy: { schedule: { type: 'steps' as const, steps: [20, 100] } } };

    it('move together to promotion', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, lockstep);
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(demo.routes).toHaveLength(3);
        for (const route of demo.routes) {
          expect(routeWrites(stack, demo, route).map((targets) => canaryWeightOf(targets, demo.canaryBackend))).toEqual([20, 100, 100]);
          expect(demo.routeTargets(route)).toEqual([demo.target(demo.canaryBackend, 100)]);
        }
        // Shift to 20, shift to 100, promote: each step's writes go out together.
        expect(stack.sim.calls.filter((call) => call.operation === facts.lockstepWrite && call.outcome === 'ok')).toHaveLength(3 * facts.lockstepWritesPerStep);
      } finally {
        await stack.stop();
      }
    });

    it('still move together to promotion when their writes are throttled', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, lockstep);
      stack.sim.injectFault({ operation: facts.lockstepWrite, times: 3 });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('SUCCEEDED');
        expect(stack.sim.calls.filter((call) => call.operation === facts.lockstepWrite && /Throttl|TooManyRequests/.test(call.outcome))).toHaveLength(3);
        for (const route of demo.routes) expect(routeWrites(stack, demo, route).map((targets) => canaryWeightOf(targets, demo.canaryBackend))).toEqual([20, 100, 100]);
      } finally {
        await stack.stop();
      }
    });

    it('are all restored exactly when the alarm fires', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, lockstep);
      const originals = demo.routes.map((route) => demo.storedRoute(route));
      let writes = 0;
      stack.sim.onCall((call) => {
        writes += demo.routes.filter((route) => demo.writtenTargets(call, route)).length;
        if (writes === demo.routes.length) stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', 'errors');
      });
      try {
        // Act
        const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const execution = await stack.waitForExecution(name);
        await stack.settled();

        // Assess
        expect(execution.error).toBe('AlarmBreachedError');
        expect(demo.routes.map((route) => demo.storedRoute(route))).toEqual(originals);
      } finally {
        await stack.stop();
      }
    });
  });
});

describe('on App Mesh, where meshshift makes the canary node', () => {
  it('makes it from the stable node with service discovery that selects only the canary service', async () => {
    // Prepare
    const { stack, demo, canaryTaskDefinition, executionName } = await startDemo('appmesh');
    try {
      // Act
      const { name } = await deployAndComplete(stack, canaryTaskDefinition, executionName);
      await stack.waitForExecution(name);

      // Assess: listeners, health checks, backends and logging as blue's node has them.
      expect(stack.sim.appMesh.virtualNode(colorApp.mesh, demo.canaryBackend)?.spec).toEqual(meshNodeSpec(colorApp.canaryService));
    } finally {
      await stack.stop();
    }
  });
});
