import { needsAttentionEvent, type RolloutEventType, rolloutEventsOf } from '../../../../functions/shared/domain/rollout-events';
import { rolloutRecord } from '../rollout-record';

const types = (events: ReturnType<typeof rolloutEventsOf>) => events.map((event) => event.detail.type);
const shifted = (canaryWeight: number, stepIndex: number) =>
  rolloutRecord({
    phase: 'SHIFTING',
    stepIndex,
    canaryWeight,
    lastWrittenTargets: {
      'colorteller-route': [
        { virtualNode: 'colorteller-v1', weight: 100 - canaryWeight },
        { virtualNode: 'colorteller-v2', weight: canaryWeight },
      ],
    },
  });
const pause = { taskToken: 'token-1', since: '2026-11-20T12:05:00.000Z', until: '2026-11-20T12:15:00.000Z', then: 'roll-back' as const };

describe('rolloutEventsOf', () => {
  it('says a rollout started when the write created its record, with the routes as it found them', () => {
    // Prepare
    const record = rolloutRecord();

    // Act
    const [started, ...rest] = rolloutEventsOf(undefined, record);

    // Assess
    expect(rest).toEqual([]);
    expect(started).toEqual({
      detailType: 'Rollout Started',
      detail: {
        version: 1,
        type: 'started',
        dedupeKey: 'default-colorteller-green-1111/started',
        rolloutId: 'default-colorteller-green-1111',
        executionArn: record.executionArn,
        provider: 'appmesh',
        cluster: 'default',
        service: 'colorteller-green',
        taskDefinitionArn: record.taskDefinitionArn,
        deploymentId: 'ecs-svc/1111',
        mesh: 'colorapp',
        router: 'colorteller-vr',
        stable: 'colorteller-v1',
        canary: 'colorteller-v2',
        routes: [{ route: 'colorteller-route', weights: [{ backend: 'colorteller-v1', weight: 100 }] }],
        step: 0,
        canaryWeight: 0,
        phase: 'PREPARING',
        occurredAt: record.updatedAt,
      },
    });
  });

  it('says traffic shifted when the canary weight changed, with the step from 1 and the weights written', () => {
    // Act
    const [event] = rolloutEventsOf(shifted(10, 0), shifted(25, 1));

    // Assess
    expect(event?.detailType).toBe('Rollout Traffic Shifted');
    expect(event?.detail).toMatchObject({
      type: 'traffic-shifted',
      dedupeKey: 'default-colorteller-green-1111/traffic-shifted/2/25',
      step: 2,
      canaryWeight: 25,
      routes: [{ route: 'colorteller-route', weights: [{ backend: 'colorteller-v1', weight: 75 }, { backend: 'colorteller-v2', weight: 25 }] }],
    });
    expect(event?.detail.previousPhase).toBeUndefined();
  });

  it('says nothing for a write that changed no phase, weight or pause (a retry, a task token, a note)', () => {
    // Prepare
    const noted = { ...shifted(25, 1), taskToken: 'token-2', updatedAt: '2026-11-20T12:09:00.000Z' };

    // Act
    const events = rolloutEventsOf(shifted(25, 1), noted);

    // Assess
    expect(events).toEqual([]);
  });

  it.each<[string, RolloutEventType, string]>([
    ['PROMOTED', 'promoted', 'Rollout Promoted'],
    ['ROLLED_BACK', 'rolled-back', 'Rollout Rolled Back'],
    ['ABANDONED', 'abandoned', 'Rollout Abandoned'],
  ])('says the rollout ended when it entered %s, once', (phase, type, detailType) => {
    // Prepare
    const before = { ...shifted(25, 1), phase: 'ROLLING_BACK' as const };
    const after = { ...shifted(25, 1), phase: phase as 'PROMOTED', outcome: 'alarm colorteller-5xx went into ALARM: Threshold Crossed' };

    // Act
    const events = rolloutEventsOf(before, after);
    const again = rolloutEventsOf(after, after);

    // Assess
    expect(events.map((event) => [event.detailType, event.detail.type, event.detail.previousPhase, event.detail.dedupeKey])).toEqual([
      [detailType, type, 'ROLLING_BACK', `default-colorteller-green-1111/${type}`],
    ]);
    expect(again).toEqual([]);
  });

  it('gives the cause of a rollback or an abandon, and the routes as restored after a rollback', () => {
    // Prepare
    const before = { ...shifted(25, 1), phase: 'ROLLING_BACK' as const, outcome: 'AlarmBreachedError: colorteller-5xx' };

    // Act
    const [rolledBack] = rolloutEventsOf(before, { ...before, phase: 'ROLLED_BACK' });
    const [abandoned] = rolloutEventsOf(shifted(25, 1), { ...shifted(25, 1), phase: 'ABANDONED', outcome: 'RouteEditedError: changed outside meshshift' });
    const [promoted] = rolloutEventsOf(shifted(100, 4), { ...shifted(100, 4), phase: 'PROMOTED', outcome: 'promoted' });

    // Assess
    expect(rolledBack?.detail).toMatchObject({ cause: 'AlarmBreachedError: colorteller-5xx', routes: [{ route: 'colorteller-route', weights: [{ backend: 'colorteller-v1', weight: 100 }] }] });
    expect(abandoned?.detail).toMatchObject({ cause: 'RouteEditedError: changed outside meshshift', canaryWeight: 25 });
    expect(promoted?.detail.cause).toBeUndefined();
  });

  it('says paused with the pause (but never its task token), and resumed once the pause is over', () => {
    // Prepare
    const running = shifted(25, 1);
    const paused = { ...running, pause };

    // Act
    const [pausedEvent, ...noMore] = rolloutEventsOf(running, paused);
    const resumed = rolloutEventsOf(paused, { ...running, pause: null });

    // Assess
    expect(noMore).toEqual([]);
    expect(pausedEvent?.detail).toMatchObject({ type: 'paused', pause: { since: pause.since, until: pause.until, then: 'roll-back' }, dedupeKey: `default-colorteller-green-1111/paused/${pause.since}` });
    expect(JSON.stringify(pausedEvent)).not.toContain('token-1');
    expect(resumed.map((event) => [event.detail.type, event.detail.dedupeKey])).toEqual([['resumed', `default-colorteller-green-1111/resumed/${pause.since}`]]);
  });

  it('says resumed before the shift that followed, in one write', () => {
    // Act
    const events = rolloutEventsOf({ ...shifted(25, 1), pause }, { ...shifted(50, 2), pause: null });

    // Assess
    expect(types(events)).toEqual(['resumed', 'traffic-shifted']);
  });

  it('does not say resumed when a paused rollout rolls back instead', () => {
    // Act
    const events = rolloutEventsOf({ ...shifted(25, 1), pause }, { ...shifted(25, 1), pause: null, phase: 'ROLLING_BACK' });

    // Assess
    expect(events).toEqual([]);
  });

  it('counts each field a writer did not know as changed: the events of the write, never fewer', () => {
    // Prepare: Retire stable writes PROMOTED without reading the record first.
    const after = { ...shifted(100, 4), phase: 'PROMOTED' as const };
    const { phase: _unknown, ...known } = after;

    // Act
    const events = rolloutEventsOf(known, after);

    // Assess
    expect(types(events)).toEqual(['promoted']);
    expect(events[0]?.detail.previousPhase).toBeUndefined();
  });

  it('tells a VPC Lattice rollout by its provider, with no mesh', () => {
    // Prepare
    const record = rolloutRecord({ provider: 'lattice', mesh: '', virtualRouter: 'svc-0123456789abcdef0' });

    // Act
    const [event] = rolloutEventsOf(undefined, record);

    // Assess
    expect(event?.detail).toMatchObject({ provider: 'lattice', router: 'svc-0123456789abcdef0' });
    expect(event?.detail.mesh).toBeUndefined();
  });
});

describe('needsAttentionEvent', () => {
  it('gives the error as the cause, the pass as the time, and the same key until the record changes', () => {
    // Prepare
    const record = shifted(25, 1);

    // Act
    const event = needsAttentionEvent(record, 'TransientAwsError: UpdateRoute throttled', '2026-11-20T12:31:00.000Z');
    const later = needsAttentionEvent(record, 'TransientAwsError: UpdateRoute throttled again', '2026-11-20T12:32:00.000Z');
    const afterAChange = needsAttentionEvent({ ...record, updatedAt: '2026-11-20T12:32:30.000Z' }, 'x', '2026-11-20T12:33:00.000Z');

    // Assess
    expect(event).toMatchObject({
      detailType: 'Rollout Needs Attention',
      detail: { type: 'needs-attention', cause: 'TransientAwsError: UpdateRoute throttled', canaryWeight: 25, occurredAt: '2026-11-20T12:31:00.000Z' },
    });
    expect(later.detail.dedupeKey).toBe(event.detail.dedupeKey);
    expect(afterAChange.detail.dedupeKey).not.toBe(event.detail.dedupeKey);
  });
});
