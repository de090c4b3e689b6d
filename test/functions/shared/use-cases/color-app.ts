import type { RouteSpec, WeightedTarget } from '../../../../functions/shared/domain/route-spec';
import type { Rollout } from '../../../../functions/shared/domain/rollout';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import type { RouteRef } from '../../../../functions/shared/ports/traffic-router';
import { rolloutRecord } from '../rollout-record';
import { fakePorts } from './fakes';

/** The App Mesh color app, as the use-case tests seed it into the fakes. */
export const mesh = 'colorapp';
export const virtualRouter = 'colorteller-vr';
export const route = 'colorteller-route';
export const routeRef: RouteRef = { mesh, virtualRouter, route };
export const leaseKey = `${mesh}/${virtualRouter}/${route}`;
export const stableNode = 'colorteller-v1';
export const canaryNode = 'colorteller-v2';
export const stableService = 'colorteller-blue';
export const canaryService = 'colorteller-green';
export const greenTaskDefinition = 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-green:7';
export const blueTaskDefinition = 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-blue:3';
/** When ECS created the green deployment: the start every rollout of it is ordered by. */
export const deploymentCreatedAt = '2026-11-20T12:36:41.000Z';
export const policyParameter = '/meshshift/colorteller';
export const original: WeightedTarget[] = [{ virtualNode: stableNode, weight: 100, port: 9080 }];

/** A route with everything UpdateRoute must get back (I1): match, retries, timeouts, priority. */
export function routeSpec(targets: WeightedTarget[] = original): RouteSpec {
  return {
    priority: 100,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-color', match: { exact: 'blue' } }] },
      retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 200 }, httpRetryEvents: ['server-error'] },
      timeout: { perRequest: { unit: 's', value: 10 } },
      action: { weightedTargets: targets },
    },
  };
}

export function nodeSpec(service: string) {
  return {
    listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'colorapp.local', serviceName: 'colorteller', attributes: [{ key: 'ECS_SERVICE_NAME', value: service }] } },
  };
}

export function policyDocument(overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    mesh,
    virtualRouter,
    routes: [route],
    schedule: { type: 'steps', steps: [10, 50, 100] },
    alarms: ['colorteller-5xx'],
    ...overrides,
  };
}

/** Fakes holding the color app: the stable node serving 100 %, a tagged canary service deploying green. */
export function colorAppPorts() {
  const ports = fakePorts();
  ports.router.setRoute(routeRef, routeSpec());
  ports.router.nodes.set(stableNode, nodeSpec(stableService));
  ports.deployer.services.set(canaryService, {
    serviceArn: `arn:aws:ecs:us-west-2:111122223333:service/default/${canaryService}`,
    serviceName: canaryService,
    desiredCount: 2,
    deployments: [{ id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState: 'IN_PROGRESS', createdAt: deploymentCreatedAt }],
    tags: { 'meshshift:policy': policyParameter },
  });
  // The stable half of the blue/green pair consents to green taking its traffic (I8).
  ports.deployer.services.set(stableService, {
    serviceArn: `arn:aws:ecs:us-west-2:111122223333:service/default/${stableService}`,
    serviceName: stableService,
    desiredCount: 2,
    deployments: [{ id: 'ecs-svc/1111', status: 'PRIMARY', taskDefinition: blueTaskDefinition, rolloutState: 'COMPLETED', createdAt: '2026-11-01T09:00:00.000Z' }],
    tags: { 'meshshift:pair': canaryService },
  });
  ports.deployer.taskDefinitions.set(greenTaskDefinition, {
    taskDefinitionArn: greenTaskDefinition,
    proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' },
    containerDefinitions: [{ name: 'envoy', environment: [{ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:us-west-2:111122223333:mesh/${mesh}/virtualNode/${canaryNode}` }] }],
  });
  ports.policies.parameters.set(policyParameter, JSON.stringify(policyDocument()));
  ports.health.states['colorteller-5xx'] = 'OK';
  return ports;
}

/** The registry record of a rollout of the color app, as prepareRollout stores it. */
export function colorAppRecord(overrides: Partial<RolloutRecord> = {}): RolloutRecord {
  return rolloutRecord({
    mesh,
    virtualRouter,
    routes: [route],
    service: canaryService,
    taskDefinitionArn: greenTaskDefinition,
    canaryNode,
    stableNode,
    originalTargets: { [route]: original },
    lastWrittenTargets: { [route]: original },
    ...overrides,
  });
}

/** The rollout as the state machine carries it, matching colorAppRecord. */
export function colorAppRollout(overrides: Partial<Rollout> = {}): Rollout {
  const record = colorAppRecord();
  return {
    rolloutId: record.rolloutId,
    executionArn: record.executionArn,
    mesh,
    virtualRouter,
    routes: [route],
    cluster: record.cluster,
    service: canaryService,
    taskDefinitionArn: greenTaskDefinition,
    deploymentId: record.deploymentId,
    deployTaskDefinition: false,
    canaryNode,
    stableNode,
    weights: [10, 50, 100],
    settleSeconds: 0,
    bakeSeconds: 60,
    bakeWaitSeconds: 60,
    stepIndex: 0,
    alarms: record.alarms,
    toleratedFailedChecks: 0,
    failedChecks: 0,
    promotion: { deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 30 },
    rollback: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    ...overrides,
  };
}
