import { AlarmBreachedError, ResourceMissingError } from '../../../../functions/shared/domain/errors';
import { pauseOrder } from '../../../../functions/shared/domain/health-decision';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import {
  OperatorRequestRefusedError,
  parkRollout,
  requestAbort,
  requestPause,
  requestPromote,
  requestResume,
} from '../../../../functions/shared/use-cases/operator-request';
import { colorAppPorts, colorAppRecord, colorAppRollout } from './color-app';

const pausedSince = '2026-11-20T12:00:00.000Z';

/** A rollout in `overrides.phase` (SHIFTING by default), and the operator's ports onto it. */
function operatorOn(overrides: Partial<RolloutRecord> = {}) {
  const { registry, orchestrator } = colorAppPorts();
  const record = colorAppRecord({ phase: 'SHIFTING', stepIndex: 0, canaryWeight: 10, ...overrides });
  registry.rollouts.set(record.rolloutId, record);
  return { ports: { registry, orchestrator }, registry, orchestrator, record };
}

const paused = { pause: { taskToken: 'pause-token', since: pausedSince } };

describe('requestPause', () => {
  it('records the request for the end of the bake in progress, and calls nothing but the registry', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn();

    // Act
    const result = await requestPause(record.rolloutId, ports);

    // Assess
    expect(result).toEqual({ rolloutId: record.rolloutId, request: 'pause', outcome: 'at-step-end', phase: 'SHIFTING', message: `Rollout ${record.rolloutId} will pause when the bake in progress ends` });
    expect(await registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ operatorRequest: 'pause', operatorRequestId: expect.any(String) }));
    expect(orchestrator.calls).toEqual([]);
  });

  it.each([
    ['asked for already', { operatorRequest: 'pause' as const, operatorRequestId: 'request-1' }, 'will already pause when the bake in progress ends; nothing changed'],
    ['paused already', paused, `is already paused since ${pausedSince}; nothing changed`],
  ])('changes nothing when %s', async (_, state, message) => {
    // Prepare
    const { ports, record, registry } = operatorOn(state);

    // Act
    const result = await requestPause(record.rolloutId, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ outcome: 'unchanged', message: `Rollout ${record.rolloutId} ${message}` }));
    expect(registry.writes).toEqual([]);
  });

  it('refuses while an abort is pending', async () => {
    // Prepare
    const { ports, record, registry } = operatorOn({ operatorRequest: 'abort', operatorRequestId: 'request-1' });

    // Act
    const pause = requestPause(record.rolloutId, ports);

    // Assess
    await expect(pause).rejects.toThrow(`Rollout ${record.rolloutId} is being aborted: pause refused; nothing changed`);
    expect(registry.writes).toEqual([]);
  });
});

describe('requestResume', () => {
  it('moves a paused rollout on at once through the token its pause stored', async () => {
    // Prepare
    const { ports, record, orchestrator } = operatorOn(paused);

    // Act
    const result = await requestResume(record.rolloutId, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ outcome: 'now', message: `Rollout ${record.rolloutId} resumed: it moves on to its next step now` }));
    expect(orchestrator.calls).toEqual([{ call: 'resumeTask', args: ['pause-token', { operatorRequestId: expect.any(String) }] }]);
  });

  it('withdraws a pause asked for and not reached yet, calling nothing but the registry', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn({ operatorRequest: 'pause', operatorRequestId: 'request-1' });

    // Act
    const result = await requestResume(record.rolloutId, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ outcome: 'now', message: `Rollout ${record.rolloutId} will not pause: the pause asked for is withdrawn` }));
    expect((await registry.getRollout(record.rolloutId))?.operatorRequest).toBe('resume');
    expect(orchestrator.calls).toEqual([]);
  });

  it('changes nothing on a rollout that is not paused', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn();

    // Act
    const result = await requestResume(record.rolloutId, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ outcome: 'unchanged', message: `Rollout ${record.rolloutId} is not paused; nothing to resume; nothing changed` }));
    expect(registry.writes).toEqual([]);
    expect(orchestrator.calls).toEqual([]);
  });

  it('writes nothing the second time, and resumes the token again in case the first process died before it did', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn(paused);
    await requestResume(record.rolloutId, ports);
    const writes = [...registry.writes];

    // Act
    const again = await requestResume(record.rolloutId, ports);

    // Assess
    expect(again.outcome).toBe('unchanged');
    expect(registry.writes).toEqual(writes);
    expect(orchestrator.calls.map((call) => call.call)).toEqual(['resumeTask', 'resumeTask']);
  });
});

describe('requestPromote', () => {
  it.each([
    [false, 'promote', 'moves on to its next step'],
    [true, 'promote-full', 'promotes the canary to 100 %'],
  ])('with full %s during a bake acts when the bake ends', async (full, request, target) => {
    // Prepare
    const { ports, record, orchestrator } = operatorOn();

    // Act
    const result = await requestPromote(record.rolloutId, { full }, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ request, outcome: 'at-step-end', message: `Rollout ${record.rolloutId} ${target} when the bake in progress ends` }));
    expect(orchestrator.calls).toEqual([]);
  });

  it('moves a paused rollout on at once', async () => {
    // Prepare
    const { ports, record, orchestrator } = operatorOn(paused);

    // Act
    const result = await requestPromote(record.rolloutId, { full: true }, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ request: 'promote-full', outcome: 'now' }));
    expect(orchestrator.calls).toEqual([{ call: 'resumeTask', args: ['pause-token', { operatorRequestId: expect.any(String) }] }]);
  });

  it('changes nothing the second time while the first is pending', async () => {
    // Prepare
    const { ports, record, registry } = operatorOn();
    await requestPromote(record.rolloutId, { full: false }, ports);
    const stored = await registry.getRollout(record.rolloutId);

    // Act
    const again = await requestPromote(record.rolloutId, { full: false }, ports);

    // Assess
    expect(again.outcome).toBe('unchanged');
    expect(await registry.getRollout(record.rolloutId)).toEqual(stored);
  });

  it('refuses when the rollout began rolling back between its read and its write', async () => {
    // Prepare
    const { ports, record, registry } = operatorOn();
    registry.beforeUpdate = (rolloutId) => registry.setPhase(rolloutId, 'ROLLING_BACK');

    // Act
    const promote = requestPromote(record.rolloutId, { full: false }, ports);

    // Assess
    await expect(promote).rejects.toThrow(OperatorRequestRefusedError);
    await expect(promote).rejects.toThrow(`Rollout ${record.rolloutId} is ROLLING_BACK: promote refused; nothing changed`);
  });
});

describe('requestAbort', () => {
  it('records the request and stops a baking execution, so the reconciler rolls back at once', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn();

    // Act
    const result = await requestAbort(record.rolloutId, ports);

    // Assess
    expect(result).toEqual(expect.objectContaining({ request: 'abort', outcome: 'now', message: `Rollout ${record.rolloutId} is rolling back now: meshshift restores its routes and retires the canary` }));
    expect((await registry.getRollout(record.rolloutId))?.operatorRequest).toBe('abort');
    expect(orchestrator.calls).toEqual([{ call: 'stop', args: [record.executionArn, 'RolloutAbortedError', 'Rolled back: aborted by an operator (meshshift abort)'] }]);
  });

  it.each([
    ['paused', paused, 'pause-token'],
    ['waiting for its canary tasks', { phase: 'WAITING_FOR_CANARY' as const, taskToken: 'canary-token' }, 'canary-token'],
  ])('fails the parked task of a rollout %s, so the state machine rolls back', async (_, state, token) => {
    // Prepare
    const { ports, record, orchestrator } = operatorOn(state);

    // Act
    await requestAbort(record.rolloutId, ports);

    // Assess
    expect(orchestrator.calls).toEqual([{ call: 'failTask', args: [token, 'RolloutAbortedError', 'Rolled back: aborted by an operator (meshshift abort)'] }]);
  });

  it('writes nothing the second time, and stops the execution again in case the first process died before it did', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn();
    await requestAbort(record.rolloutId, ports);
    const writes = [...registry.writes];

    // Act
    const again = await requestAbort(record.rolloutId, ports);

    // Assess
    expect(again).toEqual(expect.objectContaining({ outcome: 'unchanged', message: `Rollout ${record.rolloutId} is already being aborted; nothing changed` }));
    expect(registry.writes).toEqual(writes);
    expect(orchestrator.calls.map((call) => call.call)).toEqual(['stop', 'stop']);
  });

  it.each(['ROLLING_BACK', 'ROLLED_BACK'] as const)('changes nothing and calls nothing on a rollout %s', async (phase) => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn({ phase });

    // Act
    const result = await requestAbort(record.rolloutId, ports);

    // Assess
    expect(result.outcome).toBe('unchanged');
    expect(registry.writes).toEqual([]);
    expect(orchestrator.calls).toEqual([]);
  });
});

describe('every request', () => {
  const requests = {
    pause: requestPause,
    resume: requestResume,
    promote: (rolloutId: string, ports: Parameters<typeof requestPause>[1]) => requestPromote(rolloutId, { full: false }, ports),
    'promote-full': (rolloutId: string, ports: Parameters<typeof requestPause>[1]) => requestPromote(rolloutId, { full: true }, ports),
    abort: requestAbort,
  };

  it.each(Object.entries(requests))('%s on a promoted rollout is refused, naming its end, and changes nothing', async (name, request) => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn({ phase: 'PROMOTED' });

    // Act
    const attempt = request(record.rolloutId, ports);

    // Assess
    await expect(attempt).rejects.toThrow(OperatorRequestRefusedError);
    await expect(attempt).rejects.toThrow(`Rollout ${record.rolloutId} already ended PROMOTED: ${name} refused; nothing changed`);
    expect(registry.writes).toEqual([]);
    expect(orchestrator.calls).toEqual([]);
  });

  it.each(Object.entries(requests))('%s on a rollout that does not exist says so', async (_, request) => {
    // Prepare
    const { ports } = operatorOn();

    // Act
    const attempt = request('nope', ports);

    // Assess
    await expect(attempt).rejects.toThrow(ResourceMissingError);
    await expect(attempt).rejects.toThrow('No rollout nope in the registry');
  });
});

describe('parkRollout', () => {
  const now = new Date('2026-11-20T12:00:00.000Z');

  it('stores the token, and until when and what then for a pause that ends by itself, and waits', async () => {
    // Prepare
    const { ports, record, registry, orchestrator } = operatorOn();

    // Act
    const pause = await parkRollout(colorAppRollout({ pause: pauseOrder('policy', { seconds: 600, then: 'roll-back' }) }), 'pause-token', now, ports);

    // Assess
    expect(pause).toEqual({ taskToken: 'pause-token', since: '2026-11-20T12:00:00.000Z', until: '2026-11-20T12:10:00.000Z', then: 'roll-back' });
    expect((await registry.getRollout(record.rolloutId))?.pause).toEqual(pause);
    expect(orchestrator.calls).toEqual([]);
  });

  it('ends the pause itself when a request came while the check decided to pause', async () => {
    // Prepare: the operator found no token yet, so only wrote the request.
    const { ports, record, orchestrator } = operatorOn();
    await requestPromote(record.rolloutId, { full: false }, ports);

    // Act
    await parkRollout(colorAppRollout({ pause: pauseOrder('operator', { then: 'stay' }) }), 'pause-token', now, ports);

    // Assess
    expect(orchestrator.calls).toEqual([{ call: 'resumeTask', args: ['pause-token', { operatorRequestId: expect.any(String) }] }]);
  });

  it('does not park a rollout that began rolling back', async () => {
    // Prepare
    const { ports } = operatorOn({ phase: 'ROLLING_BACK' });

    // Act
    const park = parkRollout(colorAppRollout({ pause: pauseOrder('operator', { then: 'stay' }) }), 'pause-token', now, ports);

    // Assess
    await expect(park).rejects.toThrow(AlarmBreachedError);
  });
});
