export type ServiceName = 'appmesh' | 'ecs' | 'cloudwatch' | 'ssm' | 'vpc-lattice';

interface EventBridgeEvent<TDetailType extends string, TSource extends string, TDetail> {
  version: '0';
  id: string;
  'detail-type': TDetailType;
  source: TSource;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
}

export type EcsDeploymentEventName =
  | 'SERVICE_DEPLOYMENT_IN_PROGRESS'
  | 'SERVICE_DEPLOYMENT_COMPLETED'
  | 'SERVICE_DEPLOYMENT_FAILED';

export type EcsDeploymentStateChangeEvent = EventBridgeEvent<
  'ECS Deployment State Change',
  'aws.ecs',
  {
    eventType: 'INFO' | 'ERROR';
    eventName: EcsDeploymentEventName;
    deploymentId: string;
    updatedAt: string;
    reason: string;
  }
>;

export interface AlarmStateSnapshot {
  reason: string;
  timestamp: string;
  value: string;
}

export type CloudWatchAlarmStateChangeEvent = EventBridgeEvent<
  'CloudWatch Alarm State Change',
  'aws.cloudwatch',
  {
    alarmName: string;
    configuration: { metrics: unknown[] };
    previousState: AlarmStateSnapshot;
    state: AlarmStateSnapshot;
  }
>;

export type SimulatedEvent = EcsDeploymentStateChangeEvent | CloudWatchAlarmStateChangeEvent;

/** What every simulated service needs from the facade. */
export interface SimulationContext {
  readonly region: string;
  readonly accountId: string;
  /** The stack's clock: every timestamp a service writes comes from it. */
  now(): Date;
  /** A fresh id, drawn from the stack's seeded random so runs repeat. */
  newId(): string;
  emit(event: SimulatedEvent): void;
}

/** EventBridge envelopes, and ECS deployment details, carry second-precision UTC times. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function eventEnvelope(context: SimulationContext, at: Date) {
  return {
    version: '0' as const,
    id: context.newId(),
    account: context.accountId,
    time: isoSeconds(at),
    region: context.region,
  };
}

/**
 * Copies request and response data so no caller shares an object with the store. Like the wire,
 * it drops undefined members; unlike structuredClone, it builds Dates in the caller's realm, so
 * `instanceof Date` holds under jest.
 */
export function deepClone<T>(value: T): T {
  if (value instanceof Date) {
    return new Date(value.getTime()) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => deepClone(item)) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, deepClone(item)]),
    ) as T;
  }
  return value;
}

export type OperationHandler = (input: unknown) => unknown;
export type Operations = ReadonlyMap<string, OperationHandler>;

/**
 * The SDK command that reaches an operation is typed for that operation, so each
 * handler can declare its own input type; this is the single place that trust is taken.
 */
export function operationTable(table: Record<string, (input: never) => unknown>): Operations {
  return new Map(Object.entries(table) as Array<[string, OperationHandler]>);
}
