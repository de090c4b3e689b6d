import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRegistry } from '../adapters/dynamodb-registry';
import { requireEnv } from '../config';
import { clock } from './clock';
import { withRolloutEvents } from './events';

export const registryDocumentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const registry = withRolloutEvents(new DynamoDbRegistry(registryDocumentClient, requireEnv('REGISTRY_TABLE_NAME'), clock));
