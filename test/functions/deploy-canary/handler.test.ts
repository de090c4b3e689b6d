import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/deploy-canary/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  canaryTaskDefinitionArn,
  ecsService,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutInput,
  rolloutRecord,
  stableTaskDefinitionArn,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-deploy-canary');
const newDeploymentId = 'ecs-svc/2222222222222222222';
const manualRolloutId = 'manual-colorteller-2026-11-20';

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ rolloutId: manualRolloutId, phase: 'PREPARING', deploymentId: undefined })));
});

const runningStable = ecsService({
  deployments: [{ id: 'ecs-svc/1111111111111111111', status: 'PRIMARY', taskDefinition: stableTaskDefinitionArn, rolloutState: 'COMPLETED' }],
});

describe('deploy-canary handler', () => {
  it('updates the ECS service to the task definition and links the new deployment to the rollout', async () => {
    // Prepare
    aws.ecs.on(DescribeServicesCommand).resolves({ services: [runningStable] });
    aws.ecs.on(UpdateServiceCommand).resolves({
      service: ecsService({ deployments: [{ id: newDeploymentId, status: 'PRIMARY', taskDefinition: canaryTaskDefinitionArn, rolloutState: 'IN_PROGRESS' }] }),
    });
    const rollout = rolloutInput({ rolloutId: manualRolloutId, deploymentId: undefined, deployTaskDefinition: true });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toEqual({ ...rollout, deploymentId: newDeploymentId });
    expect(awsCalls()).toEqual(['ecs.DescribeServicesCommand', 'ecs.UpdateServiceCommand', 'dynamo.UpdateCommand', 'dynamo.UpdateCommand']);
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller'] });
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'default', service: 'colorteller', taskDefinition: canaryTaskDefinitionArn });
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `DEPLOYMENT#${newDeploymentId}`, sk: 'DEPLOYMENT' },
      ExpressionAttributeValues: expect.objectContaining({ ':rolloutId': manualRolloutId }),
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${manualRolloutId}`, sk: 'ROLLOUT' },
      ExpressionAttributeValues: expect.objectContaining({ ':deploymentId': newDeploymentId }),
    });
    expect(table.rollout(manualRolloutId)).toMatchObject({ deploymentId: newDeploymentId });
  });

  it('does not deploy again on a retry when the primary deployment already runs the task definition', async () => {
    // Prepare
    aws.ecs.on(DescribeServicesCommand).resolves({
      services: [ecsService({ deployments: [{ id: newDeploymentId, status: 'PRIMARY', taskDefinition: canaryTaskDefinitionArn, rolloutState: 'IN_PROGRESS' }] })],
    });

    // Act
    const result = await handler({ rollout: rolloutInput({ rolloutId: manualRolloutId, deploymentId: undefined, deployTaskDefinition: true }) }, context);

    // Assess
    expect(result.deploymentId).toBe(newDeploymentId);
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
    expect(table.item(`DEPLOYMENT#${newDeploymentId}`, 'DEPLOYMENT')).toMatchObject({ rolloutId: manualRolloutId });
  });
});
