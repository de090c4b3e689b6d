import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsServiceDeployer } from '../adapters/ecs-service-deployer';

/** Built at load, for functions that call ECS on most invocations; the others take it from ./on-first-use. */
export const serviceDeployer = new EcsServiceDeployer(new ECSClient({}));
