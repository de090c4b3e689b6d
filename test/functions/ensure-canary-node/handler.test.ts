import { CreateVirtualNodeCommand, DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/ensure-canary-node/handler';
import { ResourceMissingError } from '../../../functions/shared/domain/errors';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  colorApp,
  describeVirtualNodeOutput,
  expectNoMutatingCall,
  lambdaContext,
  nodeSpec,
  notFound,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-ensure-canary-node');

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  table.seed(...activeRolloutItems(rolloutRecord({ phase: 'PREPARING', canaryNodeCreated: false })));
});

describe('ensure-canary-node handler', () => {
  it('creates the canary node from the stable one, after telling the registry it did, then checks no rollback began meanwhile', async () => {
    // Prepare
    aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.canaryNode }).rejects(notFound('VirtualNode colorteller-v2 not found'));
    aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.stableNode }).resolves(describeVirtualNodeOutput(colorApp.stableNode, colorApp.stableService));
    aws.appMesh.on(CreateVirtualNodeCommand).resolves({});
    const rollout = rolloutInput();

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toEqual(rollout);
    expect(awsCalls()).toEqual(['appMesh.DescribeVirtualNodeCommand', 'dynamo.UpdateCommand', 'appMesh.DescribeVirtualNodeCommand', 'appMesh.CreateVirtualNodeCommand', 'dynamo.GetCommand']);
    expect(aws.appMesh).toHaveReceivedNthCommandWith(1, DescribeVirtualNodeCommand, { meshName: 'colorapp', virtualNodeName: 'colorteller-v2' });
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ExpressionAttributeValues: expect.objectContaining({ ':canaryNodeCreated': true }),
    });
    // Same listeners, backends and logging as the stable node; discovery narrowed to the canary service.
    expect(aws.appMesh).toHaveReceivedCommandWith(CreateVirtualNodeCommand, {
      meshName: 'colorapp',
      virtualNodeName: 'colorteller-v2',
      spec: nodeSpec(colorApp.canaryService),
    });
    expect(table.rollout()).toMatchObject({ canaryNodeCreated: true });
  });

  it('leaves an existing canary node alone and records nothing', async () => {
    // Prepare
    aws.appMesh.on(DescribeVirtualNodeCommand, { virtualNodeName: colorApp.canaryNode }).resolves(describeVirtualNodeOutput(colorApp.canaryNode, colorApp.canaryService));

    // Act
    await handler({ rollout: rolloutInput() }, context);

    // Assess
    expect(aws.appMesh).toHaveReceivedCommandTimes(CreateVirtualNodeCommand, 0);
    expectNoMutatingCall();
    expect(table.rollout()).toMatchObject({ canaryNodeCreated: false });
  });

  it('fails with ResourceMissingError when the stable node disappeared, having created nothing', async () => {
    // Prepare
    aws.appMesh.on(DescribeVirtualNodeCommand).rejects(notFound('VirtualNode not found'));

    // Act
    const result = handler({ rollout: rolloutInput() }, context);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ResourceMissingError);
    await expect(result).rejects.toThrow('Stable virtual node colorteller-v1 does not exist in mesh colorapp');
    expect(aws.appMesh).toHaveReceivedCommandTimes(CreateVirtualNodeCommand, 0);
  });
});
