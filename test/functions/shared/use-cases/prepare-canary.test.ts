import { RolloutSupersededError } from '../../../../functions/shared/domain/errors';
import type { RolloutRecord } from '../../../../functions/shared/ports/registry';
import { deployCanary, ensureCanaryNode, waitForCanaryTasks } from '../../../../functions/shared/use-cases/prepare-canary';
import { canaryNode, canaryService, colorAppPorts, colorAppRecord, colorAppRollout, greenTaskDefinition, nodeSpec } from './color-app';

const taskToken = 'token-1';

function preparing(overrides: Partial<RolloutRecord> = {}) {
  const ports = colorAppPorts();
  const record = colorAppRecord({ phase: 'PREPARING', deploymentId: 'ecs-svc/2222', ...overrides });
  ports.registry.rollouts.set(record.rolloutId, record);
  return { ports, record };
}

describe('ensureCanaryNode', () => {
  it('records that it creates the canary node, then creates it from the stable node', async () => {
    // Prepare
    const { ports, record } = preparing();

    // Act
    await ensureCanaryNode(colorAppRollout(), ports);

    // Assess
    expect((await ports.registry.getRollout(record.rolloutId))?.canaryNodeCreated).toBe(true);
    expect(ports.router.nodes.get(canaryNode)).toEqual(nodeSpec(canaryService));
  });

  it('leaves an existing canary node alone and does not claim it', async () => {
    // Prepare
    const { ports, record } = preparing();
    ports.router.nodes.set(canaryNode, nodeSpec('someone-elses'));

    // Act
    await ensureCanaryNode(colorAppRollout(), ports);

    // Assess
    expect(ports.router.writes).toEqual([]);
    expect((await ports.registry.getRollout(record.rolloutId))?.canaryNodeCreated).toBe(false);
  });

  it('creates nothing when a newer rollout already rolled this one back (its Lambda ran on after the stop)', async () => {
    // Prepare
    const { ports } = preparing({ phase: 'ROLLED_BACK' });

    // Act
    const ensure = ensureCanaryNode(colorAppRollout(), ports);

    // Assess
    await expect(ensure).rejects.toThrow(RolloutSupersededError);
    expect(ports.router.nodes.has(canaryNode)).toBe(false);
  });

  it('deletes the node again when the rollout was rolled back while the node was being created', async () => {
    // Prepare
    const { ports, record } = preparing();
    const create = ports.router.createCanaryBackend.bind(ports.router);
    ports.router.createCanaryBackend = async (request) => {
      await create(request);
      ports.registry.rollouts.set(record.rolloutId, { ...record, phase: 'ROLLED_BACK' });
    };

    // Act
    const ensure = ensureCanaryNode(colorAppRollout(), ports);

    // Assess
    await expect(ensure).rejects.toThrow('the node was deleted again');
    expect(ports.router.nodes.has(canaryNode)).toBe(false);
  });
});

describe('deployCanary', () => {
  it('deploys the task definition and ties the deployment to the rollout', async () => {
    // Prepare
    const { ports, record } = preparing({ deploymentId: undefined });

    // Act
    const rollout = await deployCanary(colorAppRollout({ deploymentId: undefined, deployTaskDefinition: true }), ports);

    // Assess
    expect(ports.deployer.writes).toEqual([`deploy ${canaryService} ${greenTaskDefinition}`]);
    expect(rollout.deploymentId).toBe('ecs-svc/9999');
    expect(ports.registry.notes.get('ecs-svc/9999')).toEqual({ deploymentId: 'ecs-svc/9999', rolloutId: record.rolloutId });
    expect((await ports.registry.getRollout(record.rolloutId))?.deploymentId).toBe('ecs-svc/9999');
  });
});

describe('waitForCanaryTasks', () => {
  it('stores the token and waits while the deployment is in progress', async () => {
    // Prepare
    const { ports, record } = preparing();

    // Act
    await waitForCanaryTasks(colorAppRollout({ deploymentId: 'ecs-svc/2222' }), taskToken, ports);

    // Assess
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(expect.objectContaining({ taskToken, phase: 'WAITING_FOR_CANARY' }));
    expect(ports.registry.notes.get('ecs-svc/2222')).toEqual({ deploymentId: 'ecs-svc/2222', rolloutId: record.rolloutId });
    expect(ports.orchestrator.calls).toEqual([]);
  });

  it('resumes the token itself when the COMPLETED event arrived before the token was stored', async () => {
    // Prepare
    const { ports } = preparing();
    await ports.registry.noteDeployment({ deploymentId: 'ecs-svc/2222', state: 'COMPLETED' });
    const rollout = colorAppRollout({ deploymentId: 'ecs-svc/2222' });

    // Act
    await waitForCanaryTasks(rollout, taskToken, ports);

    // Assess
    expect(ports.orchestrator.calls).toEqual([{ call: 'resumeTask', args: [taskToken, rollout] }]);
  });

  it('fails the token itself when the FAILED event arrived first, with its reason', async () => {
    // Prepare
    const { ports } = preparing();
    await ports.registry.noteDeployment({ deploymentId: 'ecs-svc/2222', state: 'FAILED', reason: 'tasks failed to start' });

    // Act
    await waitForCanaryTasks(colorAppRollout({ deploymentId: 'ecs-svc/2222' }), taskToken, ports);

    // Assess
    expect(ports.orchestrator.calls).toEqual([{ call: 'failTask', args: [taskToken, 'CanaryDeploymentFailedError', 'ECS deployment ecs-svc/2222 failed: tasks failed to start'] }]);
  });

  it.each([
    ['COMPLETED', 'resumeTask'],
    ['FAILED', 'failTask'],
  ] as const)('asks ECS when no event was noted: %s ends in %s', async (rolloutState, call) => {
    // Prepare
    const { ports } = preparing();
    const service = ports.deployer.services.get(canaryService);
    service?.deployments.splice(0, 1, { id: 'ecs-svc/2222', status: 'PRIMARY', taskDefinition: greenTaskDefinition, rolloutState, reason: 'from ECS' });

    // Act
    await waitForCanaryTasks(colorAppRollout({ deploymentId: 'ecs-svc/2222' }), taskToken, ports);

    // Assess
    expect(ports.orchestrator.calls.map((entry) => entry.call)).toEqual([call]);
    if (call === 'failTask') expect(ports.orchestrator.calls[0]?.args[2]).toContain('from ECS');
  });

  it('uses the deployment id the registry learned when the rollout input has none', async () => {
    // Prepare
    const { ports } = preparing({ deploymentId: 'ecs-svc/2222' });
    await ports.registry.noteDeployment({ deploymentId: 'ecs-svc/2222', state: 'COMPLETED' });

    // Act
    await waitForCanaryTasks(colorAppRollout({ deploymentId: undefined }), taskToken, ports);

    // Assess
    expect(ports.orchestrator.calls.map((entry) => entry.call)).toEqual(['resumeTask']);
  });

  it('fails the token without storing it when a rollback already began', async () => {
    // Prepare
    const { ports, record } = preparing({ phase: 'ROLLING_BACK' });

    // Act
    await waitForCanaryTasks(colorAppRollout({ deploymentId: 'ecs-svc/2222' }), taskToken, ports);

    // Assess
    expect(ports.orchestrator.calls).toEqual([{ call: 'failTask', args: [taskToken, 'AlarmBreachedError', expect.stringContaining('rolled back')] }]);
    expect(await ports.registry.getRollout(record.rolloutId)).toEqual(record);
  });
});
