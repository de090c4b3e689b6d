import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isActivePhase, type RolloutPhase } from '../domain/rollout-phase';
import { type Clock, systemClock } from '../ports/clock';
import type { DeploymentNote, Registry, RolloutRecord, RouteLease } from '../ports/registry';
import { callAws, errorName } from './aws-error';

/** Ended rollouts stay readable for a month (CLI status, audits), then DynamoDB expires them. */
const retentionSeconds = 30 * 24 * 3600;
const activeRolloutsIndex = 'active-rollouts';

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
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, expiresAt: _expiresAt, ...rest } = item;
  return rest as T;
}

/**
 * The registry on one DynamoDB table. Every write that guards an invariant is conditional:
 * the route lease (I4) and the phase check before each weight shift (I7).
 */
export class DynamoDbRegistry implements Registry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + retentionSeconds;
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
      fields.expiresAt = this.expiresAt();
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

  private async indexed<T>(partition: 'ACTIVE' | 'LEASE', description: string): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await callAws(description, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: activeRolloutsIndex,
            KeyConditionExpression: 'gsi1pk = :partition',
            ExpressionAttributeValues: { ':partition': partition },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
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
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const;
