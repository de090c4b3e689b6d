import { join } from 'node:path';
import { type PermissionsUsed, permissionsOfCleanRuns } from '../../local/recorded-permissions';
import { ROOT, Resolver, TEST_CONTEXT, loadProjectTemplate, policyInventory, readJson, serverlessFunctions } from './cfn';

// What each function may do is what it was seen doing: `npm run faults` records every AWS action
// and resource each function called, across every local scenario and every cell of the fault
// matrix, into docs/permissions-used.json. template.yaml must grant exactly that.

const template = loadProjectTemplate();
/** The local stack's names: stack meshshift-local in 111122223333 / us-west-2. */
const resolver = new Resolver(template, { ...TEST_CONTEXT, stackName: 'meshshift-local' });
const recorded = readJson(join(ROOT, 'docs', 'permissions-used.json')) as PermissionsUsed;
const grants = policyInventory(template, resolver).grants.filter((grant) => grant.ownerType === 'AWS::Serverless::Function');
const functionIds = serverlessFunctions(template).map(([id]) => id);

/**
 * Granted but never seen in a scenario or a fault cell, each with why it must stay. Every
 * entry names the test that does exercise it.
 */
const UNRECORDED: Record<string, Record<string, string>> = {
  PrepareRolloutFunction: {
    // Only a route whose nodes do not prove ownership: test/statemachines/ownership-and-order.test.ts.
    'appmesh:ListTagsForResource': 'reads a platform grant (meshshift:shared-with) on the route and its router',
    // Superseding an older rollout of another service (blue/green alternating) may scale that rollout's
    // canary down when nothing uses it; the local scenarios supersede within one service, which is spared.
    'ecs:UpdateService': 'retires a superseded rollout\'s canary service',
    // A lease held by a rollout whose Prepare has not yet written its record, a race no scenario
    // reaches on purpose: test/functions/shared/use-cases/prepare-rollout.test.ts.
    'states:DescribeExecution': 'tells a lease holder that is still preparing from one that died before writing its record',
  },
  EnsureCanaryNodeFunction: {
    // A newer rollout rolling this one back during the create: test/functions/shared/use-cases/prepare-canary.test.ts.
    'appmesh:DeleteVirtualNode': 'deletes the node it just created for a rollout that was rolled back meanwhile',
  },
};

/** IAM's wildcards: `*` any run of characters, `?` one. */
function matches(pattern: string, resource: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(resource);
}

/**
 * A recorded resource under the names the template's stack gives: the local stack and the test
 * environment name the table and the state machine differently, and execution names vary by run.
 */
function asDeployed(resource: string): string {
  const tableArn = resolver.string({ 'Fn::GetAtt': ['RegistryTable', 'Arn'] }) as string;
  return resource
    .replace(/^arn:aws:dynamodb:us-west-2:111122223333:table\/[^/]+/, tableArn)
    .replace(/:stateMachine:[^:]+$/, ':stateMachine:meshshift-local-rollout')
    .replace(/:execution:[^:]+:[^:]+$/, ':execution:meshshift-local-rollout:*');
}

const asDeployedUse = (use: string) => `${actionOf(use)} ${resourceOf(use)}`;

const actionOf = (use: string) => use.split(' ')[0] as string;
const resourceOf = (use: string) => asDeployed(use.split(' ').slice(1).join(' '));

describe('least privilege, measured', () => {
  it('has a record for every function of the template, and none for a function it lacks', () => {
    // Assess
    expect(Object.keys(recorded).sort()).toEqual([...functionIds].sort());
  });

  it.each(functionIds)('grants %s exactly the actions it was recorded using, plus its listed exceptions', (functionId) => {
    // Prepare
    const used = new Set((recorded[functionId] ?? []).map(actionOf));
    const exceptions = Object.keys(UNRECORDED[functionId] ?? {});

    // Act
    const granted = new Set(grants.filter((grant) => grant.owner === functionId).flatMap((grant) => grant.statement.Action));

    // Assess
    expect([...granted].sort()).toEqual([...new Set([...used, ...exceptions])].sort());
    for (const exception of exceptions) expect(used.has(exception)).toBe(false);
  });

  it.each(functionIds)('grants every resource %s was recorded acting on', (functionId) => {
    // Act
    const uncovered = (recorded[functionId] ?? []).filter((use) =>
      !grants.some((grant) => grant.owner === functionId && grant.statement.Action.includes(actionOf(use)) && grant.statement.Resource.some((pattern) => matches(pattern, resourceOf(use)))),
    );

    // Assess
    expect(uncovered).toEqual([]);
  });

  it('is not out of date: the local scenarios, run now, use nothing the record lacks', async () => {
    // Act
    const now = await permissionsOfCleanRuns();

    // Assess
    const known = (functionId: string) => new Set((recorded[functionId] ?? []).map(asDeployedUse));
    const missing = Object.entries(now).flatMap(([functionId, uses]) => uses.filter((use) => !known(functionId).has(asDeployedUse(use))).map((use) => `${functionId} ${use}`));
    expect(missing).toEqual([]);
  }, 120_000);
});
