import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { seededRandom } from '../seeded-random';
import { SimulatedAppMesh } from './app-mesh';
import { SimulatedCloudWatch } from './cloudwatch';
import { SimulatedEcs } from './ecs';
import { SimulatedEventBridge } from './eventbridge';
import { isCommandOf, namedServiceError, THROTTLING_ERROR } from './errors';
import { deepClone, type Operations, type ServiceName, type SimulatedEvent, type SimulationContext } from './shared';
import { SimulatedSsm } from './ssm';
import { SimulatedVpcLattice, type SimulatedVpcLatticeOptions } from './vpc-lattice';

export interface SimulatedAwsOptions {
  region?: string;
  accountId?: string;
  /** Round-trip time per call in milliseconds, slept on `sleep` before the operation takes effect. */
  latencyMs?: (operation: string) => number;
  /** Waits out latency and SDK backoff; the local stack passes its simulated clock's. */
  sleep?: (ms: number) => Promise<void>;
  /** Time as the services see it; the local stack passes its simulated clock's. */
  now?: () => Date;
  /** Draws SDK backoff jitter; seeded by the local stack so runs repeat. */
  random?: () => number;
  /** Who is calling (a function's logical id), recorded with each call. */
  callerOf?: () => string | undefined;
  /** Faults armed at call sites: asked before a call takes effect and after it did. */
  faults?: { before(site: { caller: string; service: string; operation: string }): void; after(site: { caller: string; service: string; operation: string }): void };
  /**
   * Attempts an attached client makes per command, as the SDK's standard retry mode does for
   * throttling and 5xx (default 3, like the real clients; 1 turns it off). Each attempt is a call.
   */
  sdkMaxAttempts?: number;
  /** The simulated VPC Lattice's propagation delay and rate limits. */
  vpcLattice?: SimulatedVpcLatticeOptions;
}

export interface SimulatedCall {
  service: ServiceName;
  operation: string;
  input: unknown;
  /** 'ok', or the name of the error the call threw. */
  outcome: 'ok' | (string & {});
  /** The function that made the call, when the local stack knows it. */
  caller?: string;
  /** When the call took effect, on the simulation's clock. */
  at?: Date;
}

export interface FaultInjection {
  operation: string;
  times: number;
  /**
   * The error's name, e.g. 'TooManyRequestsException', 'ServiceUnavailableException', 'InternalServerErrorException'
   * (App Mesh), 'ServerException' (ECS), 'InternalServiceFault' (CloudWatch). Names the service models become the
   * SDK's own exception class; defaults to the service's throttling error.
   */
  error?: string;
}

export type CallListener = (call: SimulatedCall) => void | Promise<void>;
/** Runs before a call takes effect; the call waits for what it returns, so a test can choose an interleaving. */
export type BeforeCallListener = (call: Omit<SimulatedCall, 'outcome'>) => void | Promise<void>;
export type EventListener = (event: SimulatedEvent) => void;

interface SdkCommand {
  readonly input: unknown;
}

interface PendingFault {
  operation: string;
  remaining: number;
  error: string | undefined;
}

const MUTATING_OPERATION = /^(Create|Update|Delete|Put|Register|Set|Tag)/;

function operationOf(command: SdkCommand): string {
  return command.constructor.name.replace(/Command$/, '');
}

function serviceOfClient(client: unknown): ServiceName {
  if (client instanceof AppMeshClient) return 'appmesh';
  if (client instanceof ECSClient) return 'ecs';
  if (client instanceof CloudWatchClient) return 'cloudwatch';
  if (client instanceof SSMClient) return 'ssm';
  if (client instanceof VPCLatticeClient) return 'vpc-lattice';
  throw new Error('SimulatedAws can attach only to VPCLatticeClient, AppMeshClient, ECSClient, CloudWatchClient or SSMClient instances.');
}

/**
 * A stateful, in-memory App Mesh, VPC Lattice, ECS, CloudWatch and SSM behind real SDK clients, enforcing the
 * services' rules so the product's handlers can run a whole rollout without an AWS account.
 */
export class SimulatedAws {
  readonly region: string;
  readonly accountId: string;
  readonly appMesh: SimulatedAppMesh;
  readonly ecs: SimulatedEcs;
  readonly cloudwatch: SimulatedCloudWatch;
  readonly ssm: SimulatedSsm;
  readonly vpcLattice: SimulatedVpcLattice;
  /** Not behind `attach`: rollout events are no call of the rollout's, so the local stack records them beside its calls (local-stack.ts). */
  readonly eventBridge: SimulatedEventBridge;
  readonly calls: SimulatedCall[] = [];

  private readonly latencyMs: ((operation: string) => number) | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly random: () => number;
  /** Ids have a stream of their own, so how many ids a run makes never shifts its jitter. */
  private readonly idRandom = seededRandom(0x1d5);
  private readonly callerOf: () => string | undefined;
  private readonly faultsAtSites: SimulatedAwsOptions['faults'];
  private readonly sdkMaxAttempts: number;
  private readonly services: Record<ServiceName, { operations: Operations }>;
  private readonly faults: PendingFault[] = [];
  private readonly callListeners = new Set<CallListener>();
  private readonly beforeCallListeners = new Set<BeforeCallListener>();
  private readonly eventListeners = new Set<EventListener>();

  constructor(options: SimulatedAwsOptions = {}) {
    this.region = options.region ?? 'us-west-2';
    this.accountId = options.accountId ?? '111122223333';
    this.latencyMs = options.latencyMs;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.callerOf = options.callerOf ?? (() => undefined);
    this.faultsAtSites = options.faults;
    this.sdkMaxAttempts = options.sdkMaxAttempts ?? 3;
    const context: SimulationContext = {
      region: this.region,
      accountId: this.accountId,
      now: () => this.now(),
      newId: () => this.newId(),
      emit: (event) => this.emit(event),
    };
    this.appMesh = new SimulatedAppMesh(context);
    this.ecs = new SimulatedEcs(context);
    this.cloudwatch = new SimulatedCloudWatch(context);
    this.ssm = new SimulatedSsm(context);
    this.vpcLattice = new SimulatedVpcLattice(context, options.vpcLattice);
    this.eventBridge = new SimulatedEventBridge(context);
    this.services = { appmesh: this.appMesh, ecs: this.ecs, cloudwatch: this.cloudwatch, ssm: this.ssm, 'vpc-lattice': this.vpcLattice };
  }

  /** Routes this client instance's `send` to the simulator; other instances keep talking to AWS. */
  attach<C extends { send: unknown }>(client: C): C {
    const service = serviceOfClient(client);
    (client as { send: unknown }).send = (command: SdkCommand) => this.dispatchWithSdkRetries(service, command);
    return client;
  }

  /**
   * Routes every instance of these client classes, made now or later, to the simulator: the
   * handlers create their clients whenever they first need them. Returns the undo.
   */
  attachToClasses(classes: Array<{ prototype: { send: unknown } }>): () => void {
    const originals = classes.map((Class) => Object.getOwnPropertyDescriptor(Class.prototype, 'send'));
    const dispatch = (client: unknown, command: SdkCommand) => this.dispatchWithSdkRetries(serviceOfClient(client), command);
    for (const Class of classes) {
      Class.prototype.send = function send(this: unknown, command: SdkCommand) {
        return dispatch(this, command);
      };
    }
    return () =>
      classes.forEach((Class, index) => {
        const original = originals[index];
        if (original) Object.defineProperty(Class.prototype, 'send', original);
        else delete (Class.prototype as { send?: unknown }).send;
      });
  }

  /** Sends a command without a client, to the service whose SDK the command comes from (else the first that has the operation). */
  async send(command: SdkCommand): Promise<unknown> {
    const operation = operationOf(command);
    const names = (Object.keys(this.services) as ServiceName[]).filter((name) => this.services[name].operations.has(operation));
    const service = names.find((name) => isCommandOf(name, command)) ?? names[0];
    if (service === undefined) {
      throw new Error(`SimulatedAws does not simulate the ${operation} operation.`);
    }
    return this.dispatch(service, command);
  }

  mutatingCalls(): SimulatedCall[] {
    return this.calls.filter((call) => MUTATING_OPERATION.test(call.operation));
  }

  /** The next `times` calls of `operation` fail with the given error instead of taking effect. */
  injectFault(fault: FaultInjection): void {
    if (!Number.isInteger(fault.times) || fault.times < 1) {
      throw new Error(`injectFault: times must be a positive integer, got ${fault.times}.`);
    }
    this.faults.push({ operation: fault.operation, remaining: fault.times, error: fault.error });
  }

  /** Called before each call takes effect; the call waits for the listener's promise. */
  beforeCall(listener: BeforeCallListener): () => void {
    this.beforeCallListeners.add(listener);
    return () => {
      this.beforeCallListeners.delete(listener);
    };
  }

  /** Called after each successful call, before its result reaches the caller. */
  onCall(listener: CallListener): () => void {
    this.callListeners.add(listener);
    return () => {
      this.callListeners.delete(listener);
    };
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  /**
   * The SDK retries throttling and server errors before the caller sees them, and so does an
   * attached client, with the SDK's standard backoff: full jitter over 100 ms (500 ms when
   * throttled) doubling per retry, at most 20 s (smithy-typescript util-retry).
   */
  private async dispatchWithSdkRetries(service: ServiceName, command: SdkCommand): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dispatch(service, command);
      } catch (error) {
        const { $metadata, name, retryAfterSeconds } = error as { $metadata?: { httpStatusCode?: number }; name?: string; retryAfterSeconds?: number };
        const status = $metadata?.httpStatusCode ?? 0;
        const throttled = status === 429 || /Throttl|TooManyRequests/.test(name ?? '');
        if (!(throttled || status >= 500) || attempt >= this.sdkMaxAttempts) throw error;
        const base = throttled ? 500 : 100;
        const backoff = Math.floor(this.random() * Math.min(base * 2 ** (attempt - 1), 20_000));
        // A Retry-After the error carries (Lattice's retryAfterSeconds) stretches the wait to it, by at most 5 s (smithy core retry).
        const hinted = retryAfterSeconds === undefined ? backoff : Math.max(backoff, Math.min(retryAfterSeconds * 1000, backoff + 5_000));
        await this.sleep(hinted);
      }
    }
  }

  /** A UUID-shaped id, as AWS hands out, drawn from the seeded random. */
  private newId(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.idRandom() * 0x100000000).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  private async dispatch(service: ServiceName, command: SdkCommand): Promise<unknown> {
    const operation = operationOf(command);
    const handler = this.services[service].operations.get(operation);
    if (handler === undefined) {
      throw new Error(`SimulatedAws does not simulate ${service} ${operation}.`);
    }
    const input = deepClone(command.input);
    const caller = this.callerOf();
    const delay = this.latencyMs?.(operation) ?? 0;
    if (delay > 0) {
      await this.sleep(delay);
    }
    for (const listener of [...this.beforeCallListeners]) {
      await listener({ service, operation, input: deepClone(input), caller });
    }
    const call: SimulatedCall = { service, operation, input, outcome: 'ok', at: this.now(), ...(caller === undefined ? {} : { caller }) };
    this.calls.push(call);
    const site = { caller: caller ?? 'harness', service, operation };
    let output: unknown;
    try {
      this.throwInjectedFault(service, operation);
      this.faultsAtSites?.before(site);
      output = handler(deepClone(input));
    } catch (error) {
      call.outcome = (error as Error).name;
      throw error;
    }
    for (const listener of [...this.callListeners]) {
      await listener(deepClone(call));
    }
    this.faultsAtSites?.after(site);
    return {
      ...(deepClone(output) as object),
      $metadata: { httpStatusCode: 200, requestId: this.newId(), attempts: 1, totalRetryDelay: 0 },
    };
  }

  private throwInjectedFault(service: ServiceName, operation: string): void {
    const index = this.faults.findIndex((fault) => fault.operation === operation);
    const fault = this.faults[index];
    if (fault === undefined) {
      return;
    }
    fault.remaining -= 1;
    if (fault.remaining === 0) {
      this.faults.splice(index, 1);
    }
    const name = fault.error ?? THROTTLING_ERROR[service];
    throw namedServiceError(service, name, `Simulated ${name} injected into ${operation}.`);
  }

  private emit(event: SimulatedEvent): void {
    for (const listener of [...this.eventListeners]) {
      listener(deepClone(event));
    }
  }
}
