import { deploymentEventSchema, parseEvent, serviceOfArn } from '../shared/event-schemas';
import { lambdaHandler, logger, recordMetric } from '../shared/lambda-handler';
import { handleDeploymentEvent } from '../shared/use-cases/handle-deployment-event';
import { serviceDeployer } from '../shared/wiring/ecs';
import { registry } from '../shared/wiring/registry';
import { orchestrator } from '../shared/wiring/step-functions';

export const handler = lambdaHandler('Handle deployment event', async (event: unknown) => {
  const parsed = parseEvent(deploymentEventSchema, event, 'ECS deployment event');
  const { cluster, service } = serviceOfArn(parsed.resources[0] ?? '');
  const outcome = await handleDeploymentEvent(
    { cluster, service, ...parsed.detail },
    { registry, deployer: serviceDeployer, orchestrator },
  );
  if (outcome.action === 'started') recordMetric('RolloutsStarted');
  logger.info('Deployment event handled', { deploymentId: parsed.detail.deploymentId, eventName: parsed.detail.eventName, outcome });
  return outcome;
});
