import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/pause-rollout/handler';
import { activeRolloutItems, aws, awsCalls, lambdaContext, type RegistryTable, resetAws, rolloutId, rolloutInput, rolloutRecord } from '../../support/handler-mocks';

const context = lambdaContext('meshshift-pause-rollout');
const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAexamplepausetoken';

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  aws.sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('pause-rollout handler', () => {
  it('parks the task token in the registry, only while the rollout may still shift, and calls nothing else', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'SHIFTING' })));

    // Act
    const pause = await handler({ rollout: { ...rolloutInput(), verdict: 'pause', pause: { by: 'policy', seconds: 600, then: 'promote', timeoutSeconds: 600 } }, taskToken }, context);

    // Assess
    expect(pause).toEqual({ taskToken, since: expect.any(String), until: expect.any(String), then: 'promote' });
    expect(awsCalls()).toEqual(['dynamo.UpdateCommand']);
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ConditionExpression: 'attribute_exists(pk) AND #phase IN (:allowed0, :allowed1, :allowed2)',
      ExpressionAttributeValues: expect.objectContaining({ ':pause': pause, ':allowed0': 'PREPARING', ':allowed1': 'WAITING_FOR_CANARY', ':allowed2': 'SHIFTING' }),
    });
  });

  it('ends its own pause at once when an operator request is already waiting', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ phase: 'SHIFTING', operatorRequest: 'resume', operatorRequestId: 'request-1' })));

    // Act
    await handler({ rollout: { ...rolloutInput(), verdict: 'pause', pause: { by: 'operator', then: 'stay', timeoutSeconds: 864000 } }, taskToken }, context);

    // Assess
    expect(awsCalls()).toEqual(['dynamo.UpdateCommand', 'sfn.SendTaskSuccessCommand']);
    expect(aws.sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken, output: JSON.stringify({ operatorRequestId: 'request-1' }) });
  });
});
