import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isActivePhase, type RolloutPhase } from '../domain/rollout-phase';
import { rolloutRetentionDays } from '../config';
import { type Clock, systemClock } from '../ports/clock';
import type { DeploymentNote, Registry, RolloutHistory, RolloutRecord, RouteLease } from '../ports/registry';
import { callAws, errorName } from './aws-error';

const activeRolloutsIndex = 'active-rollouts';
/**
 * Ended rollouts by when they ended, for `meshshift list --all`. Sparse: only an ended rollout
 * carries `gsi2pk`, so the index holds exactly the history the TTL has not yet removed.
 */
const endedRolloutsIndex = 'ended-rollouts';
const endedPartition = 'ENDED';

const keys = {
  rollout: (rolloutId: string) => ({ pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' }),
  route: (routeKey: string) => ({ pk: `ROUTE#${routeKey}`, sk: 'LEASE' }),
  alarm: (alarmName: string, rolloutId: string) => ({ pk: `ALARM#${alarmName}`, sk: `ROLLOUT#${rolloutId}` }),
  deployment: (deploymentId: string) => ({ pk: `DEPLOYMENT#${deploymentId}`, sk: 'DEPLOYMENT' }),
  deploying: ({ cluster, service, taskDefinitionArn }: Pick<RolloutRecord, 'cluster' | 'service' | 'taskDefinitionArn'>) => ({
    pk: `DEPLOYING#${cluster}/${service}`,
    sk: `TASKDEF#${taskDefinitionArn}`,
  }),
};

const conditionFailed = 'ConditionalCheckFailedException';

function withoutKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, gsi2pk: _gsi2pk, expiresAt: _expiresAt, ...rest } = item;
  return rest as T;
}

/**
 * The registry on one DynamoDB table. Every write that guards an invariant is conditional:
 * the route lease (I4) and the phase check before each weight shift (I7).
 */
export class DynamoDbRegistry implements Registry, RolloutHistory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
    private readonly retentionDays: number = rolloutRetentionDays(),
  ) {}

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + this.retentionDays * 24 * 3600;
  }

  async getRollout(rolloutId: string): Promise<RolloutRecord | undefined> {
    const output = await callAws('Registry GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.rollout(rolloutId), ConsistentRead: true })),
    );
    return withoutKeys<RolloutRecord>(output.Item);
  }

  async createRollout(record: RolloutRecord): Promise<RolloutRecord> {
    try {
      await callAws('Registry PutItem rollout', () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...record, ...keys.rollout(record.rolloutId), gsi1pk: 'ACTIVE', gsi1sk: `${record.startedAt}#${record.rolloutId}` },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== conditionFailed) throw error;
    }
    for (const alarmName of record.alarms) {
      await callAws('Registry PutItem alarm index', () =>
        this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.alarm(alarmName, record.rolloutId), rolloutId: record.rolloutId } })),
      );
    }
    await callAws('Registry PutItem deploying index', () =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.deploying(record), rolloutId: record.rolloutId } })),
    );
    return (await this.getRollout(record.rolloutId)) as RolloutRecord;
  }

  async updateRollout(
    rolloutId: string,
    changes: Partial<Omit<RolloutRecord, 'rolloutId'>>,
    onlyInPhases?: RolloutPhase[],
  ): Promise<RolloutRecord | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const fields: Record<string, unknown> = { ...changes, updatedAt: changes.updatedAt ?? this.clock.now().toISOString() };
    if (changes.phase !== undefined && !isActivePhase(changes.phase)) {
      // Moves from the active partition to the history, in the write that ends it, so a reader sees it in exactly one.
      Object.assign(fields, { endedAt: fields.updatedAt, gsi2pk: endedPartition, expiresAt: this.expiresAt() });
      removes.push('gsi1pk', 'gsi1sk');
    }
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    let condition = 'attribute_exists(pk)';
    if (onlyInPhases) {
      names['#phase'] = 'phase';
      onlyInPhases.forEach((phase, index) => (values[`:allowed${index}`] = phase));
      condition += ` AND #phase IN (${onlyInPhases.map((_, index) => `:allowed${index}`).join(', ')})`;
    }
    const expression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
    try {
      const output = await callAws('Registry UpdateItem rollout', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.rollout(rolloutId),
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      const record = withoutKeys<RolloutRecord>(output.Attributes);
      if (record && !isActivePhase(record.phase)) await this.leaveIndexes(record);
      return record;
    } catch (error) {
      if (errorName(error) === conditionFailed) return undefined;
      throw error;
    }
  }

  /**
   * An ended rollout leaves the alarm index, so the alarm path reads only rollouts it may roll back,
   * and the deploying index, so a later deployment of the same task definition gets a rollout of its own.
   */
  private async leaveIndexes(record: RolloutRecord): Promise<void> {
    for (const alarmName of record.alarms) {
      await callAws('Registry DeleteItem alarm index', () =>
        this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.alarm(alarmName, record.rolloutId) })),
      );
    }
    // A late retry of this rollout's end must not drop the entry of a newer rollout of the same task definition.
    await this.deleteIfOwnedBy('Registry DeleteItem deploying index', keys.deploying(record), record.rolloutId);
  }

  async acquireRoute(lease: RouteLease): Promise<{ acquired: true } | { acquired: false; holder: RouteLease }> {
    try {
      await this.putLease(lease, 'attribute_not_exists(pk) OR rolloutId = :rolloutId', { ':rolloutId': lease.rolloutId });
      return { acquired: true };
    } catch (error) {
      if (errorName(error) !== conditionFailed) throw error;
    }
    const output = await callAws('Registry GetItem lease', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.route(lease.routeKey), ConsistentRead: true })),
    );
    const holder = withoutKeys<RouteLease>(output.Item);
    // Released between our put and our read: the route is free now, so try once more.
    if (!holder) return this.acquireRoute(lease);
    return { acquired: false, holder };
  }

  async takeOverRoute(lease: RouteLease, previousRolloutId: string): Promise<boolean> {
    try {
      await this.putLease(lease, 'rolloutId = :previous', { ':previous': previousRolloutId });
      return true;
    } catch (error) {
      if (errorName(error) === conditionFailed) return false;
      throw error;
    }
  }

  async releaseRoute(routeKey: string, rolloutId: string): Promise<void> {
    await this.deleteIfOwnedBy('Registry DeleteItem lease', keys.route(routeKey), rolloutId);
  }

  async rolloutIdsWatching(alarmName: string): Promise<string[]> {
    const output = await callAws('Registry Query alarm index', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `ALARM#${alarmName}` },
          ConsistentRead: true,
        }),
      ),
    );
    return (output.Items ?? []).map((item) => String(item.rolloutId));
  }

  async rolloutIdDeploying(cluster: string, service: string, taskDefinitionArn: string): Promise<string | undefined> {
    const output = await callAws('Registry GetItem deploying index', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.deploying({ cluster, service, taskDefinitionArn }), ConsistentRead: true })),
    );
    return output.Item ? String(output.Item.rolloutId) : undefined;
  }

  async noteDeployment(note: DeploymentNote): Promise<DeploymentNote> {
    const fields = Object.entries(note).filter(([field, value]) => field !== 'deploymentId' && value !== undefined);
    const output = await callAws('Registry UpdateItem deployment', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.deployment(note.deploymentId),
          UpdateExpression: `SET deploymentId = :deploymentId, expiresAt = :expiresAt${fields.map(([field]) => `, #${field} = :${field}`).join('')}`,
          ExpressionAttributeNames: fields.length ? Object.fromEntries(fields.map(([field]) => [`#${field}`, field])) : undefined,
          ExpressionAttributeValues: {
            ':deploymentId': note.deploymentId,
            ':expiresAt': this.expiresAt(),
            ...Object.fromEntries(fields.map(([field, value]) => [`:${field}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return withoutKeys<DeploymentNote>(output.Attributes) as DeploymentNote;
  }

  async activeRollouts(): Promise<RolloutRecord[]> {
    return this.indexed<RolloutRecord>('ACTIVE', 'Registry Query active rollouts');
  }

  async heldLeases(): Promise<RouteLease[]> {
    return this.indexed<RouteLease>('LEASE', 'Registry Query held leases');
  }

  async endedRollouts(since?: Date): Promise<RolloutRecord[]> {
    return this.query<RolloutRecord>('Registry Query ended rollouts', {
      IndexName: endedRolloutsIndex,
      KeyConditionExpression: since ? 'gsi2pk = :partition AND endedAt >= :since' : 'gsi2pk = :partition',
      ExpressionAttributeValues: { ':partition': endedPartition, ...(since ? { ':since': since.toISOString() } : {}) },
      ScanIndexForward: false,
    });
  }

  private async indexed<T>(partition: 'ACTIVE' | 'LEASE', description: string): Promise<T[]> {
    return this.query<T>(description, {
      IndexName: activeRolloutsIndex,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
    });
  }

  private async query<T>(description: string, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await callAws(description, () => this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey })));
      items.push(...(output.Items ?? []).map((item) => withoutKeys<T>(item) as T));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async deleteIfOwnedBy(operation: string, key: { pk: string; sk: string }, rolloutId: string): Promise<void> {
    try {
      await callAws(operation, () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: key,
            ConditionExpression: 'rolloutId = :rolloutId',
            ExpressionAttributeValues: { ':rolloutId': rolloutId },
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== conditionFailed) throw error;
    }
  }

  private async putLease(lease: RouteLease, condition: string, values: Record<string, unknown>): Promise<void> {
    await callAws('Registry PutItem lease', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          // Leases share the sparse index with active rollouts, under their own key, so the reconciler finds them all.
          Item: { ...lease, ...keys.route(lease.routeKey), gsi1pk: 'LEASE', gsi1sk: lease.routeKey },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}

/** The table's key schema, shared by the SAM template's twin and the local stack's dynalite. */
export const registryTableDefinition = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
    { AttributeName: 'gsi2pk', AttributeType: 'S' },
    { AttributeName: 'endedAt', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: activeRolloutsIndex,
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: endedRolloutsIndex,
      KeySchema: [
        { AttributeName: 'gsi2pk', KeyType: 'HASH' },
        { AttributeName: 'endedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const;
