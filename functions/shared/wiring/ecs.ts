import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsServiceDeployer } from '../adapters/ecs-service-deployer';

export const ecsClient = new ECSClient({});
export const serviceDeployer = new EcsServiceDeployer(ecsClient);
