import { executionNameForDeployment } from '../../../../functions/shared/domain/execution-name';
import { type DeploymentEvent, handleDeploymentEvent } from '../../../../functions/shared/use-cases/handle-deployment-event';
import { canaryService, colorAppPorts, colorAppRecord, greenTaskDefinition } from './color-app';

const settings = { account: '111122223333', region: 'us-west-2', cluster: 'default' };

function event(overrides: Partial<DeploymentEvent> = {}): DeploymentEvent {
  return { account: '111122223333', region: 'us-west-2', cluster: 'default', service: canaryService, eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: 'ecs-svc/2222', updatedAt: '2026-11-20T12:36:41Z', ...overrides };
}

describe('handleDeploymentEvent: a deployment starts', () => {
  it('starts an execution named after the deployment, with the deployment as input', async () => {
    // Prepare
    const ports = colorAppPorts();
    const executionName = executionNameForDeployment('default', canaryService, 'ecs-svc/2222');

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'started', executionName, executionArn: expect.stringContaining(executionName) });
    expect(ports.orchestrator.calls).toEqual([
      { call: 'start', args: [executionName, { cluster: 'default', service: canaryService, deploymentId: 'ecs-svc/2222'}] },
    ]);
  });

  it('reports a repeated event as a duplicate of the same execution', async () => {
    // Prepare
    const ports = colorAppPorts();
    await handleDeploymentEvent(event(), settings, ports);

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'duplicate', executionName: executionNameForDeployment('default', canaryService, 'ecs-svc/2222') });
  });

  it("ignores the circuit breaker's rollback, which is not a new version", async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const outcome = await handleDeploymentEvent(event({ reason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1111111111111111111.' }), settings, ports);

    // Assess
    expect(outcome.action).toBe('ignored');
    expect(ports.orchestrator.calls).toEqual([]);
  });

  it('ignores a service without the meshshift:policy tag', async () => {
    // Prepare
    const ports = colorAppPorts();
    const service = ports.deployer.services.get(canaryService);
    if (service) service.tags = { team: 'color' };

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('meshshift:policy') });
    expect(ports.orchestrator.calls).toEqual([]);
    expect(ports.registry.writes).toEqual([]);
  });

  it('ignores a deployment that a manual rollout already drives', async () => {
    // Prepare
    const ports = colorAppPorts();
    await ports.registry.noteDeployment({ deploymentId: 'ecs-svc/2222', rolloutId: 'manual-colorteller-1' });

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('manual-colorteller-1') });
    expect(ports.orchestrator.calls).toEqual([]);
  });

  it("ignores a manual rollout's own deployment whose event came before the rollout noted it, and links the two", async () => {
    // Prepare
    const ports = colorAppPorts();
    const record = colorAppRecord({ rolloutId: 'manual-colorteller-1', phase: 'PREPARING', deploymentId: undefined });
    ports.registry.rollouts.set(record.rolloutId, record);
    const lookup = jest.spyOn(ports.registry, 'rolloutIdDeploying');
    const listing = jest.spyOn(ports.registry, 'activeRollouts');

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'ignored', reason: 'deployment ecs-svc/2222 is driven by rollout manual-colorteller-1' });
    expect(lookup.mock.calls).toEqual([['default', canaryService, greenTaskDefinition]]);
    expect(listing).not.toHaveBeenCalled();
    expect(ports.registry.notes.get('ecs-svc/2222')).toEqual({ deploymentId: 'ecs-svc/2222', rolloutId: 'manual-colorteller-1' });
    expect(ports.orchestrator.calls).toEqual([]);
  });

  it('looks up only the rollout of this service and task definition, never listing every active rollout', async () => {
    // Prepare
    const ports = colorAppPorts();
    for (const index of [1, 2, 3]) {
      const other = colorAppRecord({ rolloutId: `other-${index}`, service: `other-service-${index}`, phase: 'SHIFTING' });
      ports.registry.rollouts.set(other.rolloutId, other);
    }
    const lookup = jest.spyOn(ports.registry, 'rolloutIdDeploying');
    const listing = jest.spyOn(ports.registry, 'activeRollouts');

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome.action).toBe('started');
    expect(lookup.mock.calls).toEqual([['default', canaryService, greenTaskDefinition]]);
    expect(listing).not.toHaveBeenCalled();
  });

  it('starts a rollout for a redeploy of a task definition whose rollout has ended', async () => {
    // Prepare
    const ports = colorAppPorts();
    const ended = colorAppRecord({ rolloutId: 'manual-colorteller-1', phase: 'PROMOTED' });
    ports.registry.rollouts.set(ended.rolloutId, ended);

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome.action).toBe('started');
    expect(ports.registry.notes.get('ecs-svc/2222')).toEqual({ deploymentId: 'ecs-svc/2222' });
  });

  it('starts a rollout without a lookup when ECS no longer lists the deployment, so its task definition is unknown', async () => {
    // Prepare
    const ports = colorAppPorts();
    const record = colorAppRecord({ rolloutId: 'manual-colorteller-1', phase: 'PREPARING', deploymentId: undefined });
    ports.registry.rollouts.set(record.rolloutId, record);
    const lookup = jest.spyOn(ports.registry, 'rolloutIdDeploying');

    // Act
    const outcome = await handleDeploymentEvent(event({ deploymentId: 'ecs-svc/3333' }), settings, ports);

    // Assess
    expect(outcome.action).toBe('started');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('ignores a deployment whose failure was already noted', async () => {
    // Prepare
    const ports = colorAppPorts();
    await ports.registry.noteDeployment({ deploymentId: 'ecs-svc/2222', state: 'FAILED' });

    // Act
    const outcome = await handleDeploymentEvent(event(), settings, ports);

    // Assess
    expect(outcome.action).toBe('ignored');
    expect(ports.orchestrator.calls).toEqual([]);
  });
});

describe('handleDeploymentEvent: a deployment ends', () => {
  function waitingRollout() {
    const ports = colorAppPorts();
    const record = colorAppRecord({ phase: 'WAITING_FOR_CANARY', taskToken: 'token-1' });
    ports.registry.rollouts.set(record.rolloutId, record);
    ports.registry.notes.set('ecs-svc/2222', { deploymentId: 'ecs-svc/2222', rolloutId: record.rolloutId });
    return { ports, record };
  }

  it('resumes the waiting rollout when the deployment completed', async () => {
    // Prepare
    const { ports, record } = waitingRollout();

    // Act
    const outcome = await handleDeploymentEvent(event({ eventName: 'SERVICE_DEPLOYMENT_COMPLETED' }), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'resumed', rolloutId: record.rolloutId });
    expect(ports.orchestrator.calls).toEqual([{ call: 'resumeTask', args: ['token-1', { deploymentId: 'ecs-svc/2222', state: 'COMPLETED' }] }]);
  });

  it('fails the waiting rollout with CanaryDeploymentFailedError when the deployment failed', async () => {
    // Prepare
    const { ports, record } = waitingRollout();

    // Act
    const outcome = await handleDeploymentEvent(event({ eventName: 'SERVICE_DEPLOYMENT_FAILED', reason: 'tasks failed to start' }), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'failed-task', rolloutId: record.rolloutId });
    expect(ports.orchestrator.calls).toEqual([{ call: 'failTask', args: ['token-1', 'CanaryDeploymentFailedError', 'ECS deployment ecs-svc/2222 failed: tasks failed to start'] }]);
  });

  it('notes the outcome for a rollout that is not waiting yet, so it can find it later', async () => {
    // Prepare
    const ports = colorAppPorts();

    // Act
    const outcome = await handleDeploymentEvent(event({ eventName: 'SERVICE_DEPLOYMENT_COMPLETED' }), settings, ports);

    // Assess
    expect(outcome).toEqual({ action: 'noted', deploymentId: 'ecs-svc/2222' });
    expect(ports.registry.notes.get('ecs-svc/2222')).toEqual({ deploymentId: 'ecs-svc/2222', state: 'COMPLETED' });
    expect(ports.orchestrator.calls).toEqual([]);
  });
});
