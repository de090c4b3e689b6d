/**
 * Shared helpers for the Lambda handler tests in test/functions: SDK client mocks for every
 * client the wiring creates, an in-memory stand-in for the registry table that behaves like
 * DynamoDB for the few expressions the registry adapter writes, and builders for realistic
 * App Mesh, ECS and registry data (the color app of local/color-app.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AppMeshClient,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ListTagsForResourceCommand as ListMeshTagsCommand,
  NotFoundException,
  type TagRef,
  UpdateRouteCommand,
  type UpdateRouteCommandInput,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, type Deployment, ECSClient, ListTagsForResourceCommand as ListEcsTagsCommand, type Service, type Tag } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  DeleteCommand,
  type DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import type { MetadataBearer } from '@smithy/types';
import type { PolicyDocument } from '../../functions/shared/domain/policy';
import { colorApp, defaultColorAppPolicy, meshNodeSpec } from '../../local/color-app';
import type { Rollout } from '../../functions/shared/domain/rollout';
import type { WeightedTarget } from '../../functions/shared/domain/route-spec';
import type { RolloutRecord } from '../../functions/shared/ports/registry';

export { colorApp, defaultColorAppPolicy };

export const tableName = process.env.REGISTRY_TABLE_NAME ?? 'meshshift-registry';
export const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
export const accountId = '111122223333';

/** Every SDK client the handlers' wiring creates, mocked on the class so module-level instances are covered. */
export const aws = {
  appMesh: mockClient(AppMeshClient),
  ecs: mockClient(ECSClient),
  cloudWatch: mockClient(CloudWatchClient),
  ssm: mockClient(SSMClient),
  sfn: mockClient(SFNClient),
  dynamo: mockClient(DynamoDBDocumentClient),
};

/** The mocks seen through one type, for what every client's mock offers alike. */
const allMocks = () => Object.entries(aws) as unknown as Array<[string, AwsStub<object, MetadataBearer, unknown>]>;

/**
 * Resets every mock; any command a test did not stub then fails loudly (instead of
 * resolving `undefined`), and the registry table starts empty. Call in `beforeEach`.
 */
export function resetAws(): RegistryTable {
  for (const [client, mock] of allMocks()) {
    mock.reset();
    mock.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`Unexpected ${client} call, not stubbed by the test: ${JSON.stringify(input)}`);
    });
  }
  return new RegistryTable().install();
}

/** Every call made, as `client.Command`, in the order they were made (across clients). */
export function awsCalls(): string[] {
  return allMocks()
    .flatMap(([client, mock]) => mock.calls().map((call) => ({ call, name: `${client}.${call.args[0].constructor.name}` })))
    .sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1))
    .map((entry) => entry.name);
}

const readOnly = /^(Describe|Get|List|Query|Scan|BatchGet)/;

/** Calls that change something: anything not a Describe/Get/List/Query. */
export function mutatingCalls(): string[] {
  return awsCalls().filter((call) => !readOnly.test(call.split('.')[1] ?? ''));
}

export function expectNoMutatingCall(): void {
  expect(mutatingCalls()).toEqual([]);
}

export function expectNoAwsCall(): void {
  expect(awsCalls()).toEqual([]);
}

/**
 * The calls of a cleanup the cleanup guard allows (I8), as awsCalls() lists them: its fresh
 * reads, then the cleanup itself.
 */
export const guardedCleanupCalls = {
  /** The rollout's route, the service of the node it sends weight to, the other active rollouts and what ECS runs (no tags); then desiredCount 0. */
  scaleDown: [
    'appMesh.DescribeRouteCommand',
    'appMesh.DescribeVirtualNodeCommand',
    'dynamo.QueryCommand',
    'ecs.DescribeServicesCommand',
    'ecs.DescribeServicesCommand',
    'ecs.UpdateServiceCommand',
  ],
  /** The rollout's route and the other active rollouts; then the node is deleted. */
  deleteNode: ['appMesh.DescribeRouteCommand', 'dynamo.QueryCommand', 'appMesh.DeleteVirtualNodeCommand'],
};

/** A minimal but complete Lambda context. */
export function lambdaContext(functionName = 'meshshift-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:${accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: '6f2c1c3e-0000-4000-8000-000000000001',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/20/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A sample EventBridge event from test/fixtures/events. */
export function loadEvent(name: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', `${name}.json`), 'utf8'));
}

/** An SDK service exception as the client throws it (same class and `name`). */
export function awsError<E extends Error>(
  ErrorClass: new (options: { message: string; $metadata: object }) => E,
  message = 'simulated failure',
): E {
  return new ErrorClass({ message, $metadata: { httpStatusCode: 400 } });
}

export function notFound(message: string): NotFoundException {
  return awsError(NotFoundException, message);
}

// ---------------------------------------------------------------------------------------------
// The color app as AWS describes it
// ---------------------------------------------------------------------------------------------

export const rolloutId = 'default-colorteller-0123456789012345678';
export const deploymentId = 'ecs-svc/0123456789012345678';
export const executionArn = `arn:aws:states:us-west-2:${accountId}:execution:meshshift-rollout:${rolloutId}`;
export const canaryTaskDefinitionArn = `arn:aws:ecs:us-west-2:${accountId}:task-definition/colorteller:2`;
export const stableTaskDefinitionArn = `arn:aws:ecs:us-west-2:${accountId}:task-definition/colorteller-blue:1`;
export const canaryServiceArn = ecsServiceArn(colorApp.canaryService);
export const stableServiceArn = ecsServiceArn(colorApp.stableService);
export const virtualRouterArn = `arn:aws:appmesh:us-west-2:${accountId}:mesh/${colorApp.mesh}/virtualRouter/${colorApp.virtualRouter}`;
export const routeLeaseKey = `${colorApp.mesh}/${colorApp.virtualRouter}/${colorApp.route}`;

export const stableOnly: WeightedTarget[] = [{ virtualNode: colorApp.stableNode, weight: 100, port: 9080 }];
export const canaryOnly: WeightedTarget[] = [{ virtualNode: colorApp.canaryNode, weight: 100, port: 9080 }];

export function split(canaryWeight: number): WeightedTarget[] {
  return [
    { virtualNode: colorApp.stableNode, weight: 100 - canaryWeight, port: 9080 },
    { virtualNode: colorApp.canaryNode, weight: canaryWeight, port: 9080 },
  ];
}

/**
 * The demo route spec with the given weighted targets: a header match, a retry policy and
 * timeouts, which every write must carry back unchanged (I1).
 */
export function routeSpec(targets: WeightedTarget[] = stableOnly, route: string = colorApp.route) {
  return {
    priority: route === colorApp.route ? 10 : 20,
    httpRoute: {
      match: { prefix: '/', headers: [{ name: 'x-color-experiment', invert: true, match: { exact: 'off' } }] },
      action: { weightedTargets: targets },
      retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms' as const, value: 2000 }, httpRetryEvents: ['server-error', 'gateway-error'] },
      timeout: { perRequest: { unit: 's' as const, value: 15 }, idle: { unit: 's' as const, value: 300 } },
    },
  };
}

export function routeArn(route: string = colorApp.route): string {
  return `${virtualRouterArn}/route/${route}`;
}

export function describeRouteOutput(targets: WeightedTarget[] = stableOnly, route: string = colorApp.route) {
  return {
    route: {
      meshName: colorApp.mesh,
      virtualRouterName: colorApp.virtualRouter,
      routeName: route,
      spec: routeSpec(targets, route),
      metadata: {
        arn: routeArn(route),
        version: 3,
        uid: '00000000-0000-4000-8000-000000000003',
        createdAt: new Date('2026-11-01T00:00:00Z'),
        lastUpdatedAt: new Date('2026-11-01T00:00:00Z'),
        meshOwner: accountId,
        resourceOwner: accountId,
      },
      status: { status: 'ACTIVE' as const },
    },
  };
}

/**
 * A route that remembers writes: DescribeRoute answers what UpdateRoute last wrote, as App
 * Mesh does. `onRead` runs before each read (to simulate a concurrent writer).
 */
export function simulateRoute(targets: WeightedTarget[], route: string = colorApp.route, onRead: () => void = () => undefined): { targets: WeightedTarget[] } {
  const state = { targets };
  aws.appMesh.on(DescribeRouteCommand, { routeName: route }).callsFake(() => {
    onRead();
    return describeRouteOutput(state.targets, route);
  });
  aws.appMesh.on(UpdateRouteCommand, { routeName: route }).callsFake((input: UpdateRouteCommandInput) => {
    state.targets = (input.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[];
    return { route: { ...describeRouteOutput(state.targets, route).route, spec: input.spec } };
  });
  return state;
}

/** A virtual node spec whose Cloud Map discovery selects the tasks of `service`. */
export const nodeSpec = meshNodeSpec;

export function describeVirtualNodeOutput(node: string, service: string) {
  return {
    virtualNode: {
      meshName: colorApp.mesh,
      virtualNodeName: node,
      spec: nodeSpec(service),
      metadata: {
        arn: `arn:aws:appmesh:us-west-2:${accountId}:mesh/${colorApp.mesh}/virtualNode/${node}`,
        version: 1,
        uid: '00000000-0000-4000-8000-000000000001',
        createdAt: new Date('2026-11-01T00:00:00Z'),
        lastUpdatedAt: new Date('2026-11-01T00:00:00Z'),
        meshOwner: accountId,
        resourceOwner: accountId,
      },
      status: { status: 'ACTIVE' as const },
    },
  };
}

/** Answers DescribeVirtualNode for `node`: a node selecting the tasks of `service`, or NotFoundException without one. */
export function stubVirtualNode(node: string, service?: string): void {
  const stub = aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: node });
  if (service) stub.resolves(describeVirtualNodeOutput(node, service));
  else stub.rejects(notFound(`VirtualNode ${node} not found in mesh ${colorApp.mesh}`));
}

/**
 * Answers App Mesh ListTagsForResource for the virtual router and for `route`: where the
 * platform team grants a shared route (`meshshift:shared-with`). Untagged by default.
 */
export function stubRouteTags(tags: { route?: TagRef[]; router?: TagRef[] } = {}, route: string = colorApp.route): void {
  aws.appMesh.on(ListMeshTagsCommand, { resourceArn: virtualRouterArn }).resolves({ tags: tags.router ?? [] });
  aws.appMesh.on(ListMeshTagsCommand, { resourceArn: routeArn(route) }).resolves({ tags: tags.route ?? [] });
}

/** The tag by which the platform team lets `services` (comma-separated, or `*`) roll out a route whoever's nodes it names. */
export function sharedWithTag(services: string): TagRef {
  return { key: 'meshshift:shared-with', value: services };
}

/** A registered task definition whose Envoy announces `node`, the way App Mesh ECS tasks do. */
export function taskDefinition(node: string = colorApp.canaryNode, arn: string = canaryTaskDefinitionArn) {
  return {
    taskDefinitionArn: arn,
    family: 'colorteller',
    revision: 2,
    status: 'ACTIVE' as const,
    proxyConfiguration: { type: 'APPMESH' as const, containerName: 'envoy', properties: [{ name: 'AppPorts', value: '9080' }] },
    containerDefinitions: [
      { name: 'app', image: 'public.ecr.aws/appmesh/colorteller:latest', essential: true },
      {
        name: 'envoy',
        image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.12.1-prod',
        essential: true,
        environment: [{ name: 'APPMESH_RESOURCE_ARN', value: `arn:aws:appmesh:us-west-2:${accountId}:mesh/${colorApp.mesh}/virtualNode/${node}` }],
      },
    ],
  };
}

export function ecsServiceArn(name: string): string {
  return `arn:aws:ecs:us-west-2:${accountId}:service/${colorApp.cluster}/${name}`;
}

/** colorteller's deployment of the canary task definition, the one the sample ECS events report: ECS created it at 12:31:10. */
export const canaryDeployment: Deployment = {
  id: deploymentId,
  status: 'PRIMARY',
  taskDefinition: canaryTaskDefinitionArn,
  rolloutState: 'IN_PROGRESS',
  createdAt: new Date('2026-11-20T12:31:10Z'),
};

/** colorteller's first deployment, of blue's task definition, made when the color app was set up. */
export const firstDeployment: Deployment = {
  id: 'ecs-svc/1111111111111111111',
  status: 'ACTIVE',
  taskDefinition: stableTaskDefinitionArn,
  rolloutState: 'COMPLETED',
  createdAt: new Date('2026-11-01T00:00:00Z'),
};

/** An ECS service as DescribeServices returns it: by default colorteller, deploying the canary task definition (listed newest first, as ECS does). */
export function ecsService(overrides: Partial<Service> = {}, name: string = colorApp.canaryService): Service {
  return {
    serviceArn: ecsServiceArn(name),
    serviceName: name,
    clusterArn: `arn:aws:ecs:us-west-2:${accountId}:cluster/${colorApp.cluster}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    deployments: [canaryDeployment, firstDeployment],
    ...overrides,
  };
}

/**
 * A service that deploys nothing: the one PRIMARY deployment (of task definition `<name>:1`) it has
 * run since the color app was set up, long before any rollout, with the fields of `deployment`
 * replaced. By default colorteller-blue, the stable service.
 */
export function settledEcsService(name: string = colorApp.stableService, deployment: Partial<Deployment> = {}): Service {
  const settled: Deployment = {
    id: 'ecs-svc/1000000000000000001',
    status: 'PRIMARY',
    taskDefinition: `arn:aws:ecs:us-west-2:${accountId}:task-definition/${name}:1`,
    rolloutState: 'COMPLETED',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    ...deployment,
  };
  return ecsService({ deployments: [settled] }, name);
}

export const policyTag = { key: 'meshshift:policy', value: colorApp.policyParameter };

/** Blue serves the route today and consents, by its pair tag, to colorteller taking its traffic. */
export const pairTag = { key: 'meshshift:pair', value: colorApp.canaryService };

/** Answers DescribeServices (by name) and ECS ListTagsForResource (by ARN) for one service, as ECS does. */
export function stubEcsService(service: Service, tags: Tag[] = []): void {
  aws.ecs.on(DescribeServicesCommand, { services: [service.serviceName ?? ''] }).resolves({ services: [service], failures: [] });
  aws.ecs.on(ListEcsTagsCommand, { resourceArn: service.serviceArn }).resolves({ tags });
}

/**
 * The color app's two ECS services as a rollout of colorteller finds them: colorteller opted in
 * by its policy tag, colorteller-blue settled and naming colorteller in its pair tag.
 */
export function stubColorAppServices(canary: Service = ecsService(), stable: Service = settledEcsService()): void {
  stubEcsService(canary, [policyTag]);
  stubEcsService(stable, [pairTag]);
}

/** A policy document as stored in SSM, with fields replaced. */
export function policyDocument(overrides: Record<string, unknown> = {}): PolicyDocument {
  return { ...defaultColorAppPolicy, ...overrides } as PolicyDocument;
}

// ---------------------------------------------------------------------------------------------
// Rollouts as the state machine passes them and as the registry stores them
// ---------------------------------------------------------------------------------------------

/** The rollout the Prepare step returns for the sample deployment with the default policy. */
export function rolloutInput(overrides: Partial<Rollout> = {}): Rollout {
  return {
    rolloutId,
    executionArn,
    mesh: colorApp.mesh,
    virtualRouter: colorApp.virtualRouter,
    routes: [colorApp.route],
    cluster: colorApp.cluster,
    service: colorApp.canaryService,
    taskDefinitionArn: canaryTaskDefinitionArn,
    deploymentId,
    deployTaskDefinition: false,
    canaryNode: colorApp.canaryNode,
    stableNode: colorApp.stableNode,
    weights: [10, 25, 50, 100],
    settleSeconds: 0,
    bakeSeconds: 60,
    bakeWaitSeconds: 60,
    stepIndex: 0,
    alarms: [colorApp.alarm],
    toleratedFailedChecks: 0,
    failedChecks: 0,
    promotion: { deleteStableNode: true, scaleStableServiceToZero: true, drainSeconds: 10 },
    rollback: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    ...overrides,
  };
}

export function rolloutRecord(overrides: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    rolloutId,
    executionArn,
    phase: 'SHIFTING',
    mesh: colorApp.mesh,
    virtualRouter: colorApp.virtualRouter,
    routes: [colorApp.route],
    cluster: colorApp.cluster,
    service: colorApp.canaryService,
    taskDefinitionArn: canaryTaskDefinitionArn,
    deploymentId,
    startedAt: '2026-11-20T12:31:10Z',
    canaryNode: colorApp.canaryNode,
    canaryNodeCreated: true,
    stableNode: colorApp.stableNode,
    alarms: [colorApp.alarm],
    originalTargets: { [colorApp.route]: stableOnly },
    lastWrittenTargets: { [colorApp.route]: stableOnly },
    stepIndex: -1,
    canaryWeight: 0,
    rollbackOptions: { deleteCanaryNode: true, scaleCanaryServiceToZero: true },
    updatedAt: '2026-11-20T12:32:00Z',
    ...overrides,
  };
}

type Item = Record<string, unknown>;

/** A rollout item as DynamoDbRegistry stores it (keys, and the active-rollouts index while active). */
export function rolloutItem(record: RolloutRecord): Item {
  const ended = ['PROMOTED', 'ROLLED_BACK', 'ABANDONED'].includes(record.phase);
  return {
    ...record,
    pk: `ROLLOUT#${record.rolloutId}`,
    sk: 'ROLLOUT',
    ...(ended ? { expiresAt: 1_900_000_000 } : { gsi1pk: 'ACTIVE', gsi1sk: `${record.startedAt}#${record.rolloutId}` }),
  };
}

export function leaseItem(routeKey: string, holder: string, startedAt = '2026-11-20T12:31:10Z'): Item {
  return { pk: `ROUTE#${routeKey}`, sk: 'LEASE', gsi1pk: 'LEASE', gsi1sk: routeKey, routeKey, rolloutId: holder, startedAt };
}

export function alarmIndexItem(alarmName: string, holder: string): Item {
  return { pk: `ALARM#${alarmName}`, sk: `ROLLOUT#${holder}`, rolloutId: holder };
}

/** Where the deploying index files a rollout, so a deployment event finds the rollout behind its own UpdateService. */
export function deployingIndexKey(record: RolloutRecord = rolloutRecord()): { pk: string; sk: string } {
  return { pk: `DEPLOYING#${record.cluster}/${record.service}`, sk: `TASKDEF#${record.taskDefinitionArn}` };
}

export function deploymentItem(id: string, fields: Item = {}): Item {
  return { pk: `DEPLOYMENT#${id}`, sk: 'DEPLOYMENT', deploymentId: id, expiresAt: 1_900_000_000, ...fields };
}

/** The registry items of an active rollout: the rollout, its route leases, its alarm index entries and its deploying index entry. */
export function activeRolloutItems(record: RolloutRecord): Item[] {
  return [
    rolloutItem(record),
    ...record.routes.map((route) => leaseItem(`${record.mesh}/${record.virtualRouter}/${route}`, record.rolloutId, record.startedAt)),
    ...record.alarms.map((alarm) => alarmIndexItem(alarm, record.rolloutId)),
    { ...deployingIndexKey(record), rolloutId: record.rolloutId },
  ];
}

/**
 * The registry table in memory, answering the document client's Get/Put/Update/Delete/Query
 * as DynamoDB would for the expressions DynamoDbRegistry writes (conditions included), so a
 * handler runs its real registry code. Unknown expressions fail the test.
 */
export class RegistryTable {
  private readonly items = new Map<string, Item>();

  seed(...items: Item[]): this {
    for (const item of items) this.items.set(this.key(item.pk, item.sk), structuredClone(item));
    return this;
  }

  item(pk: string, sk: string): Item | undefined {
    return this.items.get(this.key(pk, sk));
  }

  rollout(id: string = rolloutId): Item | undefined {
    return this.item(`ROLLOUT#${id}`, 'ROLLOUT');
  }

  /** Replaces fields of a stored item, as a concurrent writer would. */
  patch(pk: string, sk: string, fields: Item): void {
    const current = this.item(pk, sk);
    if (!current) throw new Error(`No item ${pk}/${sk} to patch`);
    this.items.set(this.key(pk, sk), { ...current, ...fields });
  }

  install(): this {
    const { dynamo } = aws;
    dynamo.on(GetCommand).callsFake((input: GetCommandInput) => {
      this.checkTable(input.TableName);
      const found = this.item(String(input.Key?.pk), String(input.Key?.sk));
      return { Item: found && structuredClone(found) };
    });
    dynamo.on(PutCommand).callsFake((input: PutCommandInput) => {
      this.checkTable(input.TableName);
      const item = input.Item ?? {};
      const current = this.item(String(item.pk), String(item.sk));
      this.check(input.ConditionExpression, current, {}, input.ExpressionAttributeValues ?? {});
      this.items.set(this.key(item.pk, item.sk), structuredClone(item));
      return {};
    });
    dynamo.on(DeleteCommand).callsFake((input: DeleteCommandInput) => {
      this.checkTable(input.TableName);
      const current = this.item(String(input.Key?.pk), String(input.Key?.sk));
      this.check(input.ConditionExpression, current, input.ExpressionAttributeNames ?? {}, input.ExpressionAttributeValues ?? {});
      this.items.delete(this.key(input.Key?.pk, input.Key?.sk));
      return {};
    });
    dynamo.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
      this.checkTable(input.TableName);
      const { pk, sk } = input.Key as { pk: string; sk: string };
      const current = this.item(pk, sk);
      const names = input.ExpressionAttributeNames ?? {};
      const values = input.ExpressionAttributeValues ?? {};
      this.check(input.ConditionExpression, current, names, values);
      const next: Item = { ...(current ?? { pk, sk }) };
      const match = /^SET (.+?)(?: REMOVE (.+))?$/.exec(input.UpdateExpression ?? '');
      if (!match?.[1]) throw new Error(`Fake registry cannot apply ${input.UpdateExpression}`);
      for (const assignment of match[1].split(', ')) {
        const [left = '', right = ''] = assignment.split(' = ');
        next[names[left] ?? left] = structuredClone(values[right]);
      }
      for (const field of match[2]?.split(', ') ?? []) delete next[names[field] ?? field];
      this.items.set(this.key(pk, sk), next);
      return { Attributes: structuredClone(next) };
    });
    dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      this.checkTable(input.TableName);
      const [field = '', placeholder = ''] = (input.KeyConditionExpression ?? '').split(' = ');
      const wanted = input.ExpressionAttributeValues?.[placeholder];
      const items = [...this.items.values()]
        .filter((item) => item[field] === wanted)
        .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
        .map((item) => structuredClone(item));
      return { Items: items, Count: items.length };
    });
    return this;
  }

  private key(pk: unknown, sk: unknown): string {
    return `${String(pk)}|${String(sk)}`;
  }

  private checkTable(name: string | undefined): void {
    if (name !== tableName) throw new Error(`Fake registry: unexpected table ${name}`);
  }

  private check(condition: string | undefined, current: Item | undefined, names: Record<string, string>, values: Record<string, unknown>): void {
    if (!condition) return;
    const holds = (term: string): boolean => {
      if (term === 'attribute_not_exists(pk)') return current === undefined;
      if (term === 'attribute_exists(pk)') return current !== undefined;
      const inList = /^(\S+) IN \((.+)\)$/.exec(term);
      if (inList?.[1] && inList[2]) {
        const field = names[inList[1]] ?? inList[1];
        return inList[2].split(', ').some((placeholder) => current?.[field] === values[placeholder]);
      }
      const equals = /^(\S+) = (:\w+)$/.exec(term);
      if (equals?.[1] && equals[2]) return current !== undefined && current[names[equals[1]] ?? equals[1]] === values[equals[2]];
      throw new Error(`Fake registry cannot evaluate condition term "${term}"`);
    };
    const ok = condition.includes(' OR ') ? condition.split(' OR ').some(holds) : condition.split(' AND ').every(holds);
    if (!ok) throw awsError(ConditionalCheckFailedException, 'The conditional request failed');
  }
}
