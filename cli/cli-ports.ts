import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, type DescribeExecutionOutput, GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callAws, errorName } from '../functions/shared/adapters/aws-error';
import { DynamoDbRegistry } from '../functions/shared/adapters/dynamodb-registry';
import { StepFunctionsOrchestrator } from '../functions/shared/adapters/step-functions-orchestrator';
import { InvalidInputError } from '../functions/shared/domain/errors';
import type { Orchestrator } from '../functions/shared/ports/orchestrator';
import type { Registry, RolloutHistory } from '../functions/shared/ports/registry';

/**
 * What the CLI talks to: the registry and Step Functions, nothing else. Every write to a route,
 * node or service is done by meshshift's own functions, so an operator needs no rights on them.
 */
export interface CliPorts {
  registry: Registry & RolloutHistory;
  orchestrator: Orchestrator;
  /** Step Functions' record of an execution; undefined when it has none (never started, or gone 90 days after it ended). */
  execution(executionArn: string): Promise<DescribeExecutionOutput | undefined>;
  /** Every event of the execution, oldest first. */
  executionHistory(executionArn: string): Promise<HistoryEvent[]>;
}

export interface AwsSettings {
  /** Absent: the AWS SDK's own settings (AWS_REGION, the profile) decide. */
  region?: string;
  /** One endpoint for every AWS call, such as a local server on loopback. */
  endpoint?: string;
  tableName: string;
  stateMachineArn: string;
}

/** A server on loopback (the local stack) checks no signature, and an operator's own keys have no business signing for it. */
const loopbackCredentials = { accessKeyId: 'meshshift-local', secretAccessKey: 'meshshift-local' };

function isLoopback(endpoint: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
}

/** The CLI's clients: the default credential chain, the region and endpoint as settled from the flags. */
export function awsClients(settings: Pick<AwsSettings, 'region' | 'endpoint'>) {
  const config = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.endpoint && isLoopback(settings.endpoint) ? { credentials: loopbackCredentials } : {}),
  };
  return {
    sfn: new SFNClient(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }),
  };
}

/**
 * The ports on AWS, once the region is known: from the flags, else from the SDK's own settings.
 * Resolving it reads only local configuration, so a missing one is reported before any call.
 */
export async function connectToAws(settings: AwsSettings): Promise<CliPorts> {
  const clients = awsClients(settings);
  let region: string;
  try {
    region = await clients.sfn.config.region();
  } catch (error) {
    throw new InvalidInputError('No AWS region: give --region, or a --state-machine-arn or --table ARN (each names its region), or set AWS_REGION', { cause: error });
  }
  return cliPorts({ ...settings, region }, clients);
}

/**
 * DynamoDB says only "Requested resource not found" for a table it does not have: name the
 * table, its region and where the name comes from, which are what an operator got wrong.
 */
function namingTheTable<Port extends object>(port: Port, settings: AwsSettings): Port {
  return new Proxy(port, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key);
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) => {
        try {
          return await member.apply(target, args);
        } catch (error) {
          if (errorName(error) !== 'ResourceNotFoundException') throw error;
          throw new InvalidInputError(
            `DynamoDB table ${settings.tableName} does not exist in ${settings.region ?? 'the region the AWS SDK chose'}: check --table (or MESHSHIFT_TABLE; the stack's RegistryTableName output) and the region`,
            { cause: error },
          );
        }
      };
    },
  });
}

export function cliPorts(settings: AwsSettings, clients: ReturnType<typeof awsClients>): CliPorts {
  return {
    registry: namingTheTable(new DynamoDbRegistry(clients.dynamo, settings.tableName), settings),
    orchestrator: new StepFunctionsOrchestrator(clients.sfn, settings.stateMachineArn),
    execution: async (executionArn) => {
      try {
        return await callAws(`DescribeExecution ${executionArn}`, () => clients.sfn.send(new DescribeExecutionCommand({ executionArn })));
      } catch (error) {
        if (errorName(error) === 'ExecutionDoesNotExist') return undefined;
        throw error;
      }
    },
    executionHistory: async (executionArn) => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await callAws(`GetExecutionHistory ${executionArn}`, () =>
          clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true })),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },
  };
}
