import { colorApp } from '../../local/color-app';
import type { DemoApp } from '../../local/demo-app';
import type { LocalStack } from '../../local/local-stack';
import { estimatedTransitions } from '../../functions/shared/domain/schedule';
import { canaryWeightOf } from '../../functions/shared/domain/traffic-split';
import { trafficProviders } from '../../functions/shared/domain/traffic-provider';
import type { RolloutRecord } from '../../functions/shared/ports/registry';
import {
  type OperatorPorts,
  OperatorRequestRefusedError,
  requestAbort,
  requestPause,
  requestPromote,
  requestResume,
} from '../../functions/shared/use-cases/operator-request';
import { registry } from '../../functions/shared/wiring/registry';
import { orchestrator } from '../../functions/shared/wiring/step-functions';
import { holdCall, routeWrites, startDemo, statesEntered, waitForPhase } from '../support/local-rollout';

// Operators in control, on the real ASL and handlers against the simulated AWS, on simulated time:
// pauses at step boundaries and in the policy, resume, promote one step or in full, and an abort
// the operator only asks for, with registry and Step Functions rights alone.

/** The operator's side: the same registry and Step Functions adapters the CLI connects. */
const operator: OperatorPorts = { registry, orchestrator };

/** What the operator's own process called while `act` ran: services by name, nothing the functions called. */
async function asOperator<T>(stack: LocalStack, act: () => Promise<T>): Promise<{ result: T; services: string[] }> {
  const sites = stack.callSites.length;
  const simulated = stack.sim.calls.length;
  const result = await act();
  const services = [
    ...stack.callSites.slice(sites).filter((site) => site.caller === 'harness').map((site) => site.service),
    ...stack.sim.calls.slice(simulated).filter((call) => call.caller === undefined).map((call) => call.service),
  ];
  return { result, services: [...new Set(services)].sort() };
}

/** Polls the registry on the simulated clock until the record satisfies `done`. */
async function waitForRecord(stack: LocalStack, rolloutId: string, done: (record: RolloutRecord) => boolean, what: string): Promise<RolloutRecord> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const record = await registry.getRollout(rolloutId);
    if (record && done(record)) return record;
    await stack.clock.sleep(100);
  }
  throw new Error(`Rollout ${rolloutId} never ${what}`);
}

const parked = (stack: LocalStack, rolloutId: string) => waitForRecord(stack, rolloutId, (record) => Boolean(record.pause), 'paused');

/** Deploys the canary, lets the deployment event start the rollout, and completes the ECS deployment. */
async function deployAndComplete(stack: LocalStack, canaryTaskDefinition: string, executionName: (id: string) => string): Promise<string> {
  const deploymentId = await stack.deploy(canaryTaskDefinition);
  await stack.settled();
  stack.sim.ecs.completeDeployment(deploymentId);
  return executionName(deploymentId);
}

const canaryWeights = (stack: LocalStack, demo: DemoApp) => routeWrites(stack, demo).map((targets) => canaryWeightOf(targets, demo.canaryBackend));

describe.each(trafficProviders)('on %s', (provider) => {
  describe('pause and resume', () => {
    it('pauses at the next step boundary, holds the weight for as long as it is paused, and resumes to a normal promotion', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');

        // Act
        const pause = await asOperator(stack, () => requestPause(name, operator));
        const pausedRecord = await parked(stack, name);
        await stack.clock.sleep(3 * 3600 * 1000);
        const weightsWhilePaused = canaryWeights(stack, demo);
        const resume = await asOperator(stack, () => requestResume(name, operator));
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(pause.result).toEqual(expect.objectContaining({ request: 'pause', outcome: 'at-step-end', message: `Rollout ${name} will pause when the bake in progress ends` }));
        expect(pausedRecord.pause).toEqual({ taskToken: expect.any(String), since: expect.any(String) });
        expect(weightsWhilePaused).toEqual([10]);
        expect(resume.result).toEqual(expect.objectContaining({ request: 'resume', outcome: 'now' }));
        expect(execution.status).toBe('SUCCEEDED');
        expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
        expect(statesEntered(execution).filter((state) => state === 'Pause rollout')).toHaveLength(1);
        expect(statesEntered(execution)).toHaveLength(estimatedTransitions(4, false, 1));
        expect(pause.services).toEqual(['dynamodb']);
        expect(resume.services).toEqual(['dynamodb', 'sfn']);
        expect((await registry.getRollout(name))?.pause).toBeNull();
      } finally {
        await stack.stop();
      }
    });

    it('takes a second identical request as done: nothing is written again', async () => {
      // Prepare
      const { stack, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');
        await requestPause(name, operator);
        const pending = await registry.getRollout(name);

        // Act
        const again = await requestPause(name, operator);
        const afterAgain = await registry.getRollout(name);
        await parked(stack, name);
        const whilePaused = await requestPause(name, operator);
        await requestResume(name, operator);
        const resumedAgain = await requestResume(name, operator);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(again).toEqual(expect.objectContaining({ outcome: 'unchanged', message: `Rollout ${name} will already pause when the bake in progress ends; nothing changed` }));
        expect(afterAgain).toEqual(pending);
        expect(whilePaused.outcome).toBe('unchanged');
        expect(resumedAgain.outcome).toBe('unchanged');
        expect(execution.status).toBe('SUCCEEDED');
        expect(statesEntered(execution).filter((state) => state === 'Pause rollout')).toHaveLength(1);
      } finally {
        await stack.stop();
      }
    });

    it('withdraws a pause asked for when resume comes before the step ends', async () => {
      // Prepare
      const { stack, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');
        await requestPause(name, operator);

        // Act
        const resume = await requestResume(name, operator);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(resume).toEqual(expect.objectContaining({ outcome: 'now', message: `Rollout ${name} will not pause: the pause asked for is withdrawn` }));
        expect(execution.status).toBe('SUCCEEDED');
        expect(statesEntered(execution)).not.toContain('Pause rollout');
      } finally {
        await stack.stop();
      }
    });
  });

  describe('promote', () => {
    it('moves a paused rollout on to its next step at once, and the rollout goes on from there', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');
        await requestPause(name, operator);
        await parked(stack, name);

        // Act
        const promotedAt = stack.seconds;
        const promote = await requestPromote(name, { full: false }, operator);
        await waitForRecord(stack, name, (record) => record.canaryWeight === 25, 'reached 25 %');
        const secondsTo25 = stack.seconds - promotedAt;
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(promote).toEqual(expect.objectContaining({ request: 'promote', outcome: 'now', message: `Rollout ${name} moves on to its next step now` }));
        expect(secondsTo25).toBeLessThan(5);
        expect(execution.status).toBe('SUCCEEDED');
        expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
      } finally {
        await stack.stop();
      }
    });

    it('with --full during a bake, promotes the canary to 100 % when the bake ends and retires the stable version', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');

        // Act
        const promote = await requestPromote(name, { full: true }, operator);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(promote).toEqual(expect.objectContaining({ request: 'promote-full', outcome: 'at-step-end', message: `Rollout ${name} promotes the canary to 100 % when the bake in progress ends` }));
        expect(execution.status).toBe('SUCCEEDED');
        expect(canaryWeights(stack, demo)).toEqual([10, 100]);
        expect(demo.routeTargets()).toEqual([demo.target(demo.canaryBackend, 100)]);
        expect(stack.sim.ecs.service(colorApp.cluster, colorApp.stableService)?.desiredCount).toBe(0);
        expect((await registry.getRollout(name))?.phase).toBe('PROMOTED');
      } finally {
        await stack.stop();
      }
    });
  });

  describe('abort', () => {
    it("mid-bake restores the route exactly within seconds by meshshift's own functions; the operator called only the registry and Step Functions", async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForRecord(stack, name, (record) => record.canaryWeight === 25, 'reached 25 %');
        await stack.clock.sleep(20_000);

        // Act
        const abortedAt = stack.seconds;
        const abort = await asOperator(stack, () => requestAbort(name, operator));
        await waitForPhase(stack, name, 'ROLLED_BACK');
        const secondsToSafe = stack.seconds - abortedAt;
        const execution = await stack.waitForExecution(name);
        const again = await asOperator(stack, () => requestAbort(name, operator));

        // Assess
        expect(abort.result).toEqual(expect.objectContaining({ request: 'abort', outcome: 'now' }));
        expect(abort.services).toEqual(['dynamodb', 'sfn']);
        expect(secondsToSafe).toBeLessThan(5);
        expect(demo.storedRoute()).toEqual(original);
        expect(execution.status).toBe('ABORTED');
        expect(execution.error).toBe('RolloutAbortedError');
        expect((await registry.getRollout(name))?.outcome).toBe('aborted by an operator (meshshift abort); rolled back by meshshift');
        expect(stack.sim.ecs.service(colorApp.cluster, colorApp.canaryService)?.desiredCount).toBe(0);
        expect(again.result).toEqual(expect.objectContaining({ outcome: 'unchanged', message: `Rollout ${name} is already rolled back; nothing changed` }));
      } finally {
        await stack.stop();
      }
    });

    it('racing a shift in flight never ends with traffic on the canary (I7)', async () => {
      // Prepare: the 25 % write is held until the abort has rolled back.
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
      const held = holdCall(stack, (call) => {
        const targets = demo.requestedTargets(call);
        return targets !== undefined && canaryWeightOf(targets, demo.canaryBackend) === 25;
      });
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await held.reached;

        // Act
        await requestAbort(name, operator);
        await waitForPhase(stack, name, 'ROLLED_BACK');
        held.release();
        await stack.waitForExecution(name);
        await stack.settled();

        // Assess
        expect(canaryWeightOf(demo.routeTargets(), demo.canaryBackend)).toBe(0);
        expect(demo.storedRoute()).toEqual(original);
      } finally {
        await stack.stop();
      }
    });

    it('while paused fails the parked task: the state machine rolls back and fails with RolloutAbortedError', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider);
      const original = demo.storedRoute();
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await waitForPhase(stack, name, 'SHIFTING');
        await requestPause(name, operator);
        await parked(stack, name);

        // Act
        const abort = await asOperator(stack, () => requestAbort(name, operator));
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(abort.services).toEqual(['dynamodb', 'sfn']);
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('RolloutAbortedError');
        expect(statesEntered(execution).slice(-2)).toEqual(['Roll back', 'Rollout failed']);
        expect(demo.storedRoute()).toEqual(original);
        expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      } finally {
        await stack.stop();
      }
    });
  });

  describe('a rollout that ended', () => {
    it('refuses every request clearly and changes nothing', async () => {
      // Prepare
      const { stack, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { schedule: { type: 'preset', name: 'AllAtOnce' } } });
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        await stack.waitForExecution(name);
        const ended = await registry.getRollout(name);
        const requests = [
          () => requestPause(name, operator),
          () => requestResume(name, operator),
          () => requestPromote(name, { full: false }, operator),
          () => requestPromote(name, { full: true }, operator),
          () => requestAbort(name, operator),
        ];

        // Act
        const outcomes = await Promise.allSettled(requests.map((request) => asOperator(stack, request)));

        // Assess
        for (const outcome of outcomes) {
          expect(outcome.status).toBe('rejected');
          const error = (outcome as PromiseRejectedResult).reason as Error;
          expect(error).toBeInstanceOf(OperatorRequestRefusedError);
          expect(error.message).toMatch(new RegExp(`^Rollout ${name} already ended PROMOTED: [a-z-]+ refused; nothing changed$`));
        }
        expect(await registry.getRollout(name)).toEqual(ended);
      } finally {
        await stack.stop();
      }
    });
  });

  describe('a timed pause in the policy', () => {
    const pausedSchedule = (then: 'promote' | 'roll-back' | 'stay') => ({ type: 'steps' as const, steps: [10, { pause: { seconds: 600, then } }, 25, 50, 100] });

    it('goes on by itself when its seconds run out and the policy says promote', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { schedule: pausedSchedule('promote') } });
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);

        // Act
        const pausedRecord = await parked(stack, name);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(pausedRecord.pause).toEqual({ taskToken: expect.any(String), since: expect.any(String), until: new Date(Date.parse(pausedRecord.pause?.since ?? '') + 600_000).toISOString(), then: 'promote' });
        expect(execution.status).toBe('SUCCEEDED');
        expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
        const writes = stack.sim.calls.filter((call) => demo.writtenTargets(call) !== undefined);
        const pausedSeconds = ((writes[1]?.at?.getTime() ?? 0) - (writes[0]?.at?.getTime() ?? 0)) / 1000;
        expect(pausedSeconds).toBeGreaterThanOrEqual(600 + 60);
        expect(pausedSeconds).toBeLessThan(600 + 60 + 90 + 30);
      } finally {
        await stack.stop();
      }
    });

    it('rolls back exactly when its seconds run out and the policy says roll back', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { schedule: pausedSchedule('roll-back') } });
      const original = demo.storedRoute();
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);

        // Act
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('PauseRanOutError');
        expect(execution.cause).toContain('Pause at 10 % ended: nobody ended the pause within 600 s, and the policy says roll back');
        expect(canaryWeights(stack, demo)).toEqual([10, 0]);
        expect(demo.storedRoute()).toEqual(original);
        expect((await registry.getRollout(name))?.phase).toBe('ROLLED_BACK');
      } finally {
        await stack.stop();
      }
    });

    it('stays paused past its seconds when the policy says stay, until a person resumes it', async () => {
      // Prepare
      const { stack, demo, canaryTaskDefinition, executionName } = await startDemo(provider, { policy: { schedule: pausedSchedule('stay') } });
      try {
        const name = await deployAndComplete(stack, canaryTaskDefinition, executionName);
        const pausedRecord = await parked(stack, name);

        // Act
        await stack.clock.sleep(2 * 3600 * 1000);
        const stillPaused = await registry.getRollout(name);
        const weightsWhilePaused = canaryWeights(stack, demo);
        await requestResume(name, operator);
        const execution = await stack.waitForExecution(name);

        // Assess
        expect(pausedRecord.pause).toEqual(expect.objectContaining({ then: 'stay', until: expect.any(String) }));
        expect(stillPaused?.pause).toEqual(pausedRecord.pause);
        expect(weightsWhilePaused).toEqual([10]);
        expect(execution.status).toBe('SUCCEEDED');
        expect(canaryWeights(stack, demo)).toEqual([10, 25, 50, 100, 100]);
      } finally {
        await stack.stop();
      }
    });
  });
});
