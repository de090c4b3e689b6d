import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/abandon-rollout/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  deployingIndexKey,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutRecord,
  routeLeaseKey,
  tableName,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-abandon-rollout');
const editMessage =
  'Route colorteller-route was changed outside meshshift: it holds colorteller-v1=50, colorteller-v3=50, but meshshift last wrote colorteller-v1=90, colorteller-v2=10. The rollout stops and leaves the route as it is.';

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
});

describe('abandon-rollout handler', () => {
  it('marks the rollout ABANDONED and frees its lease without touching route, nodes or services', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord()));
    const event = { rolloutId, failure: { Error: 'RouteEditedError', Cause: JSON.stringify({ errorType: 'RouteEditedError', errorMessage: editMessage }) } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ error: 'RouteEditedError', cause: `Rollout ${rolloutId} stopped without touching the route or the nodes. ${editMessage}` });
    expect(awsCalls()).toEqual(['dynamo.UpdateCommand', 'dynamo.DeleteCommand', 'dynamo.DeleteCommand', 'dynamo.DeleteCommand']);
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: tableName,
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1, :allowed2, :allowed3)',
      ExpressionAttributeValues: expect.objectContaining({ ':phase': 'ABANDONED', ':outcome': editMessage }),
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: tableName,
      Key: { pk: `ROUTE#${routeLeaseKey}`, sk: 'LEASE' },
      ExpressionAttributeValues: { ':rolloutId': rolloutId },
    });
    expect(table.rollout()).toMatchObject({ phase: 'ABANDONED', outcome: editMessage });
    expect(table.rollout()).not.toHaveProperty('gsi1pk');
    expect(table.item(`ROUTE#${routeLeaseKey}`, 'LEASE')).toBeUndefined();
    expect(table.item(deployingIndexKey().pk, deployingIndexKey().sk)).toBeUndefined();
  });

  it('defaults the error to RouteEditedError and still answers when the record is gone', async () => {
    // Prepare
    const event = { rolloutId, failure: { Cause: 'edited by hand' } };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ error: 'RouteEditedError', cause: `Rollout ${rolloutId} stopped without touching the route or the nodes. edited by hand` });
    expect(aws.dynamo).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(aws.dynamo).toHaveReceivedCommandTimes(DeleteCommand, 0);
    expect(aws.appMesh).not.toHaveReceivedAnyCommand();
  });
});
