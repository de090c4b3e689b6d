import { randomUUID } from 'node:crypto';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SimulatedAppMesh } from './app-mesh';
import { SimulatedCloudWatch } from './cloudwatch';
import { SimulatedEcs } from './ecs';
import { namedServiceError, THROTTLING_ERROR } from './errors';
import { deepClone, type Operations, type ServiceName, type SimulatedEvent, type SimulationContext } from './shared';
import { SimulatedSsm } from './ssm';

export interface SimulatedAwsOptions {
  region?: string;
  accountId?: string;
  /** Simulated round-trip time per call, awaited before the operation takes effect. */
  latencyMs?: (operation: string) => number;
  /**
   * Attempts an attached client makes per command, as the SDK's standard retry mode does for
   * throttling and 5xx (default 3, like the real clients; 1 turns it off). Each attempt is a call.
   */
  sdkMaxAttempts?: number;
}

export interface SimulatedCall {
  service: ServiceName;
  operation: string;
  input: unknown;
  /** 'ok', or the name of the error the call threw. */
  outcome: 'ok' | (string & {});
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
  throw new Error('SimulatedAws can attach only to AppMeshClient, ECSClient, CloudWatchClient or SSMClient instances.');
}

/**
 * A stateful, in-memory App Mesh, ECS, CloudWatch and SSM behind real SDK clients, enforcing the
 * services' rules so the product's handlers can run a whole rollout without an AWS account.
 */
export class SimulatedAws {
  readonly region: string;
  readonly accountId: string;
  readonly appMesh: SimulatedAppMesh;
  readonly ecs: SimulatedEcs;
  readonly cloudwatch: SimulatedCloudWatch;
  readonly ssm: SimulatedSsm;
  readonly calls: SimulatedCall[] = [];

  private readonly latencyMs: ((operation: string) => number) | undefined;
  private readonly sdkMaxAttempts: number;
  private readonly services: Record<ServiceName, { operations: Operations }>;
  private readonly faults: PendingFault[] = [];
  private readonly callListeners = new Set<CallListener>();
  private readonly eventListeners = new Set<EventListener>();

  constructor(options: SimulatedAwsOptions = {}) {
    this.region = options.region ?? 'us-west-2';
    this.accountId = options.accountId ?? '111122223333';
    this.latencyMs = options.latencyMs;
    this.sdkMaxAttempts = options.sdkMaxAttempts ?? 3;
    const context: SimulationContext = {
      region: this.region,
      accountId: this.accountId,
      emit: (event) => this.emit(event),
    };
    this.appMesh = new SimulatedAppMesh(context);
    this.ecs = new SimulatedEcs(context);
    this.cloudwatch = new SimulatedCloudWatch(context);
    this.ssm = new SimulatedSsm(context);
    this.services = { appmesh: this.appMesh, ecs: this.ecs, cloudwatch: this.cloudwatch, ssm: this.ssm };
  }

  /** Routes this client instance's `send` to the simulator; other instances keep talking to AWS. */
  attach<C extends { send: unknown }>(client: C): C {
    const service = serviceOfClient(client);
    (client as { send: unknown }).send = (command: SdkCommand) => this.dispatchWithSdkRetries(service, command);
    return client;
  }

  /** Sends a command without a client; the simulated operation names are unique across services. */
  async send(command: SdkCommand): Promise<unknown> {
    const operation = operationOf(command);
    const service = (Object.keys(this.services) as ServiceName[]).find((name) =>
      this.services[name].operations.has(operation),
    );
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

  /** The SDK retries throttling and server errors before the caller sees them; so does an attached client. */
  private async dispatchWithSdkRetries(service: ServiceName, command: SdkCommand): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dispatch(service, command);
      } catch (error) {
        const { $metadata, name } = error as { $metadata?: { httpStatusCode?: number }; name?: string };
        const status = $metadata?.httpStatusCode ?? 0;
        const retryable = status === 429 || status >= 500 || /Throttl|TooManyRequests/.test(name ?? '');
        if (!retryable || attempt >= this.sdkMaxAttempts) throw error;
      }
    }
  }

  private async dispatch(service: ServiceName, command: SdkCommand): Promise<unknown> {
    const operation = operationOf(command);
    const handler = this.services[service].operations.get(operation);
    if (handler === undefined) {
      throw new Error(`SimulatedAws does not simulate ${service} ${operation}.`);
    }
    const input = deepClone(command.input);
    const delay = this.latencyMs?.(operation) ?? 0;
    if (delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const call: SimulatedCall = { service, operation, input, outcome: 'ok' };
    this.calls.push(call);
    let output: unknown;
    try {
      this.throwInjectedFault(service, operation);
      output = handler(deepClone(input));
    } catch (error) {
      call.outcome = (error as Error).name;
      throw error;
    }
    for (const listener of [...this.callListeners]) {
      await listener(deepClone(call));
    }
    return {
      ...(deepClone(output) as object),
      $metadata: { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 },
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
