import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppMeshTrafficRouter } from '../functions/shared/adapters/app-mesh-traffic-router';
import { VpcLatticeTrafficRouter } from '../functions/shared/adapters/vpc-lattice-traffic-router';
import { DynamoDbRegistry } from '../functions/shared/adapters/dynamodb-registry';
import { EcsServiceDeployer } from '../functions/shared/adapters/ecs-service-deployer';
import { StepFunctionsOrchestrator } from '../functions/shared/adapters/step-functions-orchestrator';
import type { Orchestrator } from '../functions/shared/ports/orchestrator';
import type { Registry } from '../functions/shared/ports/registry';
import type { ServiceDeployer } from '../functions/shared/ports/service-deployer';
import type { TrafficRouter } from '../functions/shared/ports/traffic-router';
import { routerPerProvider } from '../functions/shared/wiring/traffic-router';

/** What the CLI talks to: the same ports the Lambda handlers use, plus an execution lookup. */
export interface CliPorts {
  registry: Registry;
  router: TrafficRouter;
  deployer: ServiceDeployer;
  orchestrator: Orchestrator;
  executionStatus(executionArn: string): Promise<string>;
}

export interface AwsSettings {
  region?: string;
  tableName: string;
  stateMachineArn: string;
}

/** The CLI's clients: the default credential chain, the region from the flag or the environment. */
export function awsClients(region?: string) {
  const config = region ? { region } : {};
  return {
    appMesh: new AppMeshClient(config),
    lattice: new VPCLatticeClient(config),
    ecs: new ECSClient(config),
    sfn: new SFNClient(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }),
  };
}

export function cliPorts(settings: AwsSettings, clients: ReturnType<typeof awsClients> = awsClients(settings.region)): CliPorts {
  return {
    registry: new DynamoDbRegistry(clients.dynamo, settings.tableName),
    // A rollout's records name its provider; the CLI acts on App Mesh and Lattice rollouts alike.
    router: routerPerProvider({ appmesh: new AppMeshTrafficRouter(clients.appMesh), lattice: new VpcLatticeTrafficRouter(clients.lattice) }),
    deployer: new EcsServiceDeployer(clients.ecs),
    orchestrator: new StepFunctionsOrchestrator(clients.sfn, settings.stateMachineArn),
    executionStatus: async (executionArn) => (await clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN',
  };
}
