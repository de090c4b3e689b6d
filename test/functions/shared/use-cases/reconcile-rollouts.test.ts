import type { ExecutionState } from '../../../../functions/shared/ports/orchestrator';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { reconcileRollouts } from '../../../../functions/shared/use-cases/reconcile-rollouts';
import { canaryNode, canaryService, colorAppPorts, colorAppRecord, leaseKey, nodeSpec, original, route, routeRef, routeSpec, stableNode } from './color-app';

const quarter = [
  { virtualNode: stableNode, weight: 75, port: 9080 },
  { virtualNode: canaryNode, weight: 25, port: 9080 },
];
const now = new Date('2026-11-20T12:10:00.000Z');
const settings = { now, stuckRollbackSeconds: 120 };

/** A rollout at 25 % holding its route, its execution in `execution` state. */
function rolloutAt25(execution: ExecutionState, overrides: Partial<RolloutRecord> = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'SHIFTING', canaryNodeCreated: true, stepIndex: 1, canaryWeight: 25, lastWrittenTargets: { [route]: quarter }, updatedAt: '2026-11-20T12:09:30.000Z', ...overrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
  ports.router.nodes.set(canaryNode, nodeSpec(canaryService));
  ports.router.editTargets(routeRef, quarter);
  ports.orchestrator.states.set(record.executionArn, execution);
  return { ports, record };
}

describe('reconcileRollouts', () => {
  it.each<ExecutionState>(['ABORTED', 'TIMED_OUT', 'FAILED', 'MISSING'])(
    'rolls back a rollout whose execution is %s: route restored exactly, lease released, ROLLED_BACK',
    async (state) => {
      // Prepare
      const { ports, record } = rolloutAt25(state);

      // Act
      const report = await reconcileRollouts(ports, settings);

      // Assess
      expect(report).toEqual({ actions: [{ rolloutId: record.rolloutId, action: 'rolled back: its execution ended' }], needAttention: [] });
      expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
      expect(ports.registry.leases.has(leaseKey)).toBe(false);
      expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe('ROLLED_BACK');
    },
  );

  it('does nothing to a healthy rollout whose execution runs, and nothing the second time after converging', async () => {
    // Prepare
    const healthy = rolloutAt25('RUNNING');
    const stopped = rolloutAt25('ABORTED');
    await reconcileRollouts(stopped.ports, settings);
    const writesAfterFirst = [...stopped.ports.router.writes];

    // Act
    const healthyReport = await reconcileRollouts(healthy.ports, settings);
    const secondReport = await reconcileRollouts(stopped.ports, settings);

    // Assess
    expect(healthyReport).toEqual({ actions: [], needAttention: [] });
    expect(healthy.ports.router.writes).toEqual([]);
    expect(secondReport).toEqual({ actions: [], needAttention: [] });
    expect(stopped.ports.router.writes).toEqual(writesAfterFirst);
  });

  it('finishes a rollback that stopped half-way (ROLLING_BACK for longer than two minutes) and stops the execution', async () => {
    // Prepare: the alarm handler marked the rollout and crashed before restoring.
    const { ports, record } = rolloutAt25('RUNNING', { phase: 'ROLLING_BACK', updatedAt: '2026-11-20T12:05:00.000Z', outcome: 'alarm colorteller-5xx' });

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'finished a rollback that stopped half-way' }]);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [record.executionArn, 'AlarmBreachedError', 'Rolled back: alarm colorteller-5xx'] }]);
  });

  it('leaves a rollback in progress alone while it is younger than two minutes', async () => {
    // Prepare
    const { ports } = rolloutAt25('RUNNING', { phase: 'ROLLING_BACK', updatedAt: '2026-11-20T12:09:00.000Z' });

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([]);
    expect(ports.router.writes).toEqual([]);
  });

  it('rolls back at once when a watched alarm is in ALARM and its event was lost', async () => {
    // Prepare
    const { ports, record } = rolloutAt25('RUNNING');
    ports.health.states['colorteller-5xx'] = 'ALARM';

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'rolled back: a watched alarm is in ALARM' }]);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
    expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [record.executionArn, 'AlarmBreachedError', expect.stringContaining('colorteller-5xx is in ALARM')] }]);
  });

  it.each([
    ['COMPLETED', 'resumed: its canary deployment completed', 'resumeTask'],
    ['FAILED', 'failed its wait: its canary deployment failed', 'failTask'],
  ] as const)('settles the wait of a rollout whose %s deployment event was lost', async (rolloutState, action, call) => {
    // Prepare
    const { ports, record } = rolloutAt25('RUNNING', { phase: 'WAITING_FOR_CANARY', taskToken: 'token-1', deploymentId: 'ecs-svc/2222', lastWrittenTargets: { [route]: original } });
    ports.router.editTargets(routeRef, original);
    const service = ports.deployer.services.get(canaryService);
    if (service) service.deployments = [{ id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: record.taskDefinitionArn, rolloutState, reason: 'tasks failed to start' }];

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action }]);
    expect(ports.orchestrator.calls.map((entry) => entry.call)).toEqual([call]);
    expect(ports.orchestrator.calls[0]?.args[0]).toBe('token-1');
  });

  it.each([
    ['PROMOTED', '2026-11-20T12:00:00.000Z', 'it is finishing its cleanup'],
    ['ROLLED_BACK', '2026-11-20T12:09:30.000Z', 'it is on its way to its Fail state'],
  ] as const)('leaves the running execution of a %s rollout alone while %s', async (phase, updatedAt, _reason) => {
    // Prepare
    const { ports } = rolloutAt25('RUNNING', { phase, updatedAt });
    ports.registry.leases.clear();

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([]);
    expect(ports.orchestrator.calls).toEqual([]);
  });

  it('stops an execution still running long after its rollout was rolled back, restoring a late write', async () => {
    // Prepare: StopExecution was lost, and a shift in flight landed after the restore.
    const { ports, record } = rolloutAt25('RUNNING', { phase: 'ROLLED_BACK', updatedAt: '2026-11-20T12:05:00.000Z' });
    ports.registry.leases.clear();

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'stopped an execution whose rollout had ended' }]);
    expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [record.executionArn, 'RolloutEndedError', expect.stringContaining('ROLLED_BACK')] }]);
    expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
  });

  it('releases a lease whose rollout already ended', async () => {
    // Prepare: promoted, then the function crashed before it released the route.
    const { ports, record } = rolloutAt25('SUCCEEDED', { phase: 'PROMOTED' });

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'released a lease whose rollout had ended' }]);
    expect(ports.registry.leases.has(leaseKey)).toBe(false);
    expect(ports.router.writes).toEqual([]);
  });

  it("leaves a route a person rewrote to other nodes alone, and still ends the rollout (I5)", async () => {
    // Prepare
    const { ports, record } = rolloutAt25('ABORTED');
    ports.router.nodes.set('colorteller-v9', nodeSpec('colorteller-v9'));
    const personsRoute = [{ virtualNode: 'colorteller-v9', weight: 100, port: 9080 }];
    ports.router.editTargets(routeRef, personsRoute);

    // Act
    await reconcileRollouts(ports, settings);

    // Assess
    expect(ports.router.targets(routeRef)).toEqual(personsRoute);
    expect((await ports.registry.getRollout(record.rolloutId))?.phase).toBe('ROLLED_BACK');
  });

  describe("an operator's request", () => {
    const longAgo = '2026-11-20T12:05:00.000Z';
    const paused = { pause: { taskToken: 'pause-token', since: '2026-11-20T12:00:00.000Z' } };

    it.each([
      ['an operator aborted it', 'ABORTED', { operatorRequest: 'abort' as const, operatorRequestId: 'request-1' }, 'aborted by an operator (meshshift abort); rolled back by meshshift'],
      ['it was paused for a person', 'TIMED_OUT', paused, 'its execution timed out while the rollout was paused for a person; rolled back by the reconciler'],
    ] as const)('rolls back the rollout of an ended execution saying why when %s', async (_, state, overrides, outcome) => {
      // Prepare
      const { ports, record } = rolloutAt25(state, overrides);

      // Act
      const report = await reconcileRollouts(ports, settings);

      // Assess
      expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'rolled back: its execution ended' }]);
      expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
      expect((await ports.registry.getRollout(record.rolloutId))?.outcome).toBe(outcome);
    });

    it('rolls back and stops a rollout whose abort was written long ago while its execution still runs: the stop was lost', async () => {
      // Prepare
      const { ports, record } = rolloutAt25('RUNNING', { operatorRequest: 'abort', operatorRequestId: 'request-1', updatedAt: longAgo });

      // Act
      const report = await reconcileRollouts(ports, settings);

      // Assess
      expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'rolled back: an operator aborted it' }]);
      expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
      expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [record.executionArn, 'RolloutAbortedError', 'Rolled back: aborted by an operator (meshshift abort); rolled back by meshshift'] }]);
    });

    it('resumes a pause whose resume was written long ago and never sent', async () => {
      // Prepare
      const { ports, record } = rolloutAt25('RUNNING', { ...paused, operatorRequest: 'resume', operatorRequestId: 'request-2', updatedAt: longAgo });

      // Act
      const report = await reconcileRollouts(ports, settings);

      // Assess
      expect(report.actions).toEqual([{ rolloutId: record.rolloutId, action: 'resumed: an operator request was waiting on its pause' }]);
      expect(ports.orchestrator.calls).toEqual([{ call: 'resumeTask', args: ['pause-token', { operatorRequestId: 'request-2' }] }]);
    });

    it.each([
      ['a request younger than two minutes: the operator is still sending it', { ...paused, operatorRequest: 'resume' as const, operatorRequestId: 'request-2' }],
      ['an abort younger than two minutes', { operatorRequest: 'abort' as const, operatorRequestId: 'request-1' }],
      ['a pause waiting for a person', { ...paused, updatedAt: longAgo }],
      ['a pause asked for and not reached yet', { operatorRequest: 'pause' as const, operatorRequestId: 'request-1', updatedAt: longAgo }],
    ])('leaves alone %s', async (_, overrides) => {
      // Prepare
      const { ports } = rolloutAt25('RUNNING', overrides);

      // Act
      const report = await reconcileRollouts(ports, settings);

      // Assess
      expect(report.actions).toEqual([]);
      expect(ports.orchestrator.calls).toEqual([]);
    });
  });

  it('reports a rollout it cannot bring to a safe end, and still reconciles the others', async () => {
    // Prepare
    const { ports, record } = rolloutAt25('ABORTED');
    const other = colorAppRecord({ rolloutId: 'other', executionArn: 'arn:other', phase: 'SHIFTING', routes: [] });
    ports.registry.rollouts.set(other.rolloutId, other);
    ports.orchestrator.states.set(other.executionArn, 'ABORTED');
    ports.router.readRoute = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    };

    // Act
    const report = await reconcileRollouts(ports, settings);

    // Assess
    expect(report.needAttention).toEqual([{ rolloutId: record.rolloutId, error: 'TooManyRequestsException: Rate exceeded' }]);
    expect(report.actions).toEqual([{ rolloutId: 'other', action: 'rolled back: its execution ended' }]);
  });
});
