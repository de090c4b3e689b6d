import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { DynamoDbRegistry, registryTableDefinition } from '../../../functions/shared/adapters/dynamodb-registry';

/** A real DynamoDB API (dynalite) on loopback, as local/local-stack.ts runs it, with a fresh table per registry. */
export class LocalRegistryServer {
  private tables = 0;

  private constructor(
    private readonly server: ReturnType<typeof dynalite>,
    readonly documentClient: DynamoDBDocumentClient,
    private readonly client: DynamoDBClient,
  ) {}

  static async start(): Promise<LocalRegistryServer> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return new LocalRegistryServer(server, documentClient, client);
  }

  /** A registry on a new, empty table, so tests cannot see each other's items. */
  async registry(): Promise<{ registry: DynamoDbRegistry; tableName: string }> {
    this.tables += 1;
    const tableName = `meshshift-registry-${this.tables}`;
    await this.client.send(new CreateTableCommand({ TableName: tableName, ...structuredClone(registryTableDefinition) } as never));
    return { registry: new DynamoDbRegistry(this.documentClient, tableName), tableName };
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
