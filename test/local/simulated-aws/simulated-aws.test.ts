import {
  AppMeshClient,
  AppMeshServiceException,
  DeleteMeshCommand,
  DescribeRouteCommand,
  InternalServerErrorException,
  ListMeshesCommand,
  ServiceUnavailableException,
  TooManyRequestsException,
  UpdateRouteCommand,
  type WeightedTarget,
} from '@aws-sdk/client-app-mesh';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  InternalServiceFault,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, ECSServiceException, ServerException } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand, SSMClient, ThrottlingException as SsmThrottlingException } from '@aws-sdk/client-ssm';
import { SimulatedAws, type SimulatedCall, type SimulatedEvent } from '../../../local/simulated-aws';
import { MESH, ROUTE, ROUTER, createColorMesh, httpSpec } from './mesh-fixture';

const V1 = 'colorteller-v1';
const V2 = 'colorteller-v2';

async function meshSetup(options?: ConstructorParameters<typeof SimulatedAws>[0]) {
  const sim = new SimulatedAws(options);
  const client = sim.attach(new AppMeshClient({ region: 'us-west-2' }));
  await createColorMesh(client);
  return { sim, client };
}

function shift(client: AppMeshClient, weightedTargets: WeightedTarget[]) {
  return client.send(new UpdateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: httpSpec(weightedTargets) }));
}

function describeRoute(client: AppMeshClient) {
  return client.send(new DescribeRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE }));
}

describe('SimulatedAws', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('attach and send', () => {
    it('routes only the attached client instance to the simulator and returns it', () => {
      // Prepare
      const sim = new SimulatedAws();
      const attached = new SSMClient({ region: 'us-west-2' });
      const untouched = new SSMClient({ region: 'us-west-2' });

      // Act
      const returned = sim.attach(attached);

      // Assess
      expect(returned).toBe(attached);
      expect(Object.prototype.hasOwnProperty.call(attached, 'send')).toBe(true);
      expect(Object.prototype.hasOwnProperty.call(untouched, 'send')).toBe(false);
    });

    it('refuses to attach to something that is not a supported SDK client', () => {
      // Prepare
      const sim = new SimulatedAws();

      // Act
      const attach = () => sim.attach({ send: () => undefined });

      // Assess
      expect(attach).toThrow('AppMeshClient, ECSClient, CloudWatchClient or SSMClient');
    });

    it('answers with the SDK response metadata of a successful call', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const client = sim.attach(new SSMClient({ region: 'us-west-2' }));

      // Act
      const output = await client.send(new PutParameterCommand({ Name: 'p', Value: 'v', Type: 'String' }));

      // Assess
      expect(output.$metadata).toEqual({ httpStatusCode: 200, requestId: expect.any(String), attempts: 1, totalRetryDelay: 0 });
    });

    it('accepts commands directly, finding the service from the operation', async () => {
      // Prepare
      const sim = new SimulatedAws();
      await sim.send(new PutParameterCommand({ Name: 'p', Value: 'v', Type: 'String' }));

      // Act
      const output = await sim.send(new GetParameterCommand({ Name: 'p' }));

      // Assess
      expect(output).toMatchObject({ Parameter: { Name: 'p', Value: 'v' } });
      expect(sim.calls.map((call) => call.service)).toEqual(['ssm', 'ssm']);
    });

    it('throws an error naming an operation it does not simulate, through a client or directly', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const client = sim.attach(new AppMeshClient({ region: 'us-west-2' }));

      // Act
      const viaClient = await client.send(new ListMeshesCommand({})).catch((caught: unknown) => caught);
      const direct = await sim.send(new DeleteMeshCommand({ meshName: MESH })).catch((caught: unknown) => caught);

      // Assess
      expect((viaClient as Error).message).toContain('ListMeshes');
      expect((direct as Error).message).toContain('DeleteMesh');
    });

    it('uses the configured region and account in ARNs and events', async () => {
      // Prepare
      const sim = new SimulatedAws({ region: 'eu-west-1', accountId: '444455556666' });
      const events: SimulatedEvent[] = [];
      sim.onEvent((event) => events.push(event));
      const cloudwatch = sim.attach(new CloudWatchClient({ region: 'eu-west-1' }));
      await cloudwatch.send(new PutMetricAlarmCommand({
        AlarmName: 'a',
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }));

      // Act
      sim.cloudwatch.setAlarmState('a', 'ALARM', 'breach');

      // Assess
      expect(events[0]).toMatchObject({ account: '444455556666', region: 'eu-west-1', resources: ['arn:aws:cloudwatch:eu-west-1:444455556666:alarm:a'] });
    });
  });

  describe('latency', () => {
    it('waits the simulated latency before the operation takes effect', async () => {
      // Prepare
      jest.useFakeTimers();
      const sim = new SimulatedAws({ latencyMs: (operation) => (operation === 'PutParameter' ? 250 : 0) });
      const client = sim.attach(new SSMClient({ region: 'us-west-2' }));

      // Act
      const put = client.send(new PutParameterCommand({ Name: 'p', Value: 'v', Type: 'String' }));
      await jest.advanceTimersByTimeAsync(249);
      const before = await client.send(new GetParameterCommand({ Name: 'p' })).catch((caught: unknown) => caught);
      await jest.advanceTimersByTimeAsync(1);
      await put;
      const after = await client.send(new GetParameterCommand({ Name: 'p' }));

      // Assess
      expect((before as Error).name).toBe('ParameterNotFound');
      expect(after.Parameter?.Value).toBe('v');
    });

    it('delays each call by the latency for its operation', async () => {
      // Prepare
      const { sim, client } = await meshSetup({ latencyMs: (operation) => (operation === 'DescribeRoute' ? 40 : 0) });
      const seen: string[] = [];
      sim.onCall((call) => {
        seen.push(call.operation);
      });

      // Act
      const started = Date.now();
      await describeRoute(client);
      const elapsed = Date.now() - started;

      // Assess
      expect(elapsed).toBeGreaterThanOrEqual(35);
      expect(seen).toEqual(['DescribeRoute']);
    });
  });

  describe('fault injection', () => {
    // These tests look at single attempts, so the SDK-style retry of attached clients is off.
    it('retries throttling like the SDK standard mode (3 attempts) before the caller sees it', async () => {
      // Prepare
      const { sim, client } = await meshSetup();
      sim.injectFault({ operation: 'DescribeRoute', times: 2 });

      // Act
      const output = await describeRoute(client);
      sim.injectFault({ operation: 'DescribeRoute', times: 3 });
      const error = await describeRoute(client).catch((caught: unknown) => caught);

      // Assess
      expect(output.route?.routeName).toBe(ROUTE);
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect(sim.calls.filter((call) => call.operation === 'DescribeRoute').map((call) => call.outcome)).toEqual([
        'TooManyRequestsException',
        'TooManyRequestsException',
        'ok',
        'TooManyRequestsException',
        'TooManyRequestsException',
        'TooManyRequestsException',
      ]);
    });


    it('throttles the next N calls of an operation with the SDK class, then lets them through', async () => {
      // Prepare
      const { sim, client } = await meshSetup({ sdkMaxAttempts: 1 });
      sim.injectFault({ operation: 'DescribeRoute', times: 2 });

      // Act
      const first = await describeRoute(client).catch((caught: unknown) => caught);
      const second = await describeRoute(client).catch((caught: unknown) => caught);
      const third = await describeRoute(client);

      // Assess
      for (const error of [first, second]) {
        expect(error).toBeInstanceOf(TooManyRequestsException);
        expect(error).toMatchObject({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } });
      }
      expect(third.route?.routeName).toBe(ROUTE);
      expect(sim.calls.slice(-3).map((call) => call.outcome)).toEqual(['TooManyRequestsException', 'TooManyRequestsException', 'ok']);
    });

    it.each([
      ['ServiceUnavailableException', ServiceUnavailableException, 503],
      ['InternalServerErrorException', InternalServerErrorException, 500],
    ] as const)('injects App Mesh %s with its class and status', async (name, ErrorClass, status) => {
      // Prepare
      const { sim, client } = await meshSetup({ sdkMaxAttempts: 1 });
      sim.injectFault({ operation: 'DescribeRoute', times: 1, error: name });

      // Act
      const error = await describeRoute(client).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ name, $fault: 'server', $metadata: { httpStatusCode: status } });
    });

    it('does not apply an operation whose call was failed by an injected fault', async () => {
      // Prepare
      const { sim, client } = await meshSetup({ sdkMaxAttempts: 1 });
      sim.injectFault({ operation: 'UpdateRoute', times: 1 });

      // Act
      await shift(client, [{ virtualNode: V1, weight: 50 }, { virtualNode: V2, weight: 50 }]).catch(() => undefined);

      // Assess
      expect(sim.appMesh.route(MESH, ROUTER, ROUTE)?.metadata?.version).toBe(1);
    });

    it.each([
      ['ECS', () => new ECSClient({ region: 'us-west-2' }), new DescribeServicesCommand({ cluster: 'default', services: ['s'] }), ECSServiceException, 'ThrottlingException'],
      ['CloudWatch', () => new CloudWatchClient({ region: 'us-west-2' }), new DescribeAlarmsCommand({}), CloudWatchServiceException, 'Throttling'],
      ['SSM', () => new SSMClient({ region: 'us-west-2' }), new GetParameterCommand({ Name: 'p' }), SsmThrottlingException, 'ThrottlingException'],
    ] as const)('throttles %s with the name and class its SDK reports', async (_service, makeClient, command, ErrorClass, name) => {
      // Prepare
      const sim = new SimulatedAws({ sdkMaxAttempts: 1 });
      const client = sim.attach(makeClient()) as { send: (command: unknown) => Promise<unknown> };
      sim.injectFault({ operation: command.constructor.name.replace(/Command$/, ''), times: 1 });

      // Act
      const error = await client.send(command).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    });

    it.each([
      ['ECS ServerException', () => new ECSClient({ region: 'us-west-2' }), new DescribeServicesCommand({ cluster: 'default', services: ['s'] }), 'ServerException', ServerException],
      ['CloudWatch InternalServiceFault', () => new CloudWatchClient({ region: 'us-west-2' }), new DescribeAlarmsCommand({}), 'InternalServiceFault', InternalServiceFault],
    ] as const)('injects %s as a 500 with its SDK class', async (_case, makeClient, command, name, ErrorClass) => {
      // Prepare
      const sim = new SimulatedAws({ sdkMaxAttempts: 1 });
      const client = sim.attach(makeClient()) as { send: (command: unknown) => Promise<unknown> };
      sim.injectFault({ operation: command.constructor.name.replace(/Command$/, ''), times: 1, error: name });

      // Act
      const error = await client.send(command).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ name, $fault: 'server', $metadata: { httpStatusCode: 500 } });
    });

    it('gives an unmodeled App Mesh error name the service base class', async () => {
      // Prepare
      const { sim, client } = await meshSetup({ sdkMaxAttempts: 1 });
      sim.injectFault({ operation: 'DescribeRoute', times: 1, error: 'RequestTimeout' });

      // Act
      const error = await describeRoute(client).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(AppMeshServiceException);
      expect(error).toMatchObject({ name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } });
    });

    it('refuses a fault that would never fire', () => {
      // Prepare
      const sim = new SimulatedAws({ sdkMaxAttempts: 1 });

      // Act
      const inject = () => sim.injectFault({ operation: 'DescribeRoute', times: 0 });

      // Assess
      expect(inject).toThrow('times must be a positive integer');
    });
  });

  describe('call log', () => {
    it('records every call, failed or not, with its service, input and outcome', async () => {
      // Prepare
      const { sim, client } = await meshSetup();
      const before = sim.calls.length;

      // Act
      await shift(client, [{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]);
      await shift(client, [{ virtualNode: V1, weight: 101 }]).catch(() => undefined);
      await describeRoute(client);

      // Assess
      expect(sim.calls.slice(before)).toEqual<SimulatedCall[]>([
        {
          service: 'appmesh',
          operation: 'UpdateRoute',
          input: { meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: httpSpec([{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]) },
          outcome: 'ok',
          at: expect.any(Date),
        },
        { service: 'appmesh', operation: 'UpdateRoute', input: expect.anything(), outcome: 'BadRequestException', at: expect.any(Date) },
        { service: 'appmesh', operation: 'DescribeRoute', input: { meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE }, outcome: 'ok', at: expect.any(Date) },
      ]);
    });

    it('lists the mutating calls, successful or not', async () => {
      // Prepare
      const { sim, client } = await meshSetup();
      const ssm = sim.attach(new SSMClient({ region: 'us-west-2' }));
      const ecs = sim.attach(new ECSClient({ region: 'us-west-2' }));

      // Act
      await ssm.send(new PutParameterCommand({ Name: 'p', Value: 'v', Type: 'String' }));
      await ssm.send(new GetParameterCommand({ Name: 'p' }));
      await ecs.send(new DescribeServicesCommand({ cluster: 'ghost', services: ['s'] })).catch(() => undefined);
      await shift(client, [{ virtualNode: 'ghost', weight: 100 }]).catch(() => undefined);

      // Assess
      expect(sim.mutatingCalls().map((call) => `${call.operation}:${call.outcome}`)).toEqual([
        'CreateMesh:ok',
        'CreateVirtualNode:ok',
        'CreateVirtualNode:ok',
        'CreateVirtualRouter:ok',
        'CreateRoute:ok',
        'PutParameter:ok',
        'UpdateRoute:NotFoundException',
      ]);
    });
  });

  describe('isolation', () => {
    it('shares no objects between callers and the store', async () => {
      // Prepare
      const { client } = await meshSetup();
      const targets = [{ virtualNode: V1, weight: 80 }, { virtualNode: V2, weight: 20 }];
      const spec = httpSpec(targets);
      const sent = new UpdateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec });

      // Act
      const { route: returned } = await client.send(sent);
      targets[0] = { virtualNode: V1, weight: 0 };
      returned?.spec?.httpRoute?.action?.weightedTargets?.push({ virtualNode: 'mutated', weight: 1 });
      const { route: described } = await describeRoute(client);
      if (described !== undefined) described.routeName = 'mutated';
      const { route: again } = await describeRoute(client);

      // Assess
      expect(again?.routeName).toBe(ROUTE);
      expect(again?.spec?.httpRoute?.action?.weightedTargets).toEqual([{ virtualNode: V1, weight: 80 }, { virtualNode: V2, weight: 20 }]);
    });

    it('hands every event listener its own copy', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const seen: SimulatedEvent[] = [];
      sim.onEvent((event) => {
        event.resources.push('mutated');
      });
      sim.onEvent((event) => seen.push(event));
      await sim.send(
        new PutMetricAlarmCommand({ AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' }),
      );

      // Act
      sim.cloudwatch.setAlarmState('a', 'ALARM', 'breach');

      // Assess
      expect(seen[0]?.resources).toEqual(['arn:aws:cloudwatch:us-west-2:111122223333:alarm:a']);
    });
  });

  describe('hooks', () => {
    it('lets a person edit the route right after the second UpdateRoute, before the caller continues', async () => {
      // Prepare
      const { sim, client } = await meshSetup();
      let updates = 0;
      sim.onCall(async (call) => {
        if (call.operation === 'UpdateRoute' && ++updates === 2) {
          sim.appMesh.editRouteAsPerson(MESH, ROUTER, ROUTE, [{ virtualNode: V1, weight: 100 }]);
        }
      });

      // Act
      await shift(client, [{ virtualNode: V1, weight: 90 }, { virtualNode: V2, weight: 10 }]);
      await shift(client, [{ virtualNode: V1, weight: 50 }, { virtualNode: V2, weight: 50 }]);
      const { route } = await describeRoute(client);

      // Assess
      expect(route?.spec?.httpRoute?.action?.weightedTargets).toEqual([{ virtualNode: V1, weight: 100 }]);
      expect(route?.metadata?.version).toBe(4);
    });

    it('calls listeners only for successful calls, and stops after unsubscribing', async () => {
      // Prepare
      const { sim, client } = await meshSetup();
      const seen: string[] = [];
      const unsubscribe = sim.onCall((call) => {
        seen.push(`${call.operation}:${call.outcome}`);
      });

      // Act
      await describeRoute(client);
      await shift(client, [{ virtualNode: 'ghost', weight: 100 }]).catch(() => undefined);
      unsubscribe();
      await describeRoute(client);

      // Assess
      expect(seen).toEqual(['DescribeRoute:ok']);
    });

    it('stops delivering events after unsubscribing', async () => {
      // Prepare
      const sim = new SimulatedAws();
      const seen: SimulatedEvent[] = [];
      const unsubscribe = sim.onEvent((event) => seen.push(event));
      await sim.send(
        new PutMetricAlarmCommand({ AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' }),
      );

      // Act
      sim.cloudwatch.setAlarmState('a', 'ALARM', 'breach');
      unsubscribe();
      sim.cloudwatch.setAlarmState('a', 'OK', 'recovered');

      // Assess
      expect(seen.map((event) => event.detail)).toEqual([expect.objectContaining({ state: expect.objectContaining({ value: 'ALARM' }) })]);
    });
  });
});
