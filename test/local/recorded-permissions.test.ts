import { BatchUpdateRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { VpcLatticeTrafficRouter } from '../../functions/shared/adapters/vpc-lattice-traffic-router';
import { seedColorAppLattice } from '../../local/color-app-lattice';
import { permissionsUsed } from '../../local/recorded-permissions';
import { SimulatedAws } from '../../local/simulated-aws';

const FUNCTION = 'ShiftTrafficFunction';
const LATTICE_ARN = 'arn:aws:vpc-lattice:us-west-2:111122223333';

/** The Lattice layout made by nobody's function, then a simulator that records `FUNCTION` as the caller. */
async function setup() {
  const caller: { name?: string } = {};
  const sim = new SimulatedAws({ callerOf: () => caller.name });
  const layout = await seedColorAppLattice(sim);
  caller.name = FUNCTION;
  const client = sim.attach(new VPCLatticeClient({ region: sim.region }));
  const ruleArn = `${LATTICE_ARN}:service/${layout.serviceId}/listener/${layout.listenerId}/rule/${layout.ruleId}`;
  return { sim, layout, client, ruleArn };
}

describe('permissionsUsed for VPC Lattice calls', () => {
  it('records a rule read and write as vpc-lattice actions on the rule ARN under its service and listener', async () => {
    // Prepare
    const { sim, layout, client, ruleArn } = await setup();
    const router = new VpcLatticeTrafficRouter(client);
    const ref = { mesh: '', virtualRouter: layout.serviceId, route: layout.route };

    // Act
    const reading = await router.readRoute(ref);
    await router.writeRoutes([
      {
        route: ref,
        reading,
        targets: [
          { virtualNode: layout.stableTargetGroup.id, weight: 90 },
          { virtualNode: layout.canaryTargetGroup.id, weight: 10 },
        ],
      },
    ]);
    const used = permissionsUsed({ sim, sdkCalls: [] });

    // Assess
    expect(used).toEqual({ [FUNCTION]: [`vpc-lattice:GetRule ${ruleArn}`, `vpc-lattice:UpdateRule ${ruleArn}`] });
  });

  it('records the route tags as ListTagsForResource on the service and the rule', async () => {
    // Prepare
    const { sim, layout, client, ruleArn } = await setup();

    // Act
    await new VpcLatticeTrafficRouter(client).routeTags({ mesh: '', virtualRouter: layout.serviceId, route: layout.route });
    const used = permissionsUsed({ sim, sdkCalls: [] });

    // Assess
    expect(used[FUNCTION]).toEqual([
      `vpc-lattice:GetRule ${ruleArn}`,
      `vpc-lattice:ListTagsForResource ${layout.serviceArn}`,
      `vpc-lattice:ListTagsForResource ${ruleArn}`,
    ]);
  });

  it('records BatchUpdateRule as the UpdateRule permission it needs, on every rule of the batch', async () => {
    // Prepare
    const { sim, layout, client, ruleArn } = await setup();

    // Act
    await client.send(
      new BatchUpdateRuleCommand({
        serviceIdentifier: layout.serviceArn,
        listenerIdentifier: layout.listenerId,
        rules: [{ ruleIdentifier: layout.ruleId, action: { forward: { targetGroups: [{ targetGroupIdentifier: layout.canaryTargetGroup.id, weight: 100 }] } } }],
      }),
    );
    const used = permissionsUsed({ sim, sdkCalls: [] });

    // Assess
    expect(used[FUNCTION]).toEqual([`vpc-lattice:UpdateRule ${ruleArn}`]);
  });

  it.each([
    ['GetListener by ids', 'GetListener', { serviceIdentifier: 'svc-0123456789abcdef0', listenerIdentifier: 'listener-0123456789abcdef0' }, `${LATTICE_ARN}:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0`],
    [
      'UpdateListener by listener ARN',
      'UpdateListener',
      { serviceIdentifier: 'svc-0123456789abcdef0', listenerIdentifier: `${LATTICE_ARN}:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0` },
      `${LATTICE_ARN}:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0`,
    ],
    [
      'GetRule by service ARN and ids',
      'GetRule',
      { serviceIdentifier: `${LATTICE_ARN}:service/svc-0123456789abcdef0`, listenerIdentifier: 'listener-0123456789abcdef0', ruleIdentifier: 'rule-0123456789abcdef0' },
      `${LATTICE_ARN}:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0`,
    ],
    ['GetTargetGroup by id', 'GetTargetGroup', { targetGroupIdentifier: 'tg-0123456789abcdef0' }, `${LATTICE_ARN}:targetgroup/tg-0123456789abcdef0`],
    ['GetTargetGroup by ARN', 'GetTargetGroup', { targetGroupIdentifier: `${LATTICE_ARN}:targetgroup/tg-0123456789abcdef0` }, `${LATTICE_ARN}:targetgroup/tg-0123456789abcdef0`],
    ['ListListeners, which names no resource', 'ListListeners', { serviceIdentifier: 'svc-0123456789abcdef0' }, '*'],
    ['ListRules, which names no resource', 'ListRules', { serviceIdentifier: 'svc-0123456789abcdef0', listenerIdentifier: 'listener-0123456789abcdef0' }, '*'],
  ])('maps %s to its IAM resource', (_case, operation, input, resource) => {
    // Prepare
    const sim = new SimulatedAws();

    // Act
    const used = permissionsUsed({ sim, sdkCalls: [{ caller: FUNCTION, service: 'vpc-lattice', operation, input }] });

    // Assess
    expect(used).toEqual({ [FUNCTION]: [`vpc-lattice:${operation} ${resource}`] });
  });
});

describe('permissionsUsed for rollout events', () => {
  it('records PutEvents on each bus its entries name, the default one where they name none', () => {
    // Prepare
    const sim = new SimulatedAws();
    const entries = [{ Source: 'meshshift' }, { EventBusName: 'platform', Source: 'meshshift' }, { EventBusName: 'platform', Source: 'meshshift' }];

    // Act
    const used = permissionsUsed({ sim, sdkCalls: [{ caller: FUNCTION, service: 'events', operation: 'PutEvents', input: { Entries: entries } }] });

    // Assess
    expect(used).toEqual({
      [FUNCTION]: ['events:PutEvents arn:aws:events:us-west-2:111122223333:event-bus/default', 'events:PutEvents arn:aws:events:us-west-2:111122223333:event-bus/platform'],
    });
  });
});
