import type { DynamoDbRegistry } from '../../../../functions/shared/adapters/dynamodb-registry';
import { AlarmBreachedError, InvalidInputError, NoMeshProxyError, PolicyInvalidError, ResourceMissingError, RolloutSupersededError, TransientAwsError } from '../../../../functions/shared/domain/errors';
import type { StartRequest } from '../../../../functions/shared/domain/rollout';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { prepareRollout } from '../../../../functions/shared/use-cases/prepare-rollout';
import { latticePolicyDocument } from '../../../support/lattice-policy';
import { LocalRegistryServer } from '../local-registry';
import {
  canaryNode,
  canaryService,
  colorAppPorts,
  deploymentCreatedAt,
  colorAppRecord,
  greenTaskDefinition,
  leaseKey,
  mesh,
  nodeSpec,
  original,
  policyDocument,
  policyParameter,
  route,
  routeRef,
  routeSpec,
  stableNode,
  stableService,
} from './color-app';

const settings = { meshName: mesh, meshOwner: '111122223333', cluster: 'default', policyParameterPrefix: '/meshshift/', now: '2026-11-20T12:37:00.000Z' };
const execution = {
  name: 'default-colorteller-green-2222',
  arn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-green-2222',
  startTime: '2026-11-20T12:36:50.000Z',
};
const request: StartRequest = { cluster: 'default', service: canaryService, deploymentId: 'ecs-svc/2222' };

function writesOf(ports: ReturnType<typeof colorAppPorts>) {
  return [...ports.router.writes, ...ports.deployer.writes, ...ports.registry.writes, ...ports.orchestrator.calls.map((entry) => entry.call)];
}

describe('prepareRollout', () => {
  it('snapshots the route, takes its lease and plans the steps', async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const rollout = await prepareRollout(request, execution, settings, ports);

    // Assess
    expect(rollout).toEqual(
      expect.objectContaining({
        rolloutId: execution.name,
        executionArn: execution.arn,
        mesh,
        routes: [route],
        canaryNode,
        stableNode,
        taskDefinitionArn: greenTaskDefinition,
        deploymentId: 'ecs-svc/2222',
        deployTaskDefinition: false,
        weights: [10, 50, 100],
        stepIndex: 0,
        alarms: ['colorteller-5xx'],
      }),
    );
    expect(await ports.registry.getRollout(execution.name)).toEqual(
      expect.objectContaining({ phase: 'PREPARING', originalTargets: { [route]: original }, lastWrittenTargets: { [route]: original }, startedAt: deploymentCreatedAt, canaryNodeCreated: false }),
    );
    expect(ports.registry.leases.get(leaseKey)).toEqual({ routeKey: leaseKey, rolloutId: execution.name, startedAt: deploymentCreatedAt });
    expect(ports.router.writes).toEqual([]);
  });

  it('returns the first snapshot on a retry, even if the route moved meanwhile (I3)', async () => {
    // Prepare
    const ports = colorAppPorts();
    await prepareRollout(request, execution, settings, ports);
    ports.router.editTargets(routeRef, [
      { virtualNode: stableNode, weight: 90, port: 9080 },
      { virtualNode: canaryNode, weight: 10, port: 9080 },
    ]);

    // Act
    await prepareRollout(request, execution, settings, ports);

    // Assess
    expect((await ports.registry.getRollout(execution.name))?.originalTargets).toEqual({ [route]: original });
  });

  it('rolls out a policy of any provider the stack is configured for', async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const rollout = await prepareRollout(request, execution, { ...settings, trafficProviders: ['appmesh', 'lattice'] }, ports);

    // Assess
    expect(rollout.routes).toEqual([route]);
  });

  it('uses an inline policy instead of the tagged one', async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const rollout = await prepareRollout({ ...request, policy: policyDocument({ schedule: { type: 'linear', stepPercent: 30, everySeconds: 5 } }) }, execution, settings, ports);

    // Assess
    expect(rollout.weights).toEqual([30, 60, 90, 100]);
    expect(rollout.bakeSeconds).toBe(5);
  });

  describe('refuses before any write', () => {
    it('a service without the meshshift:policy tag', async () => {
      // Prepare
      const ports = colorAppPorts();
      const service = ports.deployer.services.get(canaryService);
      if (service) service.tags = {};

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(InvalidInputError);
      await expect(prepare).rejects.toThrow(/not opted in: it has no meshshift:policy tag/);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a tag pointing outside the policy prefix', async () => {
      // Prepare
      const ports = colorAppPorts();
      const service = ports.deployer.services.get(canaryService);
      if (service) service.tags = { 'meshshift:policy': '/other-team/policy' };

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(/outside the policy prefix \/meshshift\//);
      expect(writesOf(ports)).toEqual([]);
    });

    it('an invalid policy, naming the parameter and the field', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.policies.parameters.set(policyParameter, JSON.stringify(policyDocument({ schedule: { type: 'steps', steps: [10, 50] } })));

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(PolicyInvalidError);
      await expect(prepare).rejects.toThrow(`policy ${policyParameter}.schedule.steps: must end at 100`);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a policy for another mesh', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.policies.parameters.set(policyParameter, JSON.stringify(policyDocument({ mesh: 'othermesh' })));

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(InvalidInputError);
      await expect(prepare).rejects.toThrow(/names mesh othermesh.*may only change mesh colorapp/);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a Lattice policy on a stack configured for App Mesh only, naming the provider and the stack\'s', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.policies.parameters.set(policyParameter, JSON.stringify(latticePolicyDocument));

      // Act
      const prepare = prepareRollout(request, execution, { ...settings, trafficProviders: ['appmesh'] }, ports);

      // Assess
      await expect(prepare).rejects.toThrow(InvalidInputError);
      await expect(prepare).rejects.toThrow(
        'policy /meshshift/colorteller uses traffic provider lattice, but this meshshift deployment is configured for appmesh only (template parameter TrafficProvider); nothing was changed',
      );
      expect(writesOf(ports)).toEqual([]);
    });

    it('an inline App Mesh policy on a stack configured for Lattice only', async () => {
      // Prepare
      const ports = colorAppPorts();

      // Act
      const prepare = prepareRollout({ ...request, policy: policyDocument() }, execution, { ...settings, meshName: '', trafficProviders: ['lattice'] }, ports);

      // Assess
      await expect(prepare).rejects.toThrow('input.policy uses traffic provider appmesh, but this meshshift deployment is configured for lattice only');
      expect(writesOf(ports)).toEqual([]);
    });

    it('a task definition without an App Mesh proxy', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.deployer.taskDefinitions.set(greenTaskDefinition, { taskDefinitionArn: greenTaskDefinition, containerDefinitions: [{ name: 'app' }] });

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(NoMeshProxyError);
      await expect(prepare).rejects.toThrow(greenTaskDefinition);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a task definition whose Envoy serves another mesh', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.deployer.taskDefinitions.set(greenTaskDefinition, {
        taskDefinitionArn: greenTaskDefinition,
        proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' },
        containerDefinitions: [{ name: 'envoy', environment: [{ name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/othermesh/virtualNode/x' }] }],
      });

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(/serves mesh othermesh/);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a route that already has 10 targets, naming the route', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.router.editTargets(
        routeRef,
        Array.from({ length: 10 }, (_, index) => ({ virtualNode: `colorteller-v1-${index}`, weight: 10 })),
      );

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(InvalidInputError);
      await expect(prepare).rejects.toThrow(`Route ${route} cannot be shifted to ${canaryNode}`);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a watched alarm that does not exist, naming it', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.policies.parameters.set(policyParameter, JSON.stringify(policyDocument({ alarms: ['colorteller-5xx', 'colorteller-latncy'] })));

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(ResourceMissingError);
      await expect(prepare).rejects.toThrow('colorteller-latncy');
      expect(writesOf(ports)).toEqual([]);
    });

    it('a watched alarm already in ALARM, naming it, before any traffic moves', async () => {
      // Prepare: no state-change event will ever come for it, so nothing else would stop the first shift.
      const ports = colorAppPorts();
      ports.health.states['colorteller-5xx'] = 'ALARM';

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(AlarmBreachedError);
      await expect(prepare).rejects.toThrow('Alarm(s) colorteller-5xx already in ALARM');
      expect(writesOf(ports)).toEqual([]);
    });

    it('a route whose stable node does not exist, naming the node', async () => {
      // Prepare
      const ports = colorAppPorts();
      ports.router.nodes.delete(stableNode);

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(ResourceMissingError);
      await expect(prepare).rejects.toThrow(stableNode);
      // The Roll back state finds no record and reports "nothing was changed", so no lease may stay behind.
      expect(ports.registry.leases.has(leaseKey)).toBe(false);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a deployment the service does not list, naming it and the one ECS deploys now', async () => {
      // Prepare
      const ports = colorAppPorts();

      // Act
      const prepare = prepareRollout({ ...request, deploymentId: 'ecs-svc/404' }, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(RolloutSupersededError);
      await expect(prepare).rejects.toThrow(/ecs-svc\/404 of colorteller-green is no longer listed; ECS now deploys ecs-svc\/2222/);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a deployment that is no longer primary, however late its event came', async () => {
      // Prepare
      const ports = colorAppPorts();
      const service = ports.deployer.services.get(canaryService);
      service?.deployments.forEach((deployment) => (deployment.status = 'ACTIVE'));
      service?.deployments.unshift({ id: 'ecs-svc/3333', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState: 'IN_PROGRESS', createdAt: deploymentCreatedAt });

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(/ecs-svc\/2222 of colorteller-green is ACTIVE; ECS now deploys ecs-svc\/3333/);
      expect(writesOf(ports)).toEqual([]);
    });

    it('a manual input for another cluster than the stack\'s, naming both', async () => {
      // Prepare
      const ports = colorAppPorts();

      // Act
      const prepare = prepareRollout({ ...request, cluster: 'payments' }, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow('input.cluster is payments, but this meshshift deployment rolls out services of cluster default only');
      expect(writesOf(ports)).toEqual([]);
    });

    it('an inline policy for a service nobody opted in', async () => {
      // Prepare
      const ports = colorAppPorts();
      const service = ports.deployer.services.get(canaryService);
      if (service) service.tags = {};

      // Act
      const prepare = prepareRollout({ ...request, policy: policyDocument() }, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow('ECS service colorteller-green is not opted in: it has no meshshift:policy tag (an inline policy does not opt a service in)');
      expect(writesOf(ports)).toEqual([]);
    });

    it('a policy naming a mesh owned by another account', async () => {
      // Prepare
      const ports = colorAppPorts();

      // Act
      const prepare = prepareRollout({ ...request, policy: policyDocument({ meshOwner: '444455556666' }) }, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow('Policy names mesh owner 444455556666, but this meshshift deployment may only change the mesh owned by 111122223333');
      expect(writesOf(ports)).toEqual([]);
    });
  });

  describe('when another rollout holds the route (I4)', () => {
    const olderHalfway = [
      { virtualNode: stableNode, weight: 70, port: 9080 },
      { virtualNode: canaryNode, weight: 30, port: 9080 },
    ];

    function heldBy(holder: Partial<RolloutRecord>) {
      const ports = colorAppPorts();
      const record = colorAppRecord({
        rolloutId: 'default-colorteller-green-1111',
        executionArn: 'arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:default-colorteller-green-1111',
        taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/colorteller-green:6',
        phase: 'SHIFTING',
        canaryNodeCreated: true,
        lastWrittenTargets: { [route]: olderHalfway },
        ...holder,
      });
      ports.registry.rollouts.set(record.rolloutId, record);
      ports.registry.leases.set(leaseKey, { routeKey: leaseKey, rolloutId: record.rolloutId, startedAt: record.startedAt });
      ports.router.nodes.set(canaryNode, nodeSpec(canaryService));
      ports.router.editTargets(routeRef, olderHalfway);
      return { ports, holder: record };
    }

    it('rolls back an older rollout, stops its execution and takes the route with the true original snapshot', async () => {
      // Prepare
      const { ports, holder } = heldBy({ startedAt: '2026-11-20T10:00:00.000Z' });

      // Act
      const rollout = await prepareRollout(request, execution, settings, ports);

      // Assess
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('ROLLED_BACK');
      expect(ports.orchestrator.calls).toEqual([{ call: 'stop', args: [holder.executionArn, 'RolloutSupersededError', expect.stringContaining(execution.name)] }]);
      expect(ports.router.spec(routeRef)).toStrictEqual(routeSpec(original));
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(execution.name);
      expect((await ports.registry.getRollout(execution.name))?.originalTargets).toEqual({ [route]: original });
      expect(rollout.stableNode).toBe(stableNode);
      // The newer deployment runs on the same service, so the older rollback must not scale it down.
      expect(ports.deployer.writes).toEqual([]);
    });

    it('takes over a route whose holder already ended without rolling anything back', async () => {
      // Prepare
      const { ports, holder } = heldBy({ startedAt: '2026-11-20T10:00:00.000Z', phase: 'ABANDONED' });
      ports.router.editTargets(routeRef, original);

      // Act
      await prepareRollout(request, execution, settings, ports);

      // Assess
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(execution.name);
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('ABANDONED');
      expect(ports.orchestrator.calls).toEqual([]);
    });

    it('steps aside for a newer rollout, giving back the leases it already took and changing nothing', async () => {
      // Prepare
      // Blue's deployment began after green's: across two services, ECS's creation times order them.
      const { ports, holder } = heldBy({ service: stableService, startedAt: '2026-11-20T13:00:00.000Z', routes: ['colorteller-grpc'], originalTargets: { 'colorteller-grpc': original } });
      const grpcRef = { ...routeRef, route: 'colorteller-grpc' };
      const grpcKey = `${mesh}/${routeRef.virtualRouter}/colorteller-grpc`;
      ports.router.setRoute(routeRef, routeSpec(original));
      ports.router.setRoute(grpcRef, { grpcRoute: { action: { weightedTargets: olderHalfway } } });
      ports.registry.leases.delete(leaseKey);
      ports.registry.leases.set(grpcKey, { routeKey: grpcKey, rolloutId: holder.rolloutId, startedAt: holder.startedAt });
      ports.policies.parameters.set(policyParameter, JSON.stringify(policyDocument({ routes: [route, 'colorteller-grpc'] })));

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(RolloutSupersededError);
      expect(ports.registry.leases.has(leaseKey)).toBe(false);
      expect(ports.registry.leases.get(grpcKey)?.rolloutId).toBe(holder.rolloutId);
      expect(await ports.registry.getRollout(execution.name)).toBeUndefined();
      expect(ports.router.writes).toEqual([]);
      expect(ports.orchestrator.calls).toEqual([]);
    });

    it('compares start times as instants, so an older start written with a UTC offset still steps aside', async () => {
      // Prepare
      // 14:00+02:00 is 12:00Z: this deployment began an hour before the holder's (13:00Z).
      const { ports, holder } = heldBy({ service: stableService, startedAt: '2026-11-20T13:00:00.000Z' });
      (ports.deployer.services.get(canaryService)?.deployments[0] ?? { createdAt: '' }).createdAt = '2026-11-20T14:00:00+02:00';

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(RolloutSupersededError);
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('SHIFTING');
      expect(ports.orchestrator.calls).toEqual([]);
    });

    it('compares start times as instants, so a start half a second later with fraction digits is newer', async () => {
      // Prepare
      // ECS events carry whole seconds ('...41Z'); Step Functions start times carry milliseconds ('...41.500Z').
      const { ports, holder } = heldBy({ startedAt: '2026-11-20T12:36:41Z' });
      const manual = { cluster: 'default', service: canaryService };

      // Act
      await prepareRollout(manual, { ...execution, startTime: '2026-11-20T12:36:41.500Z' }, settings, ports);

      // Assess
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('ROLLED_BACK');
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(execution.name);
    });

    it('replaces a stuck rollout of the same task definition when the service was deployed again', async () => {
      // Prepare
      // ecs-svc/1111 rolled out green:7 and got stuck; a force-new-deployment of green:7 made ecs-svc/2222.
      const { ports, holder } = heldBy({ startedAt: deploymentCreatedAt, taskDefinitionArn: greenTaskDefinition });

      // Act
      await prepareRollout(request, execution, settings, ports);

      // Assess
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('ROLLED_BACK');
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(execution.name);
      expect(ports.deployer.writes).toEqual([]);
    });

    it('waits for a holder that took the lease but has not written its record yet, giving back what it took', async () => {
      // Prepare
      // Prepare takes leases before it writes the record: a lease without one is mid-Prepare while its execution runs.
      const { ports, holder } = heldBy({ startedAt: '2026-11-20T10:00:00.000Z' });
      ports.registry.rollouts.delete(holder.rolloutId);
      ports.orchestrator.states.set(holder.executionArn, 'RUNNING');

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(TransientAwsError);
      await expect(prepare).rejects.toThrow(`rollout ${holder.rolloutId}, which is still preparing`);
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(holder.rolloutId);
      expect(await ports.registry.getRollout(execution.name)).toBeUndefined();
      expect(ports.router.writes).toEqual([]);
    });

    it('takes over a lease whose holder never wrote a record and whose execution has ended', async () => {
      // Prepare
      const { ports, holder } = heldBy({ startedAt: '2026-11-20T10:00:00.000Z' });
      ports.registry.rollouts.delete(holder.rolloutId);
      ports.orchestrator.states.set(holder.executionArn, 'FAILED');
      ports.router.editTargets(routeRef, original);

      // Act
      await prepareRollout(request, execution, settings, ports);

      // Assess
      expect(ports.registry.leases.get(leaseKey)?.rolloutId).toBe(execution.name);
      expect(ports.orchestrator.calls).toEqual([]);
    });

    it('treats a second rollout of the same deployment as a duplicate that changes nothing', async () => {
      // Prepare
      const { ports, holder } = heldBy({ rolloutId: 'manual-green-7', startedAt: '2026-11-20T10:00:00.000Z', taskDefinitionArn: greenTaskDefinition, deploymentId: 'ecs-svc/2222' });

      // Act
      const prepare = prepareRollout(request, execution, settings, ports);

      // Assess
      await expect(prepare).rejects.toThrow(RolloutSupersededError);
      await expect(prepare).rejects.toThrow(holder.rolloutId);
      expect((await ports.registry.getRollout(holder.rolloutId))?.phase).toBe('SHIFTING');
      expect(ports.router.writes).toEqual([]);
    });
  });

  describe('superseding with the DynamoDB registry', () => {
    let server: LocalRegistryServer;
    let registry: DynamoDbRegistry;

    beforeAll(async () => {
      server = await LocalRegistryServer.start();
    });

    afterAll(async () => {
      await server.stop();
    });

    beforeEach(async () => {
      ({ registry } = await server.registry());
    });

    it('takes the route from an older rollout on the first attempt', async () => {
      // Prepare
      const ports = { ...colorAppPorts(), registry };
      const older = colorAppRecord({ rolloutId: 'older', startedAt: '2026-11-20T10:00:00.000Z', taskDefinitionArn: `${greenTaskDefinition}-old`, phase: 'SHIFTING' });
      await registry.createRollout(older);
      await registry.acquireRoute({ routeKey: leaseKey, rolloutId: 'older', startedAt: older.startedAt });

      // Act
      await prepareRollout(request, execution, settings, ports);

      // Assess
      expect(await registry.acquireRoute({ routeKey: leaseKey, rolloutId: 'someone-else', startedAt: settings.now })).toEqual({
        acquired: false,
        holder: { routeKey: leaseKey, rolloutId: execution.name, startedAt: deploymentCreatedAt },
      });
      expect((await registry.getRollout('older'))?.phase).toBe('ROLLED_BACK');
    });
  });
});
