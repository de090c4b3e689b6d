import { colorApp } from '../../local/color-app';
import type { DemoApp } from '../../local/demo-app';
import type { LocalStack } from '../../local/local-stack';
import { type HookEvent, hooksSchema, type LifecycleHooksDocument } from '../../functions/shared/domain/lifecycle-hooks';
import { estimatedTransitions } from '../../functions/shared/domain/schedule';
import { canaryWeightOf } from '../../functions/shared/domain/traffic-split';
import { trafficProviders } from '../../functions/shared/domain/traffic-provider';
import { requestAbort } from '../../functions/shared/use-cases/operator-request';
import { registry } from '../../functions/shared/wiring/registry';
import { orchestrator } from '../../functions/shared/wiring/step-functions';
import { routeWrites, startDemo, statesEntered, waitForPhase } from '../support/local-rollout';

// Lifecycle hooks on the real ASL and handlers, the teams' functions deployed on the simulated
// Lambda, on simulated time: the order and content of each question, approvals, rejections,
// late answers through the task token, timeouts either way, and every rollback telling onRollback.

type HookInput = LifecycleHooksDocument;

/** What a hook function answers, given its event; the default approves. */
type Answer = (event: HookEvent) => unknown;

interface HookDemo {
  stack: LocalStack;
  demo: DemoApp;
  /** Every event each hook got, in order, with the canary weight the route held when it was asked. */
  asked: Array<HookEvent & { weightInForce: number }>;
  name: string;
  /** The demo route's targets before the rollout: what a rollback restores. */
  original: ReturnType<DemoApp['routeTargets']>;
}

const hookName = (point: string) => `meshshift-hook-${point}`;
const canaryWeights = (stack: LocalStack, demo: DemoApp) => routeWrites(stack, demo).map((targets) => canaryWeightOf(targets, demo.canaryBackend));

/** Deploys a hook function for each named point (answers as given, else approving), then the canary, and starts its rollout. */
async function startWithHooks(provider: (typeof trafficProviders)[number], hooks: HookInput, answers: Record<string, Answer> = {}, deployed = Object.keys(hooks)): Promise<HookDemo> {
  const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { hooks } });
  const asked: HookDemo['asked'] = [];
  const original = demo.routeTargets();
  for (const point of deployed) {
    stack.lambda.deploy(hookName(point), (event) => {
      const hookEvent = event as HookEvent;
      const written = canaryWeights(stack, demo);
      asked.push({ ...hookEvent, weightInForce: written.at(-1) ?? 0 });
      return (answers[point] ?? (() => ({ approve: true })))(hookEvent);
    });
  }
  const deploymentId = await stack.deploy(canaryTaskDefinition);
  await stack.settled();
  stack.sim.ecs.completeDeployment(deploymentId);
  return { stack, demo, asked, original, name: executionName(deploymentId) };
}

const gating = (...points: Array<keyof HookInput>): HookInput => Object.fromEntries(points.map((point) => [point, { function: hookName(point) }]));

describe.each(trafficProviders)('on %s', (provider) => {
  it('asks every hook in order, each with its step and weight, before the step it gates moves any traffic, and promotes when all approve', async () => {
    // Prepare
    const hooks: HookInput = { ...gating('beforeRollout', 'beforeStep', 'afterStep', 'beforePromotion', 'afterPromotion'), onRollback: { function: hookName('onRollback') } };
    const { stack, demo, asked, name } = await startWithHooks(provider, hooks);
    try {
      // Act
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(asked.map((event) => `${event.hook} ${event.step}/${event.steps} at ${event.canaryWeight} % (route at ${event.weightInForce} %)`)).toEqual([
        'beforeRollout 0/4 at 0 % (route at 0 %)',
        'beforeStep 1/4 at 10 % (route at 0 %)',
        'afterStep 1/4 at 10 % (route at 10 %)',
        'beforeStep 2/4 at 25 % (route at 10 %)',
        'afterStep 2/4 at 25 % (route at 25 %)',
        'beforeStep 3/4 at 50 % (route at 25 %)',
        'afterStep 3/4 at 50 % (route at 50 %)',
        'beforeStep 4/4 at 100 % (route at 50 %)',
        'afterStep 4/4 at 100 % (route at 100 %)',
        'beforePromotion 4/4 at 100 % (route at 100 %)',
        'afterPromotion 4/4 at 100 % (route at 100 %)',
      ]);
      expect(asked[0]).toEqual(
        expect.objectContaining({ version: 1, rolloutId: name, cluster: colorApp.cluster, service: colorApp.canaryService, provider, taskToken: expect.any(String), routes: demo.policy.routes }),
      );
      expect(stack.lambda.invocations.every((invocation) => invocation.invocationType === 'RequestResponse')).toBe(true);
      expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
      expect(statesEntered(execution)).toHaveLength(estimatedTransitions(4, false, 0, hooksSchema.parse(hooks)));
    } finally {
      await stack.stop();
    }
  });

  it('rolls back when a hook rejects, before the step it gates moves traffic, says which hook and why, and tells onRollback once', async () => {
    // Prepare
    const hooks: HookInput = { ...gating('beforeStep'), onRollback: { function: hookName('onRollback') } };
    const rejectAtHalf: Answer = (event) => (event.canaryWeight === 50 ? { approve: false, reason: 'smoke test: 3 of 20 requests failed' } : { approve: true });
    const { stack, demo, asked, original, name } = await startWithHooks(provider, hooks, { beforeStep: rejectAtHalf });
    try {
      // Act
      const execution = await stack.waitForExecution(name);
      await stack.settled();

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('HookRejectedError');
      expect(execution.cause).toContain(`The beforeStep hook ${hookName('beforeStep')} rejected the rollout at step 3 of 4 (50 %): smoke test: 3 of 20 requests failed`);
      expect(canaryWeights(stack, demo)).toEqual([10, 25, 0]);
      expect(demo.routeTargets()).toEqual(original);
      const told = asked.filter((event) => event.hook === 'onRollback');
      expect(told).toEqual([expect.objectContaining({ rolloutId: name, step: 2, canaryWeight: 25, reason: expect.stringContaining('HookRejectedError') })]);
      expect(told[0]).not.toHaveProperty('taskToken');
      expect(stack.lambda.invocations.find((invocation) => invocation.functionName === hookName('onRollback'))?.invocationType).toBe('Event');
      expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
    } finally {
      await stack.stop();
    }
  });

  it('waits, holding the weight, for a hook that answers later through its task token, within its timeout', async () => {
    // Prepare
    const tokens: string[] = [];
    const later: Answer = (event) => {
      if (event.step !== 1) return { approve: true };
      tokens.push(event.taskToken ?? '');
      return { pending: true };
    };
    const { stack, demo, name } = await startWithHooks(provider, { afterStep: { function: hookName('afterStep'), timeoutSeconds: 3600 } }, { afterStep: later });
    try {
      await waitForPhase(stack, name, 'SHIFTING');
      while (tokens.length === 0) await stack.clock.sleep(1000);

      // Act
      await stack.clock.sleep(10 * 60 * 1000);
      const weightsWhileWaiting = canaryWeights(stack, demo);
      await orchestrator.resumeTask(tokens[0] as string, { approve: true });
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(weightsWhileWaiting).toEqual([10]);
      expect(execution.status).toBe('SUCCEEDED');
      expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
    } finally {
      await stack.stop();
    }
  });

  it('rolls back when a hook lets its timeout pass, naming the hook, and goes on instead where its onTimeout says proceed', async () => {
    // Prepare
    const silent: Answer = () => ({ pending: true });
    const rollBack = await startWithHooks(provider, { beforePromotion: { function: hookName('beforePromotion'), timeoutSeconds: 120 } }, { beforePromotion: silent });
    try {
      // Act
      const execution = await rollBack.stack.waitForExecution(rollBack.name);

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('HookTimedOutError');
      expect(execution.cause).toContain(`The beforePromotion hook ${hookName('beforePromotion')} did not answer within 120 s`);
      expect(rollBack.demo.routeTargets()).toEqual(rollBack.original);
    } finally {
      await rollBack.stack.stop();
    }

    const goOn = await startWithHooks(provider, { beforePromotion: { function: hookName('beforePromotion'), timeoutSeconds: 120, onTimeout: 'proceed' } }, { beforePromotion: silent });
    try {
      // Act
      const execution = await goOn.stack.waitForExecution(goOn.name);

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(goOn.demo.routeTargets()).toEqual([goOn.demo.target(goOn.demo.canaryBackend, 100)]);
    } finally {
      await goOn.stack.stop();
    }
  });

  it.each([
    ['is missing', [] as string[], {}, 'could not be invoked: ResourceNotFoundException'],
    ['throws', ['beforeRollout'], { beforeRollout: () => Promise.reject(new RangeError('smoke endpoint unreachable')) }, 'failed: RangeError: smoke endpoint unreachable'],
    ['answers something else', ['beforeRollout'], { beforeRollout: () => 'ok' }, 'answered "ok", not {"approve": true|false} or {"pending": true}'],
  ])('rejects when the hook %s, before any traffic moved', async (_, deployed, answers, reason) => {
    // Prepare
    const { stack, demo, name } = await startWithHooks(provider, gating('beforeRollout'), answers as Record<string, Answer>, deployed);
    try {
      // Act
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('HookRejectedError');
      expect(execution.cause).toContain(`The beforeRollout hook ${hookName('beforeRollout')} rejected the rollout before any traffic moved: ${reason}`);
      expect(canaryWeights(stack, demo)).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('rolls back to the stable, which still runs, when the hook after promotion rejects', async () => {
    // Prepare
    const hooks = gating('afterPromotion');
    const { stack, demo, original, name } = await startWithHooks(provider, hooks, { afterPromotion: () => ({ approve: false, reason: 'synthetic checks failed at 100 %' }) });
    try {
      // Act
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('HookRejectedError');
      expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100, 0]);
      expect(demo.routeTargets()).toEqual(original);
      expect(demo.backendExists(demo.stableBackend)).toBe(true);
      expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
  });

  it.each([
    ['an alarm fires', 'ABORTED', 'AlarmBreachedError'],
    ['an operator aborts', 'ABORTED', 'RolloutAbortedError'],
  ])('rolls back at once when %s while a hook has not answered, and tells onRollback', async (_, status, error) => {
    // Prepare
    const hooks: HookInput = { ...gating('afterStep'), onRollback: { function: hookName('onRollback') } };
    const { stack, demo, asked, original, name } = await startWithHooks(provider, hooks, { afterStep: () => ({ pending: true }) });
    try {
      while (!asked.some((event) => event.hook === 'afterStep')) await stack.clock.sleep(1000);

      // Act
      if (error === 'AlarmBreachedError') stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'ALARM', '5xx rate above 5 % at 10 %');
      else await requestAbort(name, { registry, orchestrator });
      const execution = await stack.waitForExecution(name);
      await stack.settled();

      // Assess
      expect(execution.status).toBe(status);
      expect(execution.error).toBe(error);
      expect(demo.routeTargets()).toEqual(original);
      expect(asked.filter((event) => event.hook === 'onRollback')).toEqual([expect.objectContaining({ rolloutId: name, canaryWeight: 10 })]);
    } finally {
      await stack.stop();
    }
  });

  it("refuses a policy whose hook is outside the stack's prefix before any write", async () => {
    // Prepare
    const { stack, demo, name } = await startWithHooks(provider, { beforeStep: { function: 'other-team-deploy-gate' } });
    try {
      // Act
      const execution = await stack.waitForExecution(name);

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('PolicyInvalidError');
      expect(execution.cause).toContain('hooks.beforeStep.function: other-team-deploy-gate: this meshshift deployment may invoke only functions named meshshift-hook-… (template parameter HookFunctionPrefix)');
      expect(canaryWeights(stack, demo)).toEqual([]);
      expect(stack.lambda.invocations).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});
