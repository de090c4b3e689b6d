import './promise-with-resolvers';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { Rollout } from '../functions/shared/domain/rollout';
import type { Registry } from '../functions/shared/ports/registry';
import { colorApp } from './color-app';
import { type LocalExecution, type LocalLambda, LocalStepFunctions } from './local-step-functions';
import { type SimulatedAwsOptions, type SimulatedEvent, SimulatedAws } from './simulated-aws';

const root = join(__dirname, '..');
const localStateMachineArn = 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-local-rollout';

/** Settings the handlers read at load, as template.yaml gives them in AWS. */
const localEnvironment: Record<string, string> = {
  REGISTRY_TABLE_NAME: 'meshshift-local-registry',
  STATE_MACHINE_ARN: localStateMachineArn,
  MESH_NAME: colorApp.mesh,
  CLUSTER_NAME: colorApp.cluster,
  POLICY_PARAMETER_PREFIX: '/meshshift/',
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
// Set on import, so anything that imports the local stack before a handler's wiring (scenarios,
// benchmarks) finds the settings the wiring reads at load. Values already set win.
for (const [name, value] of Object.entries(localEnvironment)) process.env[name] ??= value;

export interface LocalStackOptions {
  /** Real milliseconds per simulated second in Wait states: 1 runs a 60 s bake in 60 ms. */
  msPerSimulatedSecond?: number;
  /** Real milliseconds between Step Functions retries. */
  retryIntervalMs?: number;
  /** Latency of each simulated AWS call. */
  apiLatencyMs?: SimulatedAwsOptions['latencyMs'];
  /** Hold events in `heldEvents` instead of delivering them, so a test can replay them in any order. */
  holdEvents?: boolean;
}

export interface EventDelivery {
  event: SimulatedEvent;
  target: 'HandleDeploymentEventFunction' | 'HandleAlarmEventFunction';
  attempts: number;
  outcome?: unknown;
  error?: string;
  deliveredAt: number;
  handledAt?: number;
}

/** Kebab-case folder of a function from its logical id: ShiftTrafficFunction -> shift-traffic. */
function functionFolder(logicalId: string): string {
  return logicalId
    .replace(/Function$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

function loadHandler(logicalId: string): LocalLambda {
  // Required lazily: handlers read their environment when loaded, after the stack set it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(root, 'functions', functionFolder(logicalId), 'handler')).handler as LocalLambda;
}

/** EventBridge's retry policy in template.yaml, compressed: a handler error is retried a few times. */
const deliveryAttempts = 5;

/**
 * The whole of meshshift on one machine, no AWS account: the real state machine and real
 * handlers, DynamoDB on dynalite (loopback), App Mesh / ECS / CloudWatch / SSM simulated,
 * and events delivered to the handlers the way EventBridge does.
 */
export class LocalStack {
  readonly deliveries: EventDelivery[] = [];
  readonly heldEvents: SimulatedEvent[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    readonly sim: SimulatedAws,
    readonly stepFunctions: LocalStepFunctions,
    private readonly dynamo: ReturnType<typeof dynalite>,
    /** Every function of the template, by logical id, as the local stack runs it. */
    readonly handlers: Record<string, LocalLambda>,
    holdEvents: boolean,
  ) {
    sim.onEvent((event) => (holdEvents ? this.heldEvents.push(event) : void this.deliver(event)));
  }

  static async start(options: LocalStackOptions = {}): Promise<LocalStack> {
    const msPerSecond = options.msPerSimulatedSecond ?? 1;

    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    const { port } = dynamo.address() as AddressInfo;
    // Many concurrent rollouts share this client: allow more than the SDK's default 50 sockets.
    const localDynamo = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 500 } },
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { registryTableDefinition } = require('../functions/shared/adapters/dynamodb-registry') as typeof import('../functions/shared/adapters/dynamodb-registry');
    await localDynamo.send(new CreateTableCommand({ TableName: process.env.REGISTRY_TABLE_NAME, ...structuredClone(registryTableDefinition) } as never));

    const sim = new SimulatedAws({ latencyMs: options.apiLatencyMs });
    const functionIds = [...readFileSync(join(root, 'statemachines/rollout.asl.json'), 'utf8').matchAll(/\$\{(\w+Function)Arn\}/g)].map((match) => match[1] as string);
    const handlers = Object.fromEntries(
      [...new Set([...functionIds, 'HandleDeploymentEventFunction', 'HandleAlarmEventFunction'])].map((id) => [id, loadHandler(id)]),
    );
    const stepFunctions = new LocalStepFunctions({
      definitionText: readFileSync(join(root, 'statemachines/rollout.asl.json'), 'utf8'),
      stateMachineArn: localStateMachineArn,
      functions: handlers,
      retryIntervalMilliseconds: options.retryIntervalMs ?? 2,
      waitMillisecondsAfter: (stateName, result) => {
        if (stateName !== 'Prepare rollout') return undefined;
        const rollout = result as Rollout;
        return { Bake: rollout.bakeSeconds * msPerSecond, 'Wait for stable to drain': rollout.promotion.drainSeconds * msPerSecond };
      },
    });

    /* eslint-disable @typescript-eslint/no-require-imports */
    sim.attach(require('../functions/shared/wiring/app-mesh').appMeshClient);
    sim.attach(require('../functions/shared/wiring/ecs').ecsClient);
    sim.attach(require('../functions/shared/wiring/cloudwatch').cloudWatchClient);
    sim.attach(require('../functions/shared/wiring/ssm').ssmClient);
    require('../functions/shared/wiring/step-functions').sfnClient.send = stepFunctions.send;
    const documentClient = DynamoDBDocumentClient.from(localDynamo, { marshallOptions: { removeUndefinedValues: true } });
    require('../functions/shared/wiring/registry').registryDocumentClient.send = documentClient.send.bind(documentClient);
    /* eslint-enable @typescript-eslint/no-require-imports */
    return new LocalStack(sim, stepFunctions, dynamo, handlers, options.holdEvents ?? false);
  }

  /** Updates an ECS service to a new task definition, as a CI pipeline would; returns the deployment id. */
  async deploy(taskDefinitionArn: string, service: string = colorApp.canaryService): Promise<string> {
    const ecs = this.sim.attach(new ECSClient({ region: this.sim.region }));
    const output = await ecs.send(new UpdateServiceCommand({ cluster: colorApp.cluster, service, taskDefinition: taskDefinitionArn }));
    return output.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
  }

  /** Delivers an event to the handler its EventBridge rule targets, retrying a failing handler. */
  deliver(event: SimulatedEvent): Promise<void> {
    const target = event['detail-type'] === 'ECS Deployment State Change' ? 'HandleDeploymentEventFunction' : 'HandleAlarmEventFunction';
    if (target === 'HandleAlarmEventFunction' && (event.detail as { state?: { value?: string } }).state?.value !== 'ALARM') return Promise.resolve();
    const delivery: EventDelivery = { event, target, attempts: 0, deliveredAt: Date.now() };
    this.deliveries.push(delivery);
    const handler = this.handlers[target] as LocalLambda;
    const work = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      while (delivery.attempts < deliveryAttempts) {
        delivery.attempts += 1;
        try {
          delivery.outcome = await handler(structuredClone(event), { functionName: target, awsRequestId: `${event.id}-${delivery.attempts}` });
          delivery.error = undefined;
          break;
        } catch (error) {
          delivery.error = `${(error as Error).name}: ${(error as Error).message}`;
        }
      }
      delivery.handledAt = Date.now();
    })();
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Resolves when no event is being delivered. */
  async eventsSettled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Resolves when the execution exists (events are asynchronous) and has ended. */
  async waitForExecution(name: string, timeoutMs = 20_000): Promise<LocalExecution> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stepFunctions.executions.has(name)) {
      if (Date.now() > deadline) throw new Error(`Execution ${name} never started`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Execution ${name} did not end within ${timeoutMs} ms`)), Math.max(1, deadline - Date.now())).unref());
    return Promise.race([this.stepFunctions.waitFor(name), timeout]);
  }

  /** The registry the handlers use, loaded after the stack set the environment. */
  get registry(): Registry {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../functions/shared/wiring/registry') as typeof import('../functions/shared/wiring/registry')).registry;
  }

  async stop(): Promise<void> {
    await this.eventsSettled();
    await Promise.allSettled([...this.stepFunctions.executions.values()].map((execution) => execution.done));
    await new Promise<void>((resolve) => this.dynamo.close(() => resolve()));
  }
}
