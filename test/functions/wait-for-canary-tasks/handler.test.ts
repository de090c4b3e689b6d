import { DescribeServicesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/wait-for-canary-tasks/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  canaryTaskDefinitionArn,
  deploymentId,
  deploymentItem,
  ecsService,
  lambdaContext,
  policyTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-wait-for-canary-tasks');
const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAexampletoken';

let table: RegistryTable;

function canaryDeploymentIs(rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED', reason?: string) {
  aws.ecs.on(DescribeServicesCommand).resolves({
    services: [ecsService({ deployments: [{ id: deploymentId, status: 'PRIMARY', taskDefinition: canaryTaskDefinitionArn, rolloutState, rolloutStateReason: reason }] })],
  });
  aws.ecs.on(ListTagsForResourceCommand).resolves({ tags: [policyTag] });
}

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ phase: 'PREPARING' })));
  aws.sfn.on(SendTaskSuccessCommand).resolves({});
  aws.sfn.on(SendTaskFailureCommand).resolves({});
});

describe('wait-for-canary-tasks handler', () => {
  it('parks the task token in the registry and leaves it for the deployment event while ECS deploys', async () => {
    // Prepare
    canaryDeploymentIs('IN_PROGRESS');

    // Act
    const result = await handler({ rollout: rolloutInput(), taskToken }, context);

    // Assess
    expect(result).toBeUndefined();
    expect(awsCalls()).toEqual(['dynamo.UpdateCommand', 'dynamo.UpdateCommand', 'ecs.DescribeServicesCommand', 'ecs.ListTagsForResourceCommand']);
    expect(aws.dynamo).toHaveReceivedNthCommandWith(1, UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1)',
      ExpressionAttributeValues: expect.objectContaining({ ':taskToken': taskToken, ':phase': 'WAITING_FOR_CANARY', ':allowed0': 'PREPARING', ':allowed1': 'WAITING_FOR_CANARY' }),
    });
    expect(aws.dynamo).toHaveReceivedNthCommandWith(2, UpdateCommand, {
      Key: { pk: `DEPLOYMENT#${deploymentId}`, sk: 'DEPLOYMENT' },
      ExpressionAttributeValues: expect.objectContaining({ ':rolloutId': rolloutId }),
    });
    expect(aws.sfn).not.toHaveReceivedAnyCommand();
    expect(table.rollout()).toMatchObject({ phase: 'WAITING_FOR_CANARY', taskToken });
  });

  it('resumes the token itself when ECS finished before the token was stored', async () => {
    // Prepare
    canaryDeploymentIs('COMPLETED');
    const rollout = rolloutInput();

    // Act
    await handler({ rollout, taskToken }, context);

    // Assess
    expect(aws.sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken, output: JSON.stringify(rollout) });
  });

  it('fails the token with CanaryDeploymentFailedError when an earlier event noted the failure', async () => {
    // Prepare
    table.seed(deploymentItem(deploymentId, { state: 'FAILED', reason: 'ECS deployment circuit breaker: task failed to start.' }));
    canaryDeploymentIs('IN_PROGRESS');

    // Act
    await handler({ rollout: rolloutInput(), taskToken }, context);

    // Assess
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken,
      error: 'CanaryDeploymentFailedError',
      cause: 'ECS deployment ecs-svc/0123456789012345678 failed: ECS deployment circuit breaker: task failed to start.',
    });
    expect(aws.sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('fails the token with AlarmBreachedError when the rollout was rolled back meanwhile', async () => {
    // Prepare
    table.patch(`ROLLOUT#${rolloutId}`, 'ROLLOUT', { phase: 'ROLLING_BACK' });

    // Act
    await handler({ rollout: rolloutInput(), taskToken }, context);

    // Assess
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken,
      error: 'AlarmBreachedError',
      cause: `Rollout ${rolloutId} was rolled back while waiting for its canary tasks`,
    });
    expect(aws.ecs).not.toHaveReceivedAnyCommand();
    expect(table.rollout()).not.toHaveProperty('taskToken');
  });
});
