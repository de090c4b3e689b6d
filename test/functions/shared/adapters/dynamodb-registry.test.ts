import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRegistry } from '../../../../functions/shared/adapters/dynamodb-registry';
import { LocalRegistryServer } from '../local-registry';
import { rolloutRecord } from '../rollout-record';

let server: LocalRegistryServer;
let registry: DynamoDbRegistry;
let tableName: string;

beforeAll(async () => {
  server = await LocalRegistryServer.start();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(async () => {
  ({ registry, tableName } = await server.registry());
});

const routeKey = 'colorapp/colorteller-vr/colorteller-route';

async function storedRollout() {
  return (await server.documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: `ROLLOUT#${rolloutRecord().rolloutId}`, sk: 'ROLLOUT' } }))).Item;
}

/** Builds with ROLLOUT_RETENTION_DAYS set as given (unset for undefined), as a function reads it at load. */
function withRetentionSetting<T>(setting: string | undefined, build: () => T): T {
  const saved = process.env.ROLLOUT_RETENTION_DAYS;
  if (setting === undefined) delete process.env.ROLLOUT_RETENTION_DAYS;
  else process.env.ROLLOUT_RETENTION_DAYS = setting;
  try {
    return build();
  } finally {
    if (saved === undefined) delete process.env.ROLLOUT_RETENTION_DAYS;
    else process.env.ROLLOUT_RETENTION_DAYS = saved;
  }
}

function lease(rolloutId: string, startedAt = '2026-11-20T12:00:00.000Z') {
  return { routeKey, rolloutId, startedAt };
}

describe('DynamoDbRegistry rollouts', () => {
  it('reads back a created rollout without the table keys', async () => {
    // Prepare
    const record = rolloutRecord();

    // Act
    const created = await registry.createRollout(record);
    const read = await registry.getRollout(record.rolloutId);

    // Assess
    expect(created).toEqual(record);
    expect(read).toEqual(record);
  });

  it('knows no rollout it never stored', async () => {
    // Act
    const read = await registry.getRollout('nope');

    // Assess
    expect(read).toBeUndefined();
  });

  it('keeps the first snapshot when a retry creates the rollout again (I3)', async () => {
    // Prepare
    const first = rolloutRecord();
    await registry.createRollout(first);
    const retry = rolloutRecord({ originalTargets: { 'colorteller-route': [{ virtualNode: 'colorteller-v2', weight: 100 }] } });

    // Act
    const stored = await registry.createRollout(retry);

    // Assess
    expect(stored.originalTargets).toEqual(first.originalTargets);
    expect(await registry.getRollout(first.rolloutId)).toEqual(first);
  });

  it('updates the given fields, stamps updatedAt and keeps the rest', async () => {
    // Prepare
    const record = rolloutRecord();
    await registry.createRollout(record);
    const lastWrittenTargets = {
      'colorteller-route': [
        { virtualNode: 'colorteller-v1', weight: 90 },
        { virtualNode: 'colorteller-v2', weight: 10 },
      ],
    };

    // Act
    const updated = await registry.updateRollout(record.rolloutId, { phase: 'SHIFTING', stepIndex: 0, canaryWeight: 10, lastWrittenTargets });

    // Assess
    expect(updated).toEqual({ ...record, phase: 'SHIFTING', stepIndex: 0, canaryWeight: 10, lastWrittenTargets, updatedAt: expect.any(String) });
    expect(updated?.updatedAt).not.toBe(record.updatedAt);
    expect(await registry.getRollout(record.rolloutId)).toEqual(updated);
  });

  it('writes only in the allowed phases, so a late shift cannot undo a rollback (I7)', async () => {
    // Prepare
    const record = rolloutRecord({ phase: 'ROLLING_BACK' });
    await registry.createRollout(record);

    // Act
    const updated = await registry.updateRollout(record.rolloutId, { phase: 'SHIFTING', canaryWeight: 50 }, ['PREPARING', 'WAITING_FOR_CANARY', 'SHIFTING']);

    // Assess
    expect(updated).toBeUndefined();
    expect(await registry.getRollout(record.rolloutId)).toEqual(record);
  });

  it('writes when the phase is one of the allowed ones', async () => {
    // Prepare
    const record = rolloutRecord({ phase: 'WAITING_FOR_CANARY' });
    await registry.createRollout(record);

    // Act
    const updated = await registry.updateRollout(record.rolloutId, { phase: 'SHIFTING' }, ['PREPARING', 'WAITING_FOR_CANARY']);

    // Assess
    expect(updated?.phase).toBe('SHIFTING');
  });

  it('creates nothing when updating a rollout that does not exist', async () => {
    // Act
    const updated = await registry.updateRollout('ghost', { phase: 'ROLLED_BACK' });

    // Assess
    expect(updated).toBeUndefined();
    expect(await registry.getRollout('ghost')).toBeUndefined();
  });

  it('lists active rollouts oldest first and drops those that ended', async () => {
    // Prepare
    const older = rolloutRecord({ rolloutId: 'older', startedAt: '2026-11-20T10:00:00.000Z' });
    const newer = rolloutRecord({ rolloutId: 'newer', startedAt: '2026-11-20T11:00:00.000Z' });
    const ended = rolloutRecord({ rolloutId: 'ended', startedAt: '2026-11-20T09:00:00.000Z' });
    for (const record of [newer, ended, older]) await registry.createRollout(record);

    // Act
    await registry.updateRollout('ended', { phase: 'ROLLED_BACK', outcome: 'alarm' });
    const active = await registry.activeRollouts();

    // Assess
    expect(active.map((record) => record.rolloutId)).toEqual(['older', 'newer']);
    expect(await registry.getRollout('ended')).toEqual(expect.objectContaining({ phase: 'ROLLED_BACK', outcome: 'alarm' }));
  });

  it('sets an expiry on an ended rollout so DynamoDB removes it after the retention, and hides the keys from readers', async () => {
    // Prepare
    const endedAt = new Date('2026-11-22T10:00:00.000Z');
    const clocked = new DynamoDbRegistry(server.documentClient, tableName, { now: () => endedAt }, 7);
    await clocked.createRollout(rolloutRecord());

    // Act
    const ended = await clocked.updateRollout(rolloutRecord().rolloutId, { phase: 'PROMOTED' });

    // Assess
    const item = await storedRollout();
    expect(item?.expiresAt).toBe(endedAt.getTime() / 1000 + 7 * 24 * 3600);
    expect(item?.gsi1pk).toBeUndefined();
    expect(ended).not.toHaveProperty('expiresAt');
    expect(ended).not.toHaveProperty('gsi2pk');
    expect(ended?.endedAt).toBe('2026-11-22T10:00:00.000Z');
  });

  it.each([
    [undefined, 90],
    ['30', 30],
  ])('keeps ended rollouts ROLLOUT_RETENTION_DAYS=%s days', async (setting, days) => {
    // Prepare
    const now = new Date('2026-11-22T10:00:00.000Z');
    const clocked = withRetentionSetting(setting, () => new DynamoDbRegistry(server.documentClient, tableName, { now: () => now }));
    await clocked.createRollout(rolloutRecord());

    // Act
    await clocked.updateRollout(rolloutRecord().rolloutId, { phase: 'ROLLED_BACK' });

    // Assess
    expect((await storedRollout())?.expiresAt).toBe(now.getTime() / 1000 + days * 24 * 3600);
  });

  it.each(['0', '1.5', 'ninety'])('refuses ROLLOUT_RETENTION_DAYS=%s when built, before any call', (setting) => {
    // Act
    const build = () => withRetentionSetting(setting, () => new DynamoDbRegistry(server.documentClient, tableName));

    // Assess
    expect(build).toThrow(`ROLLOUT_RETENTION_DAYS "${setting}" must be a whole number of days, at least 1`);
  });

  it('indexes the rollout under each alarm it watches', async () => {
    // Prepare
    await registry.createRollout(rolloutRecord({ rolloutId: 'a', alarms: ['5xx', 'latency'] }));
    await registry.createRollout(rolloutRecord({ rolloutId: 'b', alarms: ['5xx'] }));

    // Act
    const watching5xx = await registry.rolloutIdsWatching('5xx');
    const watchingLatency = await registry.rolloutIdsWatching('latency');
    const watchingNothing = await registry.rolloutIdsWatching('cpu');

    // Assess
    expect(watching5xx.sort()).toEqual(['a', 'b']);
    expect(watchingLatency).toEqual(['a']);
    expect(watchingNothing).toEqual([]);
  });

  it('drops an ended rollout from the alarm index, so the alarm path never reads history', async () => {
    // Prepare
    await registry.createRollout(rolloutRecord({ rolloutId: 'a', alarms: ['5xx', 'latency'] }));
    await registry.createRollout(rolloutRecord({ rolloutId: 'b', alarms: ['5xx'] }));

    // Act
    await registry.updateRollout('a', { phase: 'ROLLED_BACK' });

    // Assess
    expect(await registry.rolloutIdsWatching('5xx')).toEqual(['b']);
    expect(await registry.rolloutIdsWatching('latency')).toEqual([]);
  });
});

describe('DynamoDbRegistry history of ended rollouts', () => {
  async function endAt(rolloutId: string, at: string, phase: 'PROMOTED' | 'ROLLED_BACK' = 'PROMOTED') {
    const clocked = new DynamoDbRegistry(server.documentClient, tableName, { now: () => new Date(at) });
    await clocked.createRollout(rolloutRecord({ rolloutId }));
    await clocked.updateRollout(rolloutId, { phase });
  }

  it('lists ended rollouts newest end first, and none that is still active', async () => {
    // Prepare
    await endAt('first', '2026-11-20T10:00:00.000Z');
    await endAt('second', '2026-11-21T10:00:00.000Z', 'ROLLED_BACK');
    await registry.createRollout(rolloutRecord({ rolloutId: 'active' }));

    // Act
    const ended = await registry.endedRollouts();

    // Assess
    expect(ended.map((record) => [record.rolloutId, record.phase, record.endedAt])).toEqual([
      ['second', 'ROLLED_BACK', '2026-11-21T10:00:00.000Z'],
      ['first', 'PROMOTED', '2026-11-20T10:00:00.000Z'],
    ]);
    expect(ended[0]).not.toHaveProperty('gsi2pk');
  });

  it('lists only those that ended at or after since', async () => {
    // Prepare
    await endAt('older', '2026-11-20T09:59:59.999Z');
    await endAt('at-since', '2026-11-20T10:00:00.000Z');

    // Act
    const ended = await registry.endedRollouts(new Date('2026-11-20T10:00:00.000Z'));

    // Assess
    expect(ended.map((record) => record.rolloutId)).toEqual(['at-since']);
  });
});

describe('DynamoDbRegistry deploying index', () => {
  const { cluster, service, taskDefinitionArn } = rolloutRecord();

  async function storedEntry() {
    const key = { pk: `DEPLOYING#${cluster}/${service}`, sk: `TASKDEF#${taskDefinitionArn}` };
    return (await server.documentClient.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
  }

  it('files a created rollout under its cluster, service and task definition, and finds it there', async () => {
    // Act
    await registry.createRollout(rolloutRecord({ rolloutId: 'manual-1' }));

    // Assess
    expect(await storedEntry()).toEqual(expect.objectContaining({ rolloutId: 'manual-1' }));
    expect(await registry.rolloutIdDeploying(cluster, service, taskDefinitionArn)).toBe('manual-1');
    expect(await registry.rolloutIdDeploying(cluster, service, `${taskDefinitionArn}0`)).toBeUndefined();
    expect(await registry.rolloutIdDeploying(cluster, 'other-service', taskDefinitionArn)).toBeUndefined();
    expect(await registry.rolloutIdDeploying('other-cluster', service, taskDefinitionArn)).toBeUndefined();
  });

  it('still finds the rollout when a retry creates it again', async () => {
    // Prepare
    await registry.createRollout(rolloutRecord({ rolloutId: 'manual-1' }));

    // Act
    await registry.createRollout(rolloutRecord({ rolloutId: 'manual-1' }));

    // Assess
    expect(await registry.rolloutIdDeploying(cluster, service, taskDefinitionArn)).toBe('manual-1');
  });

  it('drops an ended rollout, so a redeploy of its task definition gets a rollout of its own', async () => {
    // Prepare
    await registry.createRollout(rolloutRecord({ rolloutId: 'manual-1' }));

    // Act
    await registry.updateRollout('manual-1', { phase: 'PROMOTED', outcome: 'promoted' });

    // Assess
    expect(await storedEntry()).toBeUndefined();
    expect(await registry.rolloutIdDeploying(cluster, service, taskDefinitionArn)).toBeUndefined();
  });

  it('keeps the entry of a newer rollout of the same task definition when an older one ends late', async () => {
    // Prepare
    await registry.createRollout(rolloutRecord({ rolloutId: 'older' }));
    await registry.createRollout(rolloutRecord({ rolloutId: 'newer', startedAt: '2026-11-20T13:00:00.000Z' }));

    // Act
    await registry.updateRollout('older', { phase: 'ROLLED_BACK' });

    // Assess
    expect(await registry.rolloutIdDeploying(cluster, service, taskDefinitionArn)).toBe('newer');
  });
});

describe('DynamoDbRegistry route leases (I4)', () => {
  it('gives a free route to the first rollout that asks', async () => {
    // Act
    const attempt = await registry.acquireRoute(lease('r1'));

    // Assess
    expect(attempt).toEqual({ acquired: true });
  });

  it('gives the route again to the rollout that holds it, so a retry of Prepare goes through', async () => {
    // Prepare
    await registry.acquireRoute(lease('r1'));

    // Act
    const again = await registry.acquireRoute(lease('r1'));

    // Assess
    expect(again).toEqual({ acquired: true });
  });

  it('names the holder to any other rollout', async () => {
    // Prepare
    await registry.acquireRoute(lease('r1', '2026-11-20T12:00:00.000Z'));

    // Act
    const attempt = await registry.acquireRoute(lease('r2', '2026-11-20T13:00:00.000Z'));

    // Assess
    expect(attempt).toEqual({ acquired: false, holder: lease('r1', '2026-11-20T12:00:00.000Z') });
  });

  it('moves the lease only from the holder named as previous', async () => {
    // Prepare
    await registry.acquireRoute(lease('r1'));

    // Act
    const fromWrongHolder = await registry.takeOverRoute(lease('r3'), 'r2');
    const fromHolder = await registry.takeOverRoute(lease('r2'), 'r1');

    // Assess
    expect(fromWrongHolder).toBe(false);
    expect(fromHolder).toBe(true);
    expect(await registry.acquireRoute(lease('r1'))).toEqual({ acquired: false, holder: lease('r2') });
  });

  it('does not take over a route nobody holds', async () => {
    // Act
    const taken = await registry.takeOverRoute(lease('r2'), 'r1');

    // Assess
    expect(taken).toBe(false);
  });

  it('lets only the holder release the route', async () => {
    // Prepare
    await registry.acquireRoute(lease('r1'));

    // Act
    await registry.releaseRoute(routeKey, 'r2');
    const afterStranger = await registry.acquireRoute(lease('r3'));
    await registry.releaseRoute(routeKey, 'r1');
    const afterHolder = await registry.acquireRoute(lease('r3'));

    // Assess
    expect(afterStranger).toEqual({ acquired: false, holder: lease('r1') });
    expect(afterHolder).toEqual({ acquired: true });
  });

  it('gives a contested route to exactly one of 20 concurrent rollouts', async () => {
    // Prepare
    const rolloutIds = Array.from({ length: 20 }, (_, index) => `rollout-${index}`);

    // Act
    const attempts = await Promise.all(rolloutIds.map((rolloutId) => registry.acquireRoute(lease(rolloutId))));

    // Assess
    const winners = rolloutIds.filter((_, index) => attempts[index]?.acquired);
    expect(winners).toHaveLength(1);
    for (const attempt of attempts) {
      if (!attempt.acquired) expect(attempt.holder.rolloutId).toBe(winners[0]);
    }
  });

  it('keeps leases of different routes apart', async () => {
    // Prepare
    await registry.acquireRoute(lease('r1'));

    // Act
    const other = await registry.acquireRoute({ ...lease('r2'), routeKey: 'colorapp/colorteller-vr/other-route' });

    // Assess
    expect(other).toEqual({ acquired: true });
  });
});

describe('DynamoDbRegistry deployment notes', () => {
  it('merges what two calls know, whichever comes first', async () => {
    // Act
    const eventFirst = [
      await registry.noteDeployment({ deploymentId: 'ecs-svc/1', state: 'COMPLETED', reason: 'steady' }),
      await registry.noteDeployment({ deploymentId: 'ecs-svc/1', rolloutId: 'r1' }),
    ];
    const rolloutFirst = [
      await registry.noteDeployment({ deploymentId: 'ecs-svc/2', rolloutId: 'r2' }),
      await registry.noteDeployment({ deploymentId: 'ecs-svc/2', state: 'FAILED', reason: 'tasks failed' }),
    ];

    // Assess
    expect(eventFirst[1]).toEqual({ deploymentId: 'ecs-svc/1', state: 'COMPLETED', reason: 'steady', rolloutId: 'r1' });
    expect(rolloutFirst[1]).toEqual({ deploymentId: 'ecs-svc/2', rolloutId: 'r2', state: 'FAILED', reason: 'tasks failed' });
  });

  it('does not erase a field a later call leaves undefined', async () => {
    // Prepare
    await registry.noteDeployment({ deploymentId: 'ecs-svc/3', rolloutId: 'r3' });

    // Act
    const note = await registry.noteDeployment({ deploymentId: 'ecs-svc/3', rolloutId: undefined, reason: undefined });

    // Assess
    expect(note).toEqual({ deploymentId: 'ecs-svc/3', rolloutId: 'r3' });
  });

  it('returns just the id for a deployment noted with nothing else', async () => {
    // Act
    const note = await registry.noteDeployment({ deploymentId: 'ecs-svc/4' });

    // Assess
    expect(note).toEqual({ deploymentId: 'ecs-svc/4' });
  });
});

describe('DynamoDbRegistry held leases', () => {
  it('lists every lease held, whoever holds it, and none once released', async () => {
    // Prepare
    const otherRoute = 'colorapp/colorteller-vr/colorteller-route-2';
    await registry.acquireRoute(lease('rollout-a'));
    await registry.acquireRoute({ routeKey: otherRoute, rolloutId: 'rollout-b', startedAt: '2026-11-20T12:01:00.000Z' });

    // Act
    const held = await registry.heldLeases();
    await registry.releaseRoute(routeKey, 'rollout-a');
    const afterRelease = await registry.heldLeases();

    // Assess
    expect(held.sort((a, b) => a.routeKey.localeCompare(b.routeKey))).toEqual([
      lease('rollout-a'),
      { routeKey: otherRoute, rolloutId: 'rollout-b', startedAt: '2026-11-20T12:01:00.000Z' },
    ]);
    expect(afterRelease).toEqual([{ routeKey: otherRoute, rolloutId: 'rollout-b', startedAt: '2026-11-20T12:01:00.000Z' }]);
    expect(await registry.activeRollouts()).toEqual([]);
  });
});
