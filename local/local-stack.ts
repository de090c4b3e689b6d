import './promise-with-resolvers';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { yamlParse } from 'yaml-cfn';
import type { Registry } from '../functions/shared/ports/registry';
import { colorApp } from './color-app';
import { type LocalExecution, LocalStepFunctions } from './local-step-functions';
import { between, seededRandom } from './seeded-random';
import { type CallSite, FaultInjector } from './fault-injector';
import { type BusEvent, type SimulatedAwsOptions, type SimulatedEvent, SimulatedAws } from './simulated-aws';
import { SimulatedLambda } from './simulated-aws/lambda';
import { VirtualClock } from './virtual-clock';

const root = join(__dirname, '..');

/** How a call made by a team's own function (a hook) names its caller: not one of meshshift's functions. */
export const teamFunctionCaller = 'team function ';
export const localStateMachineArn = 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-local-rollout';

/** Settings the handlers read at load, as template.yaml gives them in AWS. */
const localEnvironment: Record<string, string> = {
  REGISTRY_TABLE_NAME: 'meshshift-local-registry',
  STATE_MACHINE_ARN: localStateMachineArn,
  TRAFFIC_PROVIDERS: 'appmesh,lattice',
  MESH_NAME: colorApp.mesh,
  MESH_OWNER: '111122223333',
  CLUSTER_NAME: colorApp.cluster,
  POLICY_PARAMETER_PREFIX: '/meshshift/',
  ROLLOUT_EVENT_BUS_NAME: 'default',
  HOOK_FUNCTION_PREFIX: 'meshshift-hook-',
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
// Set on import, so anything that imports the local stack before a handler's wiring (scenarios,
// benchmarks) finds the settings the wiring reads at load. Values already set win.
for (const [name, value] of Object.entries(localEnvironment)) process.env[name] ??= value;

/**
 * Round trips of each simulated service in milliseconds, drawn per call. AWS publishes no
 * latency figures; these are typical of same-region control-plane calls.
 */
export const latencyRanges: Record<string, [number, number]> = {
  appmesh: [40, 120],
  ecs: [30, 90],
  cloudwatch: [20, 60],
  ssm: [15, 40],
  /** Assumed like App Mesh's: both are same-region control-plane APIs for routing. */
  'vpc-lattice': [40, 120],
  dynamodb: [3, 8],
  lambdaInvoke: [10, 30],
  /** EventBridge documents only "near-real-time" delivery; half a second is assumed. */
  eventDelivery: [300, 700],
};
// Operation names repeat across services (CreateService, TagResource): Lattice comes last so the others' draws stay as they were.
const serviceOfOperation = (sim: SimulatedAws, operation: string): string =>
  (['appmesh', 'ecs', 'cloudwatch', 'ssm', 'vpc-lattice'] as const).find((service) =>
    ({ appmesh: sim.appMesh, ecs: sim.ecs, cloudwatch: sim.cloudwatch, ssm: sim.ssm, 'vpc-lattice': sim.vpcLattice })[service].operations.has(operation),
  ) ?? 'appmesh';

/** The DynamoDB operation behind each document-client command, as IAM and CloudTrail name it. */
const dynamoOperations: Record<string, string> = { GetCommand: 'GetItem', PutCommand: 'PutItem', UpdateCommand: 'UpdateItem', DeleteCommand: 'DeleteItem', QueryCommand: 'Query' };

/** Lambda retries a failed asynchronous invocation after one minute, then after two more (invocation-async-error-handling.html). */
export const asyncRetryDelaysMs = [60_000, 120_000];

/** An event as EventBridge hands it to a target: the stack delivers its rules' events so. */
export type { BusEvent };

export interface LocalStackOptions {
  /** Seeds every latency, delivery delay and retry jitter: the same seed replays the same run. */
  seed?: number;
  /** Round trip of each simulated AWS call in ms, instead of the seeded draw. */
  apiLatencyMs?: SimulatedAwsOptions['latencyMs'];
  /** Hold events in `heldEvents` instead of delivering them, so a test can replay them in any order. */
  holdEvents?: boolean;
}

/** A call a function made to the registry table: who, which DynamoDB operation, how many items it read. */
export interface RegistryCall {
  caller?: string;
  operation: string;
  itemsRead: number;
}


/** The template's EventBridge rules: which function each kind of event goes to. */
const ruleTargets: Record<string, string> = {
  'ECS Deployment State Change': 'HandleDeploymentEventFunction',
  'CloudWatch Alarm State Change': 'HandleAlarmEventFunction',
  'Step Functions Execution Status Change': 'ReconcileRolloutsFunction',
  'Scheduled Event': 'ReconcileRolloutsFunction',
};

/** The reconciler's schedule in template.yaml. */
export const reconcilePeriodSeconds = 60;

export interface EventDelivery {
  event: BusEvent;
  target: string;
  attempts: number;
  outcome?: unknown;
  error?: string;
  /** Simulated ms since the epoch, when EventBridge delivered it and when the handler finished. */
  deliveredAt: number;
  handledAt?: number;
  /** Every attempt failed: the event went to the dead-letter queue. */
  deadLettered?: boolean;
}

interface FunctionSettings {
  timeoutSeconds: number;
  asyncRetries: number;
}

/** Timeouts and retry settings of every function, as template.yaml deploys them. */
function functionSettings(): Record<string, FunctionSettings> {
  const template = yamlParse(readFileSync(join(root, 'template.yaml'), 'utf8')) as {
    Globals: { Function: { Timeout: number } };
    Resources: Record<string, { Type: string; Properties: { Timeout?: number; EventInvokeConfig?: { MaximumRetryAttempts?: number } } }>;
  };
  return Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([id, { Properties }]) => [
        id,
        { timeoutSeconds: Properties.Timeout ?? template.Globals.Function.Timeout, asyncRetries: Properties.EventInvokeConfig?.MaximumRetryAttempts ?? 2 },
      ]),
  );
}

/** Kebab-case folder of a function from its logical id: ShiftTrafficFunction -> shift-traffic. */
function functionFolder(logicalId: string): string {
  return logicalId
    .replace(/Function$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function loadHandler(logicalId: string): Handler {
  // Required lazily: handlers read their environment when loaded, after the stack set it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(root, 'functions', functionFolder(logicalId), 'handler')).handler as Handler;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * The whole of meshshift on one machine, no AWS account: the real state machine and real
 * handlers, DynamoDB on dynalite (loopback), App Mesh / VPC Lattice / ECS / CloudWatch / SSM simulated,
 * events delivered to the handlers the way EventBridge and Lambda do, all on one simulated
 * clock that moves only when no work is pending.
 */
export class LocalStack {
  readonly deliveries: EventDelivery[] = [];
  readonly heldEvents: SimulatedEvent[] = [];
  readonly registryCalls: RegistryCall[] = [];
  /** Every registry and Step Functions call site a function used (the simulator keeps its own calls). */
  readonly callSites: CallSite[] = [];
  /** The registry and Step Functions calls with their input, for the permissions each function uses. */
  readonly sdkCalls: Array<CallSite & { input: Record<string, unknown> }> = [];
  /** Functions that fail every invocation until a simulated time: a handler that dies on every attempt. */
  private readonly failingFunctions = new Map<string, number>();
  /** Work the stack waits for before it may stop, with what it is (for the error when it never ends). */
  private readonly inFlight = new Map<Promise<unknown>, string>();
  private readonly caller = new AsyncLocalStorage<string>();
  private readonly handlers = new Map<string, Handler>();
  private readonly settings = functionSettings();
  private invocationCounter = 0;
  private eventCounter = 0;
  private stopped = false;
  private stopSchedule: () => void = () => undefined;

  private constructor(
    readonly faults: FaultInjector,
    readonly clock: VirtualClock,
    readonly sim: SimulatedAws,
    readonly stepFunctions: LocalStepFunctions,
    /** The teams' own functions (lifecycle hooks), deployed by a test or scenario. */
    readonly lambda: SimulatedLambda,
    private readonly dynamo: ReturnType<typeof dynalite>,
    private readonly random: () => number,
    private readonly detach: () => void,
    holdEvents: boolean,
  ) {
    sim.onEvent((event) => (holdEvents ? this.heldEvents.push(event) : void this.deliver(event)));
  }

  static async start(options: LocalStackOptions = {}): Promise<LocalStack> {
    const seed = options.seed ?? 1;
    const clock = new VirtualClock();
    const faults = new FaultInjector(clock);
    // One stream per consumer, so drawing one more latency does not shift every jitter after it.
    const random = seededRandom(seed);
    const latencyRandom = seededRandom(seed + 1);
    const jitterRandom = seededRandom(seed + 2);

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

    // The simulator and Step Functions call back into the stack, which is built after them.
    const built: { stack?: LocalStack } = {};
    const sim: SimulatedAws = new SimulatedAws({
      now: () => new clock.Date(),
      sleep: (ms) => clock.sleep(ms),
      random: jitterRandom,
      latencyMs: options.apiLatencyMs ?? ((operation) => between(latencyRandom, ...(latencyRanges[serviceOfOperation(sim, operation)] as [number, number]))),
      callerOf: (): string | undefined => built.stack?.caller.getStore(),
      faults,
    });
    const stepFunctions = new LocalStepFunctions({
      definitionText: readFileSync(join(root, 'statemachines/rollout.asl.json'), 'utf8'),
      stateMachineArn: localStateMachineArn,
      invoke: (logicalId, payload) => (built.stack as LocalStack).invoke(logicalId, payload),
      clock,
      random: jitterRandom,
    });

    const detachClients = sim.attachToClasses([AppMeshClient, ECSClient, CloudWatchClient, SSMClient, VPCLatticeClient]);
    // Step Functions and EventBridge answer from the stack itself, which records each call with its caller and input.
    type Command = { constructor: { name: string }; input: Record<string, unknown> };
    const answerFromStack = (Client: { prototype: object }, service: string, send: (command: Command) => Promise<unknown>) => {
      const original = Object.getOwnPropertyDescriptor(Client.prototype, 'send');
      const inherited = (Client.prototype as { send: (command: Command) => Promise<unknown> }).send;
      (Client.prototype as { send: unknown }).send = async function (this: { config: { isCustomEndpoint?: boolean } }, command: Command) {
        // A client given an endpoint of its own goes there, as in AWS: the CLI reaching a kept stack's endpoint over loopback.
        if (this.config.isCustomEndpoint) return inherited.call(this, command);
        const site = { caller: built.stack?.caller.getStore() ?? 'harness', service, operation: command.constructor.name.replace(/Command$/, '') };
        built.stack?.callSites.push(site);
        built.stack?.sdkCalls.push({ ...site, input: command.input });
        faults.before(site);
        const output = await send(command);
        faults.after(site);
        return output;
      };
      return () => {
        if (original) Object.defineProperty(Client.prototype, 'send', original);
        else delete (Client.prototype as { send?: unknown }).send;
      };
    };
    const detachStepFunctions = answerFromStack(SFNClient, 'sfn', (command) => stepFunctions.send(command));
    // PutEvents takes no simulated time: events are published after the registry write they tell, and
    // leaving their round trip out keeps every rollout's timeline (and docs/BENCHMARKS.md) as it was.
    const detachEventBridge = answerFromStack(EventBridgeClient, 'events', (command) => sim.eventBridge.send(command));
    // The teams' hook functions: their code runs as itself, so what it calls is never counted as the caller's.
    const lambda = new SimulatedLambda(
      { region: sim.region, accountId: sim.accountId, now: () => new clock.Date() },
      {
        roundTrip: () => clock.sleep(between(latencyRandom, ...(latencyRanges.lambdaInvoke as [number, number]))),
        run: (functionName, work) => (built.stack as LocalStack).runTeamFunction(functionName, work),
      },
    );
    const detachLambda = answerFromStack(LambdaClient, 'lambda', (command) => lambda.send(command) as Promise<unknown>);
    const detach = () => {
      detachClients();
      detachStepFunctions();
      detachEventBridge();
      detachLambda();
    };
    /* eslint-disable @typescript-eslint/no-require-imports */
    const documentClient = DynamoDBDocumentClient.from(localDynamo, { marshallOptions: { removeUndefinedValues: true } });
    const registrySend = documentClient.send.bind(documentClient);
    require('../functions/shared/wiring/registry').registryDocumentClient.send = async (command: { constructor: { name: string } }) => {
      await clock.sleep(between(latencyRandom, ...(latencyRanges.dynamodb as [number, number])));
      const site = { caller: built.stack?.caller.getStore() ?? 'harness', service: 'dynamodb', operation: dynamoOperations[command.constructor.name] ?? command.constructor.name };
      built.stack?.callSites.push(site);
      built.stack?.sdkCalls.push({ ...site, input: (command as { input: Record<string, unknown> }).input });
      faults.before(site);
      const output = (await clock.track(() => registrySend(command as never))) as { Items?: unknown[]; Item?: unknown };
      faults.after(site);
      built.stack?.registryCalls.push({
        caller: built.stack.caller.getStore(),
        operation: command.constructor.name.replace(/Command$/, ''),
        itemsRead: output.Items?.length ?? (output.Item ? 1 : 0),
      });
      return output;
    };
    require('../functions/shared/wiring/clock').clock.now = () => new clock.Date();
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stack = new LocalStack(faults, clock, sim, stepFunctions, lambda, dynamo, random, detach, options.holdEvents ?? false);
    built.stack = stack;
    stepFunctions.onEnd((execution) => {
      if (['ABORTED', 'TIMED_OUT', 'FAILED'].includes(execution.status)) void stack.deliver(stack.busEvent('Step Functions Execution Status Change', 'aws.states', [execution.executionArn], { executionArn: execution.executionArn, stateMachineArn: localStateMachineArn, name: execution.name, status: execution.status }));
    });
    stack.stopSchedule = clock.every(reconcilePeriodSeconds * 1000, () => void stack.deliver(stack.busEvent('Scheduled Event', 'aws.events', ['arn:aws:events:us-west-2:111122223333:rule/meshshift-local-reconcile'], {})), { background: true });
    clock.start();
    return stack;
  }

  /**
   * Invokes a function as Lambda does: after the invoke round trip, within the function's
   * timeout from template.yaml. A timed-out invocation fails with Lambda's `Sandbox.Timedout`
   * while its handler runs on, as a real one may have landed calls before it was stopped.
   */
  async invoke(logicalId: string, payload: unknown): Promise<unknown> {
    const handler = this.handlerOf(logicalId);
    const timeoutSeconds = this.settings[logicalId]?.timeoutSeconds ?? 30;
    await this.clock.sleep(between(this.random, ...(latencyRanges.lambdaInvoke as [number, number])));
    if (this.clock.now() < (this.failingFunctions.get(logicalId) ?? 0)) throw namedError('Lambda.Unknown', `${logicalId} died before it did anything (injected)`);
    this.invocationCounter += 1;
    const context = { functionName: logicalId, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:us-west-2:111122223333:function:${logicalId}`, memoryLimitInMB: '256', awsRequestId: `local-${this.invocationCounter}` };
    const run = this.caller.run(logicalId, () => handler(structuredClone(payload), context));
    this.keepTrackOf(run, `${logicalId} invocation ${context.awsRequestId}`);
    let timer: ReturnType<VirtualClock['setTimeout']> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(namedError('Sandbox.Timedout', `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)), timeoutSeconds * 1000);
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Runs a team's function as itself, not as the meshshift function that invoked it; the stack waits for it before stopping. */
  runTeamFunction(functionName: string, work: () => Promise<unknown>): Promise<unknown> {
    const run = this.caller.run(`${teamFunctionCaller}${functionName}`, work);
    this.keepTrackOf(run, `${functionName} invocation`);
    return run;
  }

  /** Makes every invocation of a function fail for `seconds` of simulated time, as a broken deploy or a dependency outage would. */
  failInvocations(logicalId: string, seconds: number): void {
    this.failingFunctions.set(logicalId, this.clock.now() + seconds * 1000);
  }

  /** Updates an ECS service to a new task definition, as a CI pipeline would; returns the deployment id. */
  async deploy(taskDefinitionArn: string, service: string = colorApp.canaryService): Promise<string> {
    const ecs = new ECSClient({ region: this.sim.region });
    const output = await ecs.send(new UpdateServiceCommand({ cluster: colorApp.cluster, service, taskDefinition: taskDefinitionArn }));
    return output.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
  }

  /**
   * Delivers an event to the function its EventBridge rule targets, after EventBridge's delay.
   * Lambda invokes it asynchronously: a failed attempt is retried after one minute and again
   * after two, then the event goes to the dead-letter queue.
   */
  deliver(event: BusEvent): Promise<void> {
    const target = ruleTargets[event['detail-type']];
    if (!target) throw new Error(`No rule of the template matches ${event['detail-type']}`);
    if (target === 'HandleAlarmEventFunction' && (event.detail as { state?: { value?: string } }).state?.value !== 'ALARM') return Promise.resolve();
    const retries = this.settings[target]?.asyncRetries ?? 2;
    const work = (async () => {
      await this.clock.sleep(between(this.random, ...(latencyRanges.eventDelivery as [number, number])));
      const delivery: EventDelivery = { event, target, attempts: 0, deliveredAt: this.clock.now() };
      this.deliveries.push(delivery);
      for (;;) {
        delivery.attempts += 1;
        try {
          delivery.outcome = await this.invoke(target, structuredClone(event));
          delivery.error = undefined;
          break;
        } catch (error) {
          delivery.error = `${(error as Error).name}: ${(error as Error).message}`;
          if (delivery.attempts > retries) {
            delivery.deadLettered = true;
            break;
          }
          await this.clock.sleep(asyncRetryDelaysMs[delivery.attempts - 1] ?? asyncRetryDelaysMs.at(-1) ?? 0);
        }
      }
      delivery.handledAt = this.clock.now();
    })();
    this.keepTrackOf(work, `delivery of ${event['detail-type']} ${event.id} to ${target}`);
    return work;
  }

  /** An event of the stack's own (schedule, Step Functions), shaped as EventBridge delivers it. */
  busEvent(detailType: string, source: string, resources: string[], detail: unknown): BusEvent {
    this.eventCounter += 1;
    return { version: '0', id: `local-event-${this.eventCounter}`, 'detail-type': detailType, source, account: this.sim.accountId, time: new this.clock.Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), region: this.sim.region, resources, detail };
  }

  /**
   * Resolves when no event is being delivered and no function is running, including one whose
   * execution was stopped: Step Functions does not stop a Lambda invocation it abandons.
   */
  async settled(): Promise<void> {
    let offIdle: () => void = () => undefined;
    // Work still in flight when the clock is idle with nothing scheduled waits on something that never comes.
    const stuck = new Promise<never>((_, reject) => {
      offIdle = this.clock.onIdle(() => {
        if (this.inFlight.size > 0) reject(new Error(`The local stack is idle with nothing scheduled, yet this never ended: ${[...this.inFlight.values()].join('; ')}`));
      });
    });
    stuck.catch(() => undefined);
    try {
      while (this.inFlight.size > 0) await Promise.race([Promise.allSettled([...this.inFlight.keys()]), stuck]);
    } finally {
      offIdle();
    }
  }

  private keepTrackOf(work: Promise<unknown>, what: string): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(tracked, what);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /**
   * Resolves when the execution exists (events are asynchronous) and has ended. Rejects at
   * once if the stack falls idle with nothing scheduled while it still waits: nothing could
   * ever end it.
   */
  async waitForExecution(name: string): Promise<LocalExecution> {
    const existing = this.stepFunctions.executions.get(name);
    const execution =
      existing ??
      (await new Promise<LocalExecution>((resolve, reject) => {
        const stopListening = () => {
          offStart();
          offIdle();
        };
        const offStart = this.stepFunctions.onStart((started) => {
          if (started.name !== name) return;
          stopListening();
          resolve(started);
        });
        const offIdle = this.clock.onIdle(() => {
          stopListening();
          reject(new Error(`Execution ${name} never started: the local stack is idle with nothing scheduled`));
        });
      }));
    let offIdle: () => void = () => undefined;
    const stuck = new Promise<never>((_, reject) => {
      offIdle = this.clock.onIdle(() => {
        if (execution.status === 'RUNNING') reject(new Error(`Execution ${name} is stuck: it is RUNNING and nothing is scheduled that could move it`));
      });
    });
    try {
      return await Promise.race([execution.done, stuck]);
    } finally {
      offIdle();
    }
  }

  /** The registry the handlers use, loaded after the stack set the environment. */
  get registry(): Registry {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../functions/shared/wiring/registry') as typeof import('../functions/shared/wiring/registry')).registry;
  }

  /** Simulated seconds since the stack started. */
  get seconds(): number {
    return this.clock.elapsed() / 1000;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const [settling] = await Promise.allSettled([this.settled()]);
    await Promise.allSettled([...this.stepFunctions.executions.values()].filter((execution) => execution.status === 'RUNNING').map((execution) => this.waitForExecution(execution.name)));
    await this.clock.stop();
    this.detach();
    if (settling.status === 'rejected') throw settling.reason;
    await this.closeRegistry();
  }

  /**
   * Stops at once and drops whatever still runs, as switching the machine off would: how a kept
   * stack ends when its person is done with it. `stop` instead lets every rollout finish.
   */
  async halt(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.clock.stop();
    this.detach();
    await this.closeRegistry();
  }

  /** Where the registry's DynamoDB (dynalite) listens, on loopback. */
  get registryEndpoint(): string {
    return `http://127.0.0.1:${(this.dynamo.address() as AddressInfo).port}`;
  }

  private closeRegistry(): Promise<void> {
    return new Promise<void>((resolve) => this.dynamo.close(() => resolve()));
  }

  private handlerOf(logicalId: string): Handler {
    let handler = this.handlers.get(logicalId);
    if (!handler) {
      handler = loadHandler(logicalId);
      this.handlers.set(logicalId, handler);
    }
    return handler;
  }
}
