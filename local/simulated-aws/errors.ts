import * as appMeshSdk from '@aws-sdk/client-app-mesh';
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as ssmSdk from '@aws-sdk/client-ssm';
import type { ServiceName } from './shared';

interface SdkError extends Error {
  readonly $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
}

export type SdkErrorClass = new (options: { message: string; $metadata: object }) => SdkError;

const SERVICE_BASE_EXCEPTION = {
  appmesh: appMeshSdk.AppMeshServiceException,
  ecs: ecsSdk.ECSServiceException,
  cloudwatch: cloudWatchSdk.CloudWatchServiceException,
  ssm: ssmSdk.SSMServiceException,
} as const;

const SDK_EXPORTS: Record<ServiceName, Readonly<Record<string, unknown>>> = {
  appmesh: appMeshSdk,
  ecs: ecsSdk,
  cloudwatch: cloudWatchSdk,
  ssm: ssmSdk,
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
};

/** The error each service returns when it throttles, as the SDK names it. */
export const THROTTLING_ERROR: Record<ServiceName, string> = {
  appmesh: 'TooManyRequestsException',
  ecs: 'ThrottlingException',
  cloudwatch: 'Throttling',
  ssm: 'ThrottlingException',
};

function httpStatus(service: ServiceName, name: string, fault: 'client' | 'server'): number {
  return HTTP_STATUS[service][name] ?? (fault === 'server' ? 500 : 400);
}

export function serviceError(service: ServiceName, ErrorClass: SdkErrorClass, message: string): Error {
  const error = new ErrorClass({ message, $metadata: {} });
  error.$metadata = { httpStatusCode: httpStatus(service, error.name, error.$fault) };
  return error;
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
    return serviceError(service, modeled, message);
  }
  const Base = SERVICE_BASE_EXCEPTION[service];
  return new Base({ name, $fault: 'client', message, $metadata: { httpStatusCode: httpStatus(service, name, 'client') } });
}
