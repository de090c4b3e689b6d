import { join } from 'node:path';
import { type TrafficProviderName, trafficProviders } from '../../functions/shared/domain/traffic-provider';
import { type PermissionsByProvider, permissionsOfCleanRuns } from '../../local/recorded-permissions';
import {
  ROOT,
  Resolver,
  TEST_CONTEXT,
  TEST_LATTICE_SERVICE_ARNS,
  TRAFFIC_PROVIDER_CHOICES,
  type TrafficProviderChoice,
  loadProjectTemplate,
  policyInventory,
  providerContext,
  readJson,
  serverlessFunctions,
} from './cfn';

// What each function may do is what it was seen doing: `npm run faults` records every AWS action
// and resource each function called, across every local scenario and every cell of the fault
// matrix, once per traffic provider, into docs/permissions-used.json. template.yaml must grant
// exactly that: a stack for one provider what was recorded on it, a stack for both the union.

const template = loadProjectTemplate();
const recorded = readJson(join(ROOT, 'docs', 'permissions-used.json')) as PermissionsByProvider;
const functionIds = serverlessFunctions(template).map(([id]) => id);

/** Which recorded halves a stack deployed with TrafficProvider `choice` must be granted. */
const providersOf: Record<TrafficProviderChoice, TrafficProviderName[]> = { appmesh: ['appmesh'], lattice: ['lattice'], both: ['appmesh', 'lattice'] };

/** The local stack's names: stack meshshift-local in 111122223333 / us-west-2. */
const resolverFor = (choice: TrafficProviderChoice) => new Resolver(template, providerContext(choice, { ...TEST_CONTEXT, stackName: 'meshshift-local' }));

// A lease holder that is still preparing, a race no scenario reaches on purpose:
// test/functions/shared/use-cases/prepare-rollout.test.ts.
const describesPreparingHolder = { 'states:DescribeExecution': 'tells a lease holder that is still preparing from one that died before writing its record' };
// Superseding an older rollout of another service (blue/green alternating) may scale that rollout's
// canary down when nothing uses it; the local scenarios supersede within one service, which is spared.
const retiresSupersededCanary = { 'ecs:UpdateService': 'retires a superseded rollout\'s canary service' };

// Promote canary shifts, and so publishes a traffic event, only when a schedule ends below 100 %
// (an operator's promote --full): test/functions/shared/wiring/events.test.ts.
const publishesPromotionShift = { 'events:PutEvents': 'publishes the shift of a promotion from below 100 %' };
// The local scenarios' one onRollback hook is told by Roll back (the gated scenario); the alarm
// handler, the reconciler and a superseding Prepare tell it after their own rollbacks:
// test/statemachines/lifecycle-hooks.test.ts (alarm, operator abort) and
// test/functions/shared/use-cases/roll-back-rollout.test.ts.
const tellsRollbackHook = { 'lambda:InvokeFunction': "tells the policy's onRollback hook after a rollback of its own" };
// A request already waiting when the pause parks: test/functions/pause-rollout/handler.test.ts.
const endsOwnPause = { 'states:SendTaskSuccess': 'ends its own pause at once when an operator request was already waiting' };
const onEveryProvider = {
  PromoteCanaryFunction: publishesPromotionShift,
  HandleAlarmEventFunction: tellsRollbackHook,
  ReconcileRolloutsFunction: tellsRollbackHook,
  PauseRolloutFunction: endsOwnPause,
};

/**
 * Granted but never seen in a scenario or a fault cell, per provider, each with why it must stay.
 * Every entry names the test that does exercise it.
 */
const UNRECORDED: Record<TrafficProviderName, Record<string, Record<string, string>>> = {
  appmesh: {
    ...onEveryProvider,
    PrepareRolloutFunction: {
      // Only a route whose nodes do not prove ownership: test/statemachines/ownership-and-order.test.ts.
      'appmesh:ListTagsForResource': 'reads a platform grant (meshshift:shared-with) on the route and its router',
      ...retiresSupersededCanary,
      ...describesPreparingHolder,
      ...tellsRollbackHook,
    },
    EnsureCanaryNodeFunction: {
      // A newer rollout rolling this one back during the create: test/functions/shared/use-cases/prepare-canary.test.ts.
      'appmesh:DeleteVirtualNode': 'deletes the node it just created for a rollout that was rolled back meanwhile',
    },
  },
  lattice: {
    ...onEveryProvider,
    PrepareRolloutFunction: {
      // The Lattice router's routeTags: test/functions/shared/adapters/vpc-lattice-traffic-router.test.ts.
      'vpc-lattice:ListTagsForResource': 'reads a platform grant (meshshift:shared-with) on the rule or listener and its service',
      ...retiresSupersededCanary,
      // On App Mesh the same read is recorded, when a superseded canary node is about to be deleted;
      // Lattice deletes no target group, so only that scale-down asks.
      'dynamodb:Query': 'asks the registry whether another active rollout still uses that canary service',
      ...describesPreparingHolder,
      ...tellsRollbackHook,
    },
    EnsureCanaryNodeFunction: {
      // The demo's target groups always exist; test/functions/shared/adapters/vpc-lattice-traffic-router.test.ts
      // refuses a missing one.
      'dynamodb:UpdateItem': 'marks the canary as made by meshshift before the router refuses to make a missing target group',
    },
  },
};


/**
 * A Lattice route that is a listener's default action is read and written through the listener
 * where a rule goes through the rule. The local demo routes through a rule, so a function
 * recorded using a rule is granted the listener's action too:
 * test/functions/shared/adapters/vpc-lattice-traffic-router.test.ts sends both.
 */
const DEFAULT_ACTION_TWINS: Record<string, string> = { 'vpc-lattice:GetRule': 'vpc-lattice:GetListener', 'vpc-lattice:UpdateRule': 'vpc-lattice:UpdateListener' };

/** IAM's wildcards: `*` any run of characters, `?` one. */
function matches(pattern: string, resource: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(resource);
}

const [configuredLatticeService = ''] = TEST_LATTICE_SERVICE_ARNS;
const tableArn = resolverFor('appmesh').string({ 'Fn::GetAtt': ['RegistryTable', 'Arn'] });

/**
 * A recorded resource under the names the template's stack gives: the local stack and the test
 * environment name the table and the state machine differently, and execution names vary by run.
 * The local stack's Lattice service id is drawn from its seeded ids, so it differs between
 * scenarios: each stands for the first service the test stack is configured with.
 */
function asDeployed(resource: string): string {
  return resource
    .replace(/^arn:aws:dynamodb:us-west-2:111122223333:table\/[^/]+/, tableArn)
    .replace(/:stateMachine:[^:]+$/, ':stateMachine:meshshift-local-rollout')
    .replace(/:execution:[^:]+:[^:]+$/, ':execution:meshshift-local-rollout:*')
    .replace(/^arn:aws:vpc-lattice:us-west-2:111122223333:service\/svc-[0-9a-z]{17}/, configuredLatticeService);
}

const actionOf = (use: string) => use.split(' ')[0] as string;
const resourceOf = (use: string) => asDeployed(use.split(' ').slice(1).join(' '));
const asDeployedUse = (use: string) => `${actionOf(use)} ${resourceOf(use)}`;

describe('least privilege, measured', () => {
  it('has a record of every function of the template on each provider, and none for a function it lacks', () => {
    // Assess
    expect(Object.keys(recorded).sort()).toEqual(['appmesh', 'lattice']);
    for (const uses of Object.values(recorded)) expect(Object.keys(uses).sort()).toEqual([...functionIds].sort());
  });

  it.each(trafficProviders)('lists as %s exceptions only actions that were not recorded on it', (provider) => {
    // Act
    const recordedExceptions = Object.entries(UNRECORDED[provider]).flatMap(([functionId, exceptions]) =>
      Object.keys(exceptions).filter((action) => (recorded[provider][functionId] ?? []).some((use) => actionOf(use) === action)).map((action) => `${functionId} ${action}`),
    );

    // Assess
    expect(recordedExceptions).toEqual([]);
  });

  describe.each(TRAFFIC_PROVIDER_CHOICES)('with TrafficProvider=%s', (choice) => {
    const providers = providersOf[choice];
    const grants = policyInventory(template, resolverFor(choice)).grants.filter((grant) => grant.ownerType === 'AWS::Serverless::Function');
    const usesOf = (functionId: string) => providers.flatMap((provider) => recorded[provider][functionId] ?? []);

    it.each(functionIds)('grants %s exactly the actions it was recorded using, plus its listed exceptions', (functionId) => {
      // Prepare
      const used = new Set(usesOf(functionId).map(actionOf));
      const twins = [...used].flatMap((action) => DEFAULT_ACTION_TWINS[action] ?? []);
      const exceptions = providers.flatMap((provider) => Object.keys(UNRECORDED[provider][functionId] ?? {}));

      // Act
      const granted = new Set(grants.filter((grant) => grant.owner === functionId).flatMap((grant) => grant.statement.Action));

      // Assess
      expect([...granted].sort()).toEqual([...new Set([...used, ...twins, ...exceptions])].sort());
    });

    it.each(functionIds)('grants every resource %s was recorded acting on', (functionId) => {
      // Act
      const uncovered = usesOf(functionId).filter((use) =>
        !grants.some((grant) => grant.owner === functionId && grant.statement.Action.includes(actionOf(use)) && grant.statement.Resource.some((pattern) => matches(pattern, resourceOf(use)))),
      );

      // Assess
      expect(uncovered).toEqual([]);
    });
  });

  it.each(trafficProviders)('is not out of date: the local scenarios on %s, run now, use nothing the record lacks', async (provider) => {
    // Act
    const now = await permissionsOfCleanRuns(provider);

    // Assess
    const known = (functionId: string) => new Set((recorded[provider][functionId] ?? []).map(asDeployedUse));
    const missing = Object.entries(now).flatMap(([functionId, uses]) =>
      uses.filter((use) => !known(functionId).has(asDeployedUse(use))).map((use) => `${functionId} ${use}`),
    );
    expect(missing).toEqual([]);
  }, 120_000);
});
