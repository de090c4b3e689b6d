import { requireEnv, stackLocation } from '../shared/config';
import { deploymentEventSchema, parseEvent, serviceOfArn } from '../shared/event-schemas';
import { lambdaHandler, logger, recordMetric } from '../shared/lambda-handler';
import { handleDeploymentEvent } from '../shared/use-cases/handle-deployment-event';
import { serviceDeployer } from '../shared/wiring/ecs';
import { registry } from '../shared/wiring/registry';
import { orchestrator } from '../shared/wiring/step-functions';

const settings = { ...stackLocation(requireEnv('STATE_MACHINE_ARN')), cluster: requireEnv('CLUSTER_NAME') };

export const handler = lambdaHandler('Handle deployment event', async (event: unknown) => {
  const parsed = parseEvent(deploymentEventSchema, event, 'ECS deployment event');
  const { cluster, service } = serviceOfArn(parsed.resources[0] ?? '');
  const outcome = await handleDeploymentEvent(
    { account: parsed.account, region: parsed.region, cluster, service, ...parsed.detail },
    settings,
    { registry, deployer: serviceDeployer, orchestrator },
  );
  if (outcome.action === 'started') recordMetric('RolloutsStarted');
  logger.info('Deployment event handled', { deploymentId: parsed.detail.deploymentId, eventName: parsed.detail.eventName, outcome });
  return outcome;
});
