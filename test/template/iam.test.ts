import {
  Context,
  Grant,
  Resolver,
  TEST_CONTEXT,
  TEST_LATTICE_SERVICE_ARNS,
  TRAFFIC_PROVIDER_CHOICES,
  isReadOnlyAction,
  loadProjectTemplate,
  policyInventory,
  providerContext,
  resourcesOfType,
  serverlessFunctions,
  withParameters,
} from './cfn';
import { LOG_DELIVERY_ACTIONS, STATE_MACHINE_FUNCTIONS } from './expectations';

const template = loadProjectTemplate();
const [[stateMachineId] = ['']] = resourcesOfType(template, 'AWS::Serverless::StateMachine');

// Rules are checked for each traffic provider, and on App Mesh twice: mesh in this account, and a
// mesh shared by another account.
const CONTEXTS: Array<[string, Context]> = [
  ['own mesh', TEST_CONTEXT],
  ['shared mesh', withParameters(TEST_CONTEXT, { MeshOwner: '444455556666' })],
  ['Lattice', providerContext('lattice')],
  ['both providers', providerContext('both')],
];

/** Where a stack may read and write Lattice routes: every listener and rule of its configured services. */
const latticeRoutes = (context: Context) => new Resolver(template, context).parameter('LatticeServiceArns').split(',').map((service) => `${service}/listener/*`);
const latticeTargetGroups = ({ partition: p, region: r, accountId: a }: Context) => `arn:${p}:vpc-lattice:${r}:${a}:targetgroup/*`;

/** Where each service's actions may point, for one context. */
function scopes(context: Context) {
  const resolver = new Resolver(template, context);
  const { partition: p, region: r, accountId: a, stackName } = context;
  const meshOwner = context.parameters.MeshOwner || a;
  const mesh = `arn:${p}:appmesh:${r}:${meshOwner}:mesh/${resolver.parameter('MeshName')}`;
  const stateMachineName = `${stackName}-rollout`;
  const tableArn = resolver.string({ 'Fn::GetAtt': ['RegistryTable', 'Arn'] });
  const functionNames = serverlessFunctions(template).map(([id]) => resolver.physicalName(id));
  return {
    appmesh: (arn: string) => arn === mesh || arn.startsWith(`${mesh}/`),
    states: (arn: string) =>
      arn === `arn:${p}:states:${r}:${a}:stateMachine:${stateMachineName}` ||
      arn === `arn:${p}:states:${r}:${a}:execution:${stateMachineName}:*`,
    dynamodb: (arn: string) => arn === tableArn || arn === `${tableArn}/index/*` || arn.startsWith(`${tableArn}/index/`),
    ecs: (arn: string) => arn.startsWith(`arn:${p}:ecs:${r}:${a}:service/${resolver.parameter('ClusterName')}/`),
    ssm: (arn: string) => arn.startsWith(`arn:${p}:ssm:${r}:${a}:parameter${resolver.parameter('PolicyParameterPrefix')}`),
    cloudwatch: (arn: string) => arn.startsWith(`arn:${p}:cloudwatch:${r}:${a}:alarm:${resolver.parameter('AlarmNamePrefix')}`),
    // Our own functions only, the version/alias wildcard reaching no other of ours; and the teams'
    // hook functions, by the stack's HookFunctionPrefix.
    lambda: (arn: string) =>
      arn === `arn:${p}:lambda:${r}:${a}:function:${resolver.parameter('HookFunctionPrefix')}*` ||
      functionNames.some((name) => {
        const base = `arn:${p}:lambda:${r}:${a}:function:${name}`;
        if (arn === base || arn.startsWith(`${base}:`)) return true;
        return arn === `${base}*` && !functionNames.some((other) => other !== name && other.startsWith(name));
      }),
    logs: (arn: string) =>
      arn === resolver.string({ 'Fn::GetAtt': ['RolloutStateMachineLogGroup', 'Arn'] }),
    'vpc-lattice': (arn: string) => latticeRoutes(context).includes(arn) || arn === latticeTargetGroups(context),
    events: (arn: string) => arn === `arn:${p}:events:${r}:${a}:event-bus/${resolver.parameter('RolloutEventBusName')}`,
  } as Record<string, (arn: string) => boolean>;
}

const describeGrant = (g: Grant) => `${g.owner}${g.statement.Sid ? `/${g.statement.Sid}` : ''}`;

describe.each(CONTEXTS)('IAM (%s)', (_label, context) => {
  const inventory = () => policyInventory(template, new Resolver(template, context));

  it('grants something, so the rules below have statements to check', () => {
    // Prepare / Act
    const { grants } = inventory();

    // Assess
    expect(grants.length).toBeGreaterThan(serverlessFunctions(template).length);
  });

  it('only allows, only with Action and Resource (no Deny, NotAction, NotResource)', () => {
    // Prepare / Act
    const odd = inventory().grants.filter(
      (g) => g.statement.Effect !== 'Allow' || g.statement.NotAction !== undefined || g.statement.NotResource !== undefined
        || g.statement.Action.length === 0 || g.statement.Resource.length === 0,
    );

    // Assess
    expect(odd.map(describeGrant)).toEqual([]);
  });

  it('attaches no managed policies by name (SAM adds the logging and X-Ray ones itself)', () => {
    // Prepare / Act
    const { managedPolicies } = inventory();

    // Assess
    expect(managedPolicies).toEqual([]);
  });

  it('never uses a wildcard in an action', () => {
    // Prepare / Act
    const wildcards = inventory().grants.flatMap((g) =>
      g.statement.Action.filter((a) => a.includes('*') || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a)).map((a) => `${describeGrant(g)}: ${a}`),
    );

    // Assess
    expect(wildcards).toEqual([]);
  });

  it('never allows a mutating action on Resource "*" (except the documented log delivery actions of the state machine)', () => {
    // Prepare / Act
    const violations = inventory().grants.flatMap((g) => {
      if (!g.statement.Resource.includes('*')) return [];
      return g.statement.Action.filter((action) => {
        if (isReadOnlyAction(action)) return false;
        return !(g.owner === stateMachineId && LOG_DELIVERY_ACTIONS.includes(action));
      }).map((action) => `${describeGrant(g)}: ${action}`);
    });

    // Assess
    expect(violations).toEqual([]);
  });

  it('scopes every action to this stack\'s mesh or Lattice services, cluster, state machine, table, parameters, alarms, functions or event bus', () => {
    // Prepare
    const allowed = scopes(context);
    // Read-only actions without resource-level permissions.
    const anyResource = new Set(['ecs:DescribeTaskDefinition', 'vpc-lattice:ListTagsForResource', ...LOG_DELIVERY_ACTIONS]);

    // Act
    const violations = inventory().grants.flatMap((g) =>
      g.statement.Action.flatMap((action) => {
        const service = action.split(':')[0] as string;
        const inScope = allowed[service];
        if (inScope === undefined) return [`${describeGrant(g)}: ${action} (no scope rule for ${service}; add one to this test)`];
        return g.statement.Resource.filter((resource) => {
          if (resource === '*') return !anyResource.has(action);
          return !inScope(resource);
        }).map((resource) => `${describeGrant(g)}: ${action} on ${resource}`);
      }),
    );

    // Assess
    expect(violations).toEqual([]);
  });

  it('gives "*" log delivery actions to the state machine only, and exactly the documented ones', () => {
    // Prepare / Act
    const starLogs = inventory().grants.filter((g) => g.statement.Resource.includes('*') && g.statement.Action.some((a) => a.startsWith('logs:')));

    // Assess
    expect(starLogs.map((g) => g.owner)).toEqual([stateMachineId]);
    expect(starLogs.flatMap((g) => g.statement.Action).sort()).toEqual([...LOG_DELIVERY_ACTIONS].sort());
  });

  it('allows ecs:UpdateService only on services tagged meshshift:policy or meshshift:pair, alone in its statement', () => {
    // Prepare / Act
    const updates = inventory().grants.filter((grant) => grant.statement.Action.includes('ecs:UpdateService'));

    // Assess
    expect(updates.length).toBeGreaterThan(0);
    for (const grant of updates) {
      expect([describeGrant(grant), grant.statement.Action]).toEqual([describeGrant(grant), ['ecs:UpdateService']]);
      const condition = (grant.statement as { Condition?: unknown }).Condition;
      expect([{ Null: { 'aws:ResourceTag/meshshift:policy': 'false' } }, { Null: { 'aws:ResourceTag/meshshift:pair': 'false' } }]).toContainEqual(condition);
    }
  });

  it('lets the state machine invoke exactly its functions, each through LambdaInvokePolicy', () => {
    // Prepare
    const policies = template.Resources[stateMachineId].Properties.Policies as Array<Record<string, { FunctionName?: unknown }>>;

    // Act
    const invoked = policies.filter((p) => p.LambdaInvokePolicy !== undefined).map((p) => p.LambdaInvokePolicy?.FunctionName);
    const actions = new Set(inventory().grants.filter((g) => g.owner === stateMachineId).flatMap((g) => g.statement.Action));

    // Assess
    expect(invoked).toEqual(expect.arrayContaining(STATE_MACHINE_FUNCTIONS.map((f) => ({ Ref: f.logicalId }))));
    expect(invoked).toHaveLength(STATE_MACHINE_FUNCTIONS.length);
    expect([...actions].sort()).toEqual(['lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', ...LOG_DELIVERY_ACTIONS].sort());
  });
});

describe('IAM per traffic provider', () => {
  const actionsOf = (context: Context) => policyInventory(template, new Resolver(template, context)).grants.flatMap((grant) => grant.statement.Action);
  const expectedServices = { appmesh: ['appmesh'], lattice: ['vpc-lattice'], both: ['appmesh', 'vpc-lattice'] };

  it.each(TRAFFIC_PROVIDER_CHOICES)('with TrafficProvider=%s, grants that provider\'s actions and never the other\'s', (choice) => {
    // Prepare
    const context = providerContext(choice);

    // Act
    const services = new Set(actionsOf(context).map((action) => action.split(':')[0]).filter((service) => service === 'appmesh' || service === 'vpc-lattice'));

    // Assess
    expect([...services].sort()).toEqual(expectedServices[choice]);
  });

  it.each([['lattice'], ['both']] as const)('with TrafficProvider=%s, writes Lattice rules and default actions only under the configured services, to target groups of this account and region', (choice) => {
    // Prepare
    const context = providerContext(choice);

    // Act
    const writes = policyInventory(template, new Resolver(template, context)).grants.filter((grant) => grant.statement.Action.some((action) => action.startsWith('vpc-lattice:Update')));

    // Assess
    expect(writes.length).toBeGreaterThan(0);
    for (const { statement } of writes) {
      expect([...statement.Action].sort()).toEqual(['vpc-lattice:UpdateListener', 'vpc-lattice:UpdateRule']);
      expect(statement.Resource).toEqual(TEST_LATTICE_SERVICE_ARNS.map((service) => `${service}/listener/*`));
      // A bare id too: whether Lattice fills the key with resolved ARNs or the ids sent is undocumented, and a restore must never be denied.
      expect(statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'vpc-lattice:TargetGroupArns': [latticeTargetGroups(context), 'tg-*'] } });
    }
  });
});

describe('dead-letter queue policy', () => {
  it('lets only our three EventBridge rules send to the queue', () => {
    // Prepare
    const resolver = new Resolver(template, TEST_CONTEXT);
    const [[, queuePolicy] = ['', undefined]] = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    const ruleNames = serverlessFunctions(template).flatMap(([, fn]) =>
      Object.values((fn.Properties.Events ?? {}) as Record<string, { Type: string; Properties: { RuleName?: unknown } }>)
        .filter((e) => e.Type === 'EventBridgeRule')
        .map((e) => resolver.string(e.Properties.RuleName)),
    );

    // Act
    const policy = resolver.resolve(queuePolicy?.Properties);

    // Assess
    expect(policy.Queues).toEqual([resolver.resolve({ Ref: 'EventDeadLetterQueue' })]);
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: resolver.resolve({ 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] }),
        Condition: {
          ArnEquals: {
            'aws:SourceArn': ruleNames.map((name) => `arn:aws:events:us-west-2:111122223333:rule/${name}`),
          },
        },
      }),
    ]);
    expect(ruleNames).toHaveLength(3);
  });
});
