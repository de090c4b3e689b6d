import {
  BatchUpdateRuleCommand,
  type BatchUpdateRuleRequest,
  GetRuleCommand,
  type GetRuleRequest,
  type RuleAction,
  UpdateRuleCommand,
  type UpdateRuleRequest,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import { VpcLatticeTrafficRouter } from '../../../../functions/shared/adapters/vpc-lattice-traffic-router';
import { TransientAwsError } from '../../../../functions/shared/domain/errors';
import { shiftTraffic } from '../../../../functions/shared/use-cases/shift-traffic';
import { colorAppRecord, colorAppRollout } from './color-app';
import { FakeRegistry } from './fakes';

// Two listener rules of one Lattice listener shifted in lockstep, through the real Lattice router
// on a Lattice that keeps what it is sent, to show the retry after a partly failed BatchUpdateRule.

const lattice = mockClient(VPCLatticeClient);
const service = 'svc-0123456789abcdef0';
const listener = 'listener-0123456789abcdef0';
const ruleIds = ['rule-0123456789abcdef0', 'rule-0123456789abcdef1'];
const routes = ruleIds.map((ruleId) => `${listener}/${ruleId}`);
const blue = 'tg-0000000000000blue';
const green = 'tg-000000000000green';
const original = [{ virtualNode: blue, weight: 100 }];
const tenPercent = [
  { virtualNode: blue, weight: 90 },
  { virtualNode: green, weight: 10 },
];

/** Rules as Lattice holds them: each write moves lastUpdatedAt, as Lattice's does. */
function statefulLattice() {
  const actions = new Map<string, RuleAction>(ruleIds.map((ruleId) => [ruleId, { forward: { targetGroups: [{ targetGroupIdentifier: blue, weight: 100 }] } }]));
  let writesSoFar = 0;
  const write = (ruleId: string, action: RuleAction | undefined) => {
    if (action) actions.set(ruleId, action);
    writesSoFar += 1;
  };
  lattice.on(GetRuleCommand).callsFake(({ ruleIdentifier }: GetRuleRequest) => ({
    id: ruleIdentifier,
    priority: 10 + ruleIds.indexOf(ruleIdentifier ?? ''),
    action: actions.get(ruleIdentifier ?? ''),
    lastUpdatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, writesSoFar)),
  }));
  lattice.on(UpdateRuleCommand).callsFake(({ ruleIdentifier, action }: UpdateRuleRequest) => write(ruleIdentifier ?? '', action));
  return { write };
}

function shiftingRecord() {
  return colorAppRecord({
    phase: 'SHIFTING',
    provider: 'lattice',
    mesh: '',
    virtualRouter: service,
    routes,
    canaryNode: green,
    stableNode: blue,
    originalTargets: Object.fromEntries(routes.map((route) => [route, original])),
    lastWrittenTargets: Object.fromEntries(routes.map((route) => [route, original])),
  });
}

beforeEach(() => {
  lattice.reset();
});

describe('shiftTraffic on VPC Lattice', () => {
  it('retries a partly failed BatchUpdateRule by writing only the rule that failed', async () => {
    // Prepare
    const { write } = statefulLattice();
    lattice
      .on(BatchUpdateRuleCommand)
      .callsFakeOnce(({ rules = [] }: BatchUpdateRuleRequest) => {
        const [landed, failed] = rules;
        write(landed?.ruleIdentifier ?? '', landed?.action);
        return { successful: [{ id: landed?.ruleIdentifier }], unsuccessful: [{ ruleIdentifier: failed?.ruleIdentifier, failureCode: 'ConflictException', failureMessage: 'Rule is being updated' }] };
      });
    const registry = new FakeRegistry();
    const record = shiftingRecord();
    registry.rollouts.set(record.rolloutId, record);
    const router = new VpcLatticeTrafficRouter(new VPCLatticeClient({ region: 'us-west-2' }));
    const rollout = colorAppRollout({ provider: 'lattice', mesh: '', virtualRouter: service, routes, canaryNode: green, stableNode: blue, stepIndex: 0 });

    // Act
    const first = await shiftTraffic(rollout, { registry, router }).catch((error: unknown) => error);
    await shiftTraffic(rollout, { registry, router });

    // Assess
    expect(first).toBeInstanceOf(TransientAwsError);
    expect((first as Error).message).toContain(`rule ${ruleIds[1]} of listener ${listener} of Lattice service ${service} (ConflictException: Rule is being updated)`);
    expect(lattice).toHaveReceivedCommandTimes(BatchUpdateRuleCommand, 1);
    expect(lattice.commandCalls(UpdateRuleCommand).map((call) => call.args[0].input.ruleIdentifier)).toEqual([ruleIds[1]]);
    expect((await registry.getRollout(record.rolloutId))?.lastWrittenTargets).toEqual({ [routes[0] ?? '']: tenPercent, [routes[1] ?? '']: tenPercent });
  });
});
