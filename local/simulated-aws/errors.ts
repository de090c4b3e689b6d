import * as appMeshSdk from '@aws-sdk/client-app-mesh';
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as ssmSdk from '@aws-sdk/client-ssm';
import * as vpcLatticeSdk from '@aws-sdk/client-vpc-lattice';
import type { ServiceName } from './shared';

interface SdkError extends Error {
  readonly $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
}

/** An SDK exception class; the members its options require besides the message come as `serviceError`'s `fields`. */
export type SdkErrorClass = new (options: never) => SdkError;

const SERVICE_BASE_EXCEPTION = {
  appmesh: appMeshSdk.AppMeshServiceException,
  ecs: ecsSdk.ECSServiceException,
  cloudwatch: cloudWatchSdk.CloudWatchServiceException,
  ssm: ssmSdk.SSMServiceException,
  'vpc-lattice': vpcLatticeSdk.VPCLatticeServiceException,
} as const;

const SDK_EXPORTS: Record<ServiceName, Readonly<Record<string, unknown>>> = {
  appmesh: appMeshSdk,
  ecs: ecsSdk,
  cloudwatch: cloudWatchSdk,
  ssm: ssmSdk,
  'vpc-lattice': vpcLatticeSdk,
};

// Status codes the services' models declare; anything absent is 400 for client faults, 500 for server faults.
const HTTP_STATUS: Record<ServiceName, Readonly<Record<string, number>>> = {
  appmesh: {
    ForbiddenException: 403,
    NotFoundException: 404,
    ConflictException: 409,
    ResourceInUseException: 409,
    TooManyRequestsException: 429,
    ServiceUnavailableException: 503,
  },
  ecs: { AccessDeniedException: 403 },
  cloudwatch: {
    ResourceNotFound: 404,
    ResourceNotFoundException: 404,
    DashboardNotFoundError: 404,
    ConflictException: 409,
    ConcurrentModificationException: 429,
  },
  ssm: {},
  'vpc-lattice': {
    ServiceQuotaExceededException: 402,
    AccessDeniedException: 403,
    ResourceNotFoundException: 404,
    ConflictException: 409,
    ThrottlingException: 429,
  },
};

/** The error each service returns when it throttles, as the SDK names it. */
export const THROTTLING_ERROR: Record<ServiceName, string> = {
  appmesh: 'TooManyRequestsException',
  ecs: 'ThrottlingException',
  cloudwatch: 'Throttling',
  ssm: 'ThrottlingException',
  'vpc-lattice': 'ThrottlingException',
};

/**
 * Members an injected error carries besides its message: Lattice's ThrottlingException has
 * retryAfterSeconds (the Retry-After header; the value the simulator sends is its own choice).
 */
const INJECTED_ERROR_FIELDS: Partial<Record<ServiceName, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> = {
  'vpc-lattice': { ThrottlingException: { retryAfterSeconds: 1 } },
};

function httpStatus(service: ServiceName, name: string, fault: 'client' | 'server'): number {
  return HTTP_STATUS[service][name] ?? (fault === 'server' ? 500 : 400);
}

/** `fields` are the error's modeled members besides the message (resourceId, reason, retryAfterSeconds…). */
export function serviceError(service: ServiceName, ErrorClass: SdkErrorClass, message: string, fields: Readonly<Record<string, unknown>> = {}): Error {
  // Each class types its own options: the one place their shape is taken on trust.
  const Construct = ErrorClass as unknown as new (options: object) => SdkError;
  const error = new Construct({ ...fields, message, $metadata: {} });
  error.$metadata = { httpStatusCode: httpStatus(service, error.name, error.$fault) };
  return error;
}

/** Whether the command is this service's own: operation names (CreateService, TagResource…) repeat across services. */
export function isCommandOf(service: ServiceName, command: object): boolean {
  return SDK_EXPORTS[service][command.constructor.name] === command.constructor;
}

function isModeledError(service: ServiceName, candidate: unknown): candidate is SdkErrorClass {
  return typeof candidate === 'function' && candidate.prototype instanceof SERVICE_BASE_EXCEPTION[service];
}

/**
 * Uses the SDK's own class when the service models an error of that name, so callers'
 * `instanceof` checks behave as against AWS; unmodeled errors (ECS throttling, for one)
 * arrive from the real SDK as the service's base exception carrying the wire name.
 */
export function namedServiceError(service: ServiceName, name: string, message: string): Error {
  const modeled = SDK_EXPORTS[service][name];
  if (isModeledError(service, modeled)) {
    return serviceError(service, modeled, message, INJECTED_ERROR_FIELDS[service]?.[name]);
  }
  const Base = SERVICE_BASE_EXCEPTION[service];
  return new Base({ name, $fault: 'client', message, $metadata: { httpStatusCode: httpStatus(service, name, 'client') } });
}
