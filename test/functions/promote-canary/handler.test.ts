import { DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/promote-canary/handler';
import {
  activeRolloutItems,
  aws,
  awsCalls,
  colorApp,
  describeRouteOutput,
  expectNoMutatingCall,
  lambdaContext,
  type RegistryTable,
  resetAws,
  rolloutId,
  rolloutInput,
  rolloutRecord,
  routeSpec,
  split,
  canaryOnly,
} from '../../support/handler-mocks';

const context = lambdaContext('meshshift-promote-canary');

let table: RegistryTable;

beforeEach(() => {
  table = resetAws();
  aws.appMesh.on(UpdateRouteCommand).resolves({});
});

describe('promote-canary handler', () => {
  it('points the route at the canary alone, keeping the rest of the spec', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(50) }, stepIndex: 2, canaryWeight: 50 })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput(split(50)));
    const rollout = rolloutInput({ stepIndex: 2, verdict: 'promote' });

    // Act
    const result = await handler({ rollout }, context);

    // Assess
    expect(result).toEqual(rollout);
    expect(awsCalls()).toEqual(['dynamo.GetCommand', 'appMesh.DescribeRouteCommand', 'appMesh.UpdateRouteCommand', 'dynamo.UpdateCommand']);
    expect(aws.appMesh).toHaveReceivedCommandWith(UpdateRouteCommand, {
      meshName: 'colorapp',
      virtualRouterName: 'colorteller-vr',
      routeName: 'colorteller-route',
      spec: routeSpec(canaryOnly),
    });
    expect(aws.dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' },
      ExpressionAttributeValues: expect.objectContaining({ ':phase': 'SHIFTING', ':stepIndex': 4, ':canaryWeight': 100, ':lastWrittenTargets': { 'colorteller-route': canaryOnly } }),
    });
  });

  it('refuses to overwrite a person’s edit (RouteEditedError, no write)', async () => {
    // Prepare
    table.seed(...activeRolloutItems(rolloutRecord({ lastWrittenTargets: { [colorApp.route]: split(50) } })));
    aws.appMesh.on(DescribeRouteCommand).resolves(describeRouteOutput([{ virtualNode: 'colorteller-v1', weight: 100, port: 9080 }]));

    // Act
    const result = handler({ rollout: rolloutInput({ stepIndex: 2 }) }, context);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RouteEditedError', message: expect.stringContaining('colorteller-v1=100') });
    expectNoMutatingCall();
  });
});
