import { DescribeServicesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { ExecutionAlreadyExists, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../../functions/shared/domain/errors';
import { handler } from '../../../functions/handle-deployment-event/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  awsError,
  canaryDeployment,
  canaryServiceArn,
  canaryTaskDefinitionArn,
  deploymentId,
  deploymentItem,
  ecsService,
  expectNoAwsCall,
  firstDeployment,
  lambdaContext,
  loadEvent,
  policyTag,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutItem,
  rolloutRecord,
  stateMachineArn,
  stubEcsService,
  tableName,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-handle-deployment-event');
const executionName = 'default-colorteller-0123456789012345678';
const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAexampletoken';
const deployingKey = { pk: 'DEPLOYING#default/colorteller', sk: `TASKDEF#${canaryTaskDefinitionArn}` };

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
});

function stubCanaryService(tags: Array<{ key: string; value: string }> = [policyTag], service = ecsService()) {
  stubEcsService(service, tags);
}

describe('handle-deployment-event handler', () => {
  describe('SERVICE_DEPLOYMENT_IN_PROGRESS (ecs-deployment-in-progress.json)', () => {
    it('starts an execution named after the deployment for a service tagged meshshift:policy, reading one deploying index entry instead of every active rollout', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService();
      aws.sfn.on(StartExecutionCommand).resolves({ executionArn: `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${executionName}`, startDate: new Date() });

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'started', executionName, executionArn: `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${executionName}` });
      expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'default', services: ['colorteller'] });
      expect(aws.ecs).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: canaryServiceArn });
      expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
        TableName: tableName,
        Key: { pk: `DEPLOYMENT#${deploymentId}`, sk: 'DEPLOYMENT' },
        UpdateExpression: 'SET deploymentId = :deploymentId, expiresAt = :expiresAt',
      });
      expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn, name: executionName });
      const input = JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
      // No start time: Prepare reads when the deployment began from ECS, never from its input.
      expect(input).toEqual({ cluster: 'default', service: 'colorteller', deploymentId });
      expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: deployingKey, ConsistentRead: true });
      expect(aws.dynamo).toHaveReceivedCommandTimes(QueryCommand, 0);
      expect(awsCalls()).toEqual(['ecs.DescribeServicesCommand', 'ecs.ListTagsForResourceCommand', 'dynamo.UpdateCommand', 'dynamo.GetCommand', 'sfn.StartExecutionCommand']);
    });

    it('treats the same event again (ExecutionAlreadyExists) as a duplicate, not an error', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService();
      aws.sfn.on(StartExecutionCommand).rejects(awsError(ExecutionAlreadyExists, `Execution Already Exists: '${executionName}'`));

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'duplicate', executionName });
      expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn, name: executionName });
    });

    it('gives the same execution name to both deliveries of one event', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService();
      aws.sfn
        .on(StartExecutionCommand)
        .resolvesOnce({ executionArn: `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${executionName}`, startDate: new Date() })
        .rejects(awsError(ExecutionAlreadyExists, 'Execution Already Exists'));

      // Act
      const first = await handler(event, context);
      const second = await handler(structuredClone(event), context);

      // Assess
      expect(first).toMatchObject({ action: 'started', executionName });
      expect(second).toEqual({ action: 'duplicate', executionName });
      const names = aws.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
      expect(names).toEqual([executionName, executionName]);
    });

    it('ignores a service without the meshshift:policy tag (no StartExecution)', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService([{ key: 'team', value: 'colors' }]);

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('has no meshshift:policy tag') });
      expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
      expect(aws.dynamo).not.toHaveReceivedAnyCommand();
    });

    it('ignores a deployment that meshshift itself drives (the registry links it to a rollout)', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService();
      table.seed(deploymentItem(deploymentId, { rolloutId: 'manual-colorteller-2026-11-20' }));

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('driven by rollout manual-colorteller-2026-11-20') });
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
    });

    it('links a manual rollout’s own deployment whose event came before Deploy canary noted it', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-in-progress');
      stubCanaryService();
      table.seed(...activeRolloutItems(rolloutRecord({ rolloutId: 'manual-colorteller-2026-11-20', phase: 'PREPARING', deploymentId: undefined })));

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('driven by rollout manual-colorteller-2026-11-20') });
      expect(table.item(`DEPLOYMENT#${deploymentId}`, 'DEPLOYMENT')).toMatchObject({ rolloutId: 'manual-colorteller-2026-11-20' });
      expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { Key: deployingKey, ConsistentRead: true });
      // The rollout found is read to check it has no deployment of its own yet.
      expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'ROLLOUT#manual-colorteller-2026-11-20', sk: 'ROLLOUT' }, ConsistentRead: true });
      expect(aws.dynamo).toHaveReceivedCommandTimes(QueryCommand, 0);
      expect(awsCalls()).toEqual(['ecs.DescribeServicesCommand', 'ecs.ListTagsForResourceCommand', 'dynamo.UpdateCommand', 'dynamo.GetCommand', 'dynamo.GetCommand', 'dynamo.UpdateCommand']);
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
    });

    it('starts a rollout of a redeploy even when a stuck rollout deploys the same task definition with another deployment', async () => {
      // Prepare: ecs-svc/0999… rolled out the canary task definition and got stuck; a force-new-deployment made ours.
      const event = loadEvent('ecs-deployment-in-progress');
      const stuckDeployment = { ...canaryDeployment, id: 'ecs-svc/0999999999999999999', status: 'ACTIVE', createdAt: new Date('2026-11-20T12:20:00Z') };
      stubCanaryService([policyTag], ecsService({ deployments: [canaryDeployment, stuckDeployment, firstDeployment] }));
      const stuck = rolloutRecord({ rolloutId: 'default-colorteller-0999999999999999999', deploymentId: stuckDeployment.id, startedAt: '2026-11-20T12:20:00Z' });
      table.seed(...activeRolloutItems(stuck));
      aws.sfn.on(StartExecutionCommand).resolves({ executionArn: `arn:aws:states:us-west-2:111122223333:execution:meshshift-rollout:${executionName}`, startDate: new Date() });

      // Act
      const outcome = await handler(event, context);

      // Assess: the new rollout will supersede the stuck one in Prepare; the deployment is not linked to the stuck one.
      expect(outcome).toMatchObject({ action: 'started', executionName });
      expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn, name: executionName });
      expect(table.item(`DEPLOYMENT#${deploymentId}`, 'DEPLOYMENT')).toMatchObject({ deploymentId });
      expect(table.item(`DEPLOYMENT#${deploymentId}`, 'DEPLOYMENT')).not.toHaveProperty('rolloutId');
    });

    it('ignores an event for a deployment ECS already replaced (listed ACTIVE, not PRIMARY), starting nothing', async () => {
      // Prepare: the event of an older deployment arrives after a newer one became PRIMARY.
      const event = loadEvent('ecs-deployment-in-progress');
      const newer = { ...canaryDeployment, id: 'ecs-svc/2222222222222222222', createdAt: new Date('2026-11-20T12:33:00Z') };
      stubCanaryService([policyTag], ecsService({ deployments: [newer, { ...canaryDeployment, status: 'ACTIVE' }, firstDeployment] }));

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason: `deployment ${deploymentId} is ACTIVE: a newer deployment replaced it` });
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
      expect(aws.dynamo).not.toHaveReceivedAnyCommand();
    });

    it('ignores a circuit-breaker rollback (ecs-deployment-circuit-breaker-rollback.json) without calling ECS', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-circuit-breaker-rollback');

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason: 'circuit-breaker rollback, not a new version' });
      expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
      expect(aws.ecs).not.toHaveReceivedAnyCommand();
      expectNoAwsCall();
    });
  });

  describe('events from outside this stack (another account, region or cluster)', () => {
    const account = '444455556666';
    const region = 'eu-west-1';
    const cluster = 'payments';
    const serviceArn = (where: { account?: string; region?: string; cluster?: string }) =>
      `arn:aws:ecs:${where.region ?? 'us-west-2'}:${where.account ?? '111122223333'}:service/${where.cluster ?? 'default'}/colorteller`;
    const from = (where: { account?: string; region?: string; cluster?: string }) => {
      const event = loadEvent('ecs-deployment-in-progress');
      return { ...event, account: where.account ?? event.account, region: where.region ?? event.region, resources: [serviceArn(where)] };
    };

    it.each([
      ['another account', from({ account }), `event from account ${account}, but this meshshift deployment works in account 111122223333 only`],
      ['another region', from({ region }), `event from region ${region}, but this meshshift deployment works in region us-west-2 only`],
      ['another cluster', from({ cluster }), `event from cluster ${cluster}, but this meshshift deployment works in cluster default only`],
    ])('ignores a deployment in %s, calling nothing (so starting nothing)', async (_case, event, reason) => {
      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'ignored', reason });
      expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
      expectNoAwsCall();
    });
  });

  describe('SERVICE_DEPLOYMENT_COMPLETED (ecs-deployment-completed.json)', () => {
    it('resumes the stored task token when the registry links the deployment to a waiting rollout', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-completed');
      table.seed(deploymentItem(deploymentId, { rolloutId }), rolloutItem(rolloutRecord({ phase: 'WAITING_FOR_CANARY', taskToken })));
      aws.sfn.on(SendTaskSuccessCommand).resolves({});

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'resumed', rolloutId });
      expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
        Key: { pk: `DEPLOYMENT#${deploymentId}`, sk: 'DEPLOYMENT' },
        ExpressionAttributeValues: expect.objectContaining({ ':state': 'COMPLETED', ':reason': 'ECS deployment ecs-svc/0123456789012345678 completed.' }),
      });
      expect(aws.dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' }, ConsistentRead: true });
      expect(aws.sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
      expect(aws.sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken, output: JSON.stringify({ deploymentId, state: 'COMPLETED' }) });
      expect(aws.ecs).not.toHaveReceivedAnyCommand();
    });

    it('only notes the deployment when no rollout waits for it', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-completed');

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'noted', deploymentId });
      expect(table.item(`DEPLOYMENT#${deploymentId}`, 'DEPLOYMENT')).toMatchObject({ deploymentId, state: 'COMPLETED' });
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
      expect(awsCalls()).toEqual(['dynamo.UpdateCommand']);
    });

    it('only notes the deployment when the linked rollout has no task token yet', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-completed');
      table.seed(deploymentItem(deploymentId, { rolloutId }), rolloutItem(rolloutRecord({ phase: 'PREPARING' })));

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'noted', deploymentId });
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
    });
  });

  describe('SERVICE_DEPLOYMENT_FAILED (ecs-deployment-failed.json)', () => {
    it('fails the stored task token with CanaryDeploymentFailedError and the ECS reason', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-failed');
      table.seed(deploymentItem(deploymentId, { rolloutId }), rolloutItem(rolloutRecord({ phase: 'WAITING_FOR_CANARY', taskToken })));
      aws.sfn.on(SendTaskFailureCommand).resolves({});

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'failed-task', rolloutId });
      expect(aws.sfn).toHaveReceivedCommandTimes(SendTaskFailureCommand, 1);
      expect(aws.sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
        taskToken,
        error: 'CanaryDeploymentFailedError',
        cause: 'ECS deployment ecs-svc/0123456789012345678 failed: ECS deployment circuit breaker: task failed to start.',
      });
      expect(aws.sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
    });

    it('notes the failure for a rollout that has not parked its token yet', async () => {
      // Prepare
      const event = loadEvent('ecs-deployment-failed');

      // Act
      const outcome = await handler(event, context);

      // Assess
      expect(outcome).toEqual({ action: 'noted', deploymentId });
      expect(table.item(`DEPLOYMENT#${deploymentId}`, 'DEPLOYMENT')).toMatchObject({ state: 'FAILED', reason: 'ECS deployment circuit breaker: task failed to start.' });
      expect(aws.sfn).not.toHaveReceivedAnyCommand();
    });
  });

  describe('malformed events', () => {
    const withDetail = (changes: Record<string, unknown>) => {
      const event = loadEvent('ecs-deployment-in-progress');
      return { ...event, detail: { ...event.detail, ...changes } };
    };

    it.each([
      ['detail.deploymentId missing', () => withDetail({ deploymentId: undefined }), 'event.detail.deploymentId'],
      ['detail.deploymentId not an ECS deployment id', () => withDetail({ deploymentId: 'd-12345' }), 'event.detail.deploymentId: must look like ecs-svc/<digits>'],
      ['a wrong source', () => ({ ...loadEvent('ecs-deployment-in-progress'), source: 'aws.codedeploy' }), 'event.source'],
      ['a wrong detail-type', () => ({ ...loadEvent('ecs-deployment-in-progress'), 'detail-type': 'ECS Task State Change' }), 'event.detail-type'],
      [
        'a resources ARN that is not an ECS service',
        () => ({ ...loadEvent('ecs-deployment-in-progress'), resources: ['arn:aws:ecs:us-west-2:111122223333:cluster/default'] }),
        'event.resources[0]: must be an ECS service ARN with a cluster',
      ],
      ['no resources', () => ({ ...loadEvent('ecs-deployment-in-progress'), resources: [] }), 'event.resources'],
      ['an unknown eventName', () => withDetail({ eventName: 'SERVICE_DEPLOYMENT_PAUSED' }), 'event.detail.eventName'],
      ['a bad updatedAt', () => withDetail({ updatedAt: 'yesterday' }), 'event.detail.updatedAt'],
      ['a string instead of an event', () => 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'event: '],
      ['null', () => null, 'event: '],
    ])('rejects %s with InvalidInputError naming the field, and calls nothing', async (_case, build, field) => {
      // Prepare
      const event = build();

      // Act
      const result = handler(event, context);

      // Assess
      await expect(result).rejects.toBeInstanceOf(InvalidInputError);
      await expect(result).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(field) });
      await expect(result).rejects.toThrow(/^Invalid ECS deployment event: /);
      expectNoAwsCall();
    });
  });
});
