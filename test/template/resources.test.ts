import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { registryTableDefinition } from '../../functions/shared/adapters/dynamodb-registry';
import { configuredTrafficProviders, rolloutRetentionDays } from '../../functions/shared/config';
import {
  type Context,
  ROOT,
  Resolver,
  TEST_CONTEXT,
  TRAFFIC_PROVIDER_CHOICES,
  effectiveProperty,
  folderOf,
  loadProjectTemplate,
  pascalCase,
  providerContext,
  resourcesOfType,
  serverlessFunctions,
  withParameters,
} from './cfn';
import { EVENT_FUNCTIONS, GLOBAL_ENVIRONMENT, STATE_MACHINE_FUNCTIONS } from './expectations';

const template = loadProjectTemplate();
const functions = serverlessFunctions(template);
const functionIds = functions.map(([id]) => id);
const resolver = new Resolver(template, TEST_CONTEXT);

describe('template', () => {
  it('is a SAM template with the documented parameters', () => {
    // Prepare / Act
    const parameters = template.Parameters;

    // Assess
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(Object.keys(parameters).sort()).toEqual(
      [
        'AlarmEmail',
        'AlarmNamePrefix',
        'AlarmTopicArn',
        'ClusterName',
        'HookFunctionPrefix',
        'LatticeServiceArns',
        'LogRetentionDays',
        'MeshName',
        'MeshOwner',
        'PolicyParameterPrefix',
        'RolloutEventBusName',
        'RolloutEventsEmail',
        'RolloutEventsTopic',
        'RolloutRetentionDays',
        'TrafficProvider',
      ].sort(),
    );
    expect(parameters.TrafficProvider).toMatchObject({ Default: 'appmesh', AllowedValues: [...TRAFFIC_PROVIDER_CHOICES] });
    expect(parameters.MeshName.Default).toBe('');
    expect(parameters.LatticeServiceArns.Default).toBe('');
    expect(parameters.MeshOwner.Default).toBe('');
    expect(parameters.PolicyParameterPrefix.Default).toBe('/meshshift/');
    expect(parameters.LogRetentionDays.Default).toBe(30);
    expect(parameters.AlarmNamePrefix.Default).toBe('');
    expect(parameters.RolloutRetentionDays).toMatchObject({ Type: 'Number', Default: 90, MinValue: 1 });
    expect(parameters.RolloutEventsTopic).toMatchObject({ Default: 'none', AllowedValues: ['none', 'create'] });
    expect(parameters.HookFunctionPrefix).toMatchObject({ Default: 'meshshift-hook-', AllowedPattern: '^[A-Za-z0-9_-]{0,63}$' });
    expect(parameters.RolloutEventsEmail.Default).toBe('');
  });

  it('declares exactly the state machine functions and the two event functions', () => {
    // Prepare
    const expected = [...STATE_MACHINE_FUNCTIONS, ...EVENT_FUNCTIONS].map((f) => f.logicalId);

    // Act / Assess
    expect([...functionIds].sort()).toEqual([...expected].sort());
  });

  it('has the outputs other tools rely on', () => {
    // Prepare / Act
    const outputs = template.Outputs;

    // Assess
    expect(outputs).toMatchObject({
      StateMachineArn: { Value: { Ref: 'RolloutStateMachine' } },
      RegistryTableName: { Value: { Ref: 'RegistryTable' } },
      HandleDeploymentEventFunctionArn: { Value: { 'Fn::GetAtt': ['HandleDeploymentEventFunction', 'Arn'] } },
      HandleAlarmEventFunctionArn: { Value: { 'Fn::GetAtt': ['HandleAlarmEventFunction', 'Arn'] } },
      EventDeadLetterQueueUrl: { Value: { Ref: 'EventDeadLetterQueue' } },
      DashboardName: { Value: { Ref: 'RolloutDashboard' } },
      RolloutNotificationTopicArn: { Condition: 'CreateRolloutEventsTopic', Value: { Ref: 'RolloutNotificationTopic' } },
    });
  });
});

describe.each(functionIds)('function %s', (functionId) => {
  const fn = template.Resources[functionId];
  const entryPoints: string[] = fn.Metadata?.BuildProperties?.EntryPoints ?? [];
  const folder = folderOf(entryPoints[0] ?? '') ?? '';

  it('runs on nodejs22.x, arm64, with X-Ray tracing', () => {
    // Prepare / Act
    const runtime = effectiveProperty(template, functionId, 'Runtime');
    const architectures = effectiveProperty(template, functionId, 'Architectures');
    const tracing = effectiveProperty(template, functionId, 'Tracing');

    // Assess
    expect(runtime).toBe('nodejs22.x');
    expect(architectures).toEqual(['arm64']);
    expect(tracing).toBe('Active');
  });

  it('lives in functions/<folder>/ named after its logical id (kebab <-> Pascal + "Function")', () => {
    // Prepare / Act
    const handler = effectiveProperty(template, functionId, 'Handler');

    // Assess
    expect(entryPoints).toEqual([`functions/${folder}/handler.ts`]);
    expect(`${pascalCase(folder)}Function`).toBe(functionId);
    expect(handler).toBe(`functions/${folder}/handler.handler`);
    expect(effectiveProperty(template, functionId, 'CodeUri')).toBe('./');
    expect(resolver.physicalName(functionId)).toBe(`${TEST_CONTEXT.stackName}-${folder}`);
  });

  it('is bundled by esbuild the same way as every other function', () => {
    // Prepare / Act
    const metadata = fn.Metadata;

    // Assess
    expect(metadata).toEqual({
      BuildMethod: 'esbuild',
      BuildProperties: {
        EntryPoints: entryPoints,
        Format: 'cjs',
        Target: 'es2022',
        Minify: true,
        Sourcemap: true,
        SourcesContent: 'false',
        External: ['@aws-sdk/*'],
      },
    });
  });

  it('has its entry point on disk, exporting `handler`', () => {
    // Prepare
    const entry = join(ROOT, entryPoints[0] ?? 'missing');

    // Act
    const source = existsSync(entry) ? readFileSync(entry, 'utf8') : undefined;

    // Assess
    expect(source).toBeDefined();
    expect(source).toMatch(/export\s+(const|let|var|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/);
  });

  it('logs to its own log group, /aws/lambda/<function name>, with the configured retention', () => {
    // Prepare
    const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref;

    // Act
    const logGroup = template.Resources[logGroupId];

    // Assess
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(resolver.physicalName(logGroupId)).toBe(`/aws/lambda/${resolver.physicalName(functionId)}`);
    expect(logGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
  });

  it('gets the shared environment, with source maps enabled', () => {
    // Prepare / Act
    const variables = resolver.resolve({
      ...template.Globals.Function.Environment.Variables,
      ...fn.Properties.Environment?.Variables,
    });

    // Assess
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(GLOBAL_ENVIRONMENT));
    expect(variables.NODE_OPTIONS.split(' ')).toContain('--enable-source-maps');
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('meshshift');
  });
});

describe('parameter rules', () => {
  /** The description of every rule assertion a stack with `context` breaks: CloudFormation refuses such a stack. */
  function brokenRules(context: Context): string[] {
    const rules = new Resolver(template, context);
    return Object.values(template.Rules as Record<string, { RuleCondition?: unknown; Assertions: Array<{ Assert: unknown; AssertDescription: string }> }>).flatMap((rule) =>
      rule.RuleCondition === undefined || rules.resolve(rule.RuleCondition) === true ? rule.Assertions.filter((assertion) => rules.resolve(assertion.Assert) !== true).map((assertion) => assertion.AssertDescription) : [],
    );
  }

  it.each(TRAFFIC_PROVIDER_CHOICES)('accept a stack for %s that names what that provider needs, and nothing else', (choice) => {
    // Act / Assess
    expect(brokenRules(providerContext(choice))).toEqual([]);
  });

  it.each([
    ['appmesh', { MeshName: '' }, 'MeshName is required when TrafficProvider is appmesh or both.'],
    ['both', { MeshName: '' }, 'MeshName is required when TrafficProvider is appmesh or both.'],
    ['lattice', { LatticeServiceArns: '' }, 'LatticeServiceArns is required when TrafficProvider is lattice or both.'],
    ['both', { LatticeServiceArns: '' }, 'LatticeServiceArns is required when TrafficProvider is lattice or both.'],
  ] as const)('refuse a stack for %s without %j', (choice, missing, description) => {
    // Act / Assess
    expect(brokenRules(withParameters(providerContext(choice), missing))).toEqual([description]);
  });
});

describe('environment', () => {
  const variables = (context = TEST_CONTEXT) =>
    new Resolver(template, context).resolve(template.Globals.Function.Environment.Variables);

  it('points STATE_MACHINE_ARN at the rollout state machine, without referencing it', () => {
    // Prepare
    const stateMachineArn = resolver.resolve({ Ref: 'RolloutStateMachine' });

    // Act
    const { STATE_MACHINE_ARN } = variables();

    // Assess
    expect(STATE_MACHINE_ARN).toBe(stateMachineArn);
    expect(STATE_MACHINE_ARN).toBe('arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout');
  });

  it('resolves MESH_OWNER to this account unless the mesh is shared', () => {
    // Prepare / Act
    const own = variables().MESH_OWNER;
    const shared = variables(withParameters(TEST_CONTEXT, { MeshOwner: '444455556666' })).MESH_OWNER;

    // Assess
    expect(own).toBe(TEST_CONTEXT.accountId);
    expect(shared).toBe('444455556666');
  });

  it.each([
    ['appmesh', ['appmesh'], 'colorapp'],
    ['lattice', ['lattice'], undefined],
    ['both', ['appmesh', 'lattice'], 'colorapp'],
  ] as const)('with TrafficProvider=%s, tells the functions their providers as config.ts reads them, and the mesh only where App Mesh is one', (choice, providers, meshName) => {
    // Prepare / Act
    const env = variables(providerContext(choice));

    // Assess
    expect(configuredTrafficProviders(env.TRAFFIC_PROVIDERS)).toEqual(providers);
    expect(env.MESH_NAME).toBe(meshName);
  });

  it('passes the parameters through', () => {
    // Prepare / Act
    const env = variables();

    // Assess
    expect(env).toMatchObject({
      REGISTRY_TABLE_NAME: resolver.resolve({ Ref: 'RegistryTable' }),
      MESH_NAME: 'colorapp',
      CLUSTER_NAME: 'default',
      POLICY_PARAMETER_PREFIX: '/meshshift/',
    });
  });

  it('tells the registry how long to keep ended rollouts, as config.ts reads it', () => {
    // Prepare / Act
    const byDefault = variables().ROLLOUT_RETENTION_DAYS;
    const chosen = variables(withParameters(TEST_CONTEXT, { RolloutRetentionDays: '30' })).ROLLOUT_RETENTION_DAYS;

    // Assess
    expect(rolloutRetentionDays(String(byDefault))).toBe(90);
    expect(rolloutRetentionDays(String(chosen))).toBe(30);
  });

  it('defines every variable the handlers read', () => {
    // Prepare
    const sources: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ts$/.test(name) && !/\.(test|spec)\.ts$/.test(name) && !name.endsWith('.d.ts')) sources.push(path);
      }
    };
    walk(join(ROOT, 'functions'));
    const defined = new Set(Object.keys(variables()));
    // Set by Lambda itself, or optional Powertools tuning.
    const provided = (name: string) => /^(AWS_|_X_AMZN_|_HANDLER$|LAMBDA_|TZ$|POWERTOOLS_)/.test(name);

    // Act
    const missing = sources.flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      const names = [
        ...text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g),
        ...text.matchAll(/process\.env\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g),
        // Helpers such as requireEnv('MESH_NAME').
        ...text.matchAll(/\b\w*[Ee]nv\w*\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g),
      ].map((m) => m[1] as string);
      return names.filter((name) => !defined.has(name) && !provided(name)).map((name) => `${relative(ROOT, path)}: ${name}`);
    });

    // Assess
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('registry table', () => {
  const [[, table] = ['', undefined]] = resourcesOfType(template, 'AWS::DynamoDB::Table');

  it('is on-demand, encrypted, point-in-time recoverable, retained and protected from deletion', () => {
    // Prepare / Act
    const props = table?.Properties;

    // Assess
    expect(resourcesOfType(template, 'AWS::DynamoDB::Table').map(([id]) => id)).toEqual(['RegistryTable']);
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.SSESpecification).toEqual({ SSEEnabled: true });
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(props.DeletionProtectionEnabled).toBe(true);
  });

  it('has the keys, attributes and indexes the registry adapter creates locally, and a TTL on expiresAt', () => {
    // Prepare / Act
    const props = table?.Properties;
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) => a.AttributeName.localeCompare(b.AttributeName);

    // Assess
    expect(props.KeySchema).toEqual(registryTableDefinition.KeySchema);
    expect(props.GlobalSecondaryIndexes).toEqual(registryTableDefinition.GlobalSecondaryIndexes);
    expect(props.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName)).toEqual(['active-rollouts', 'ended-rollouts']);
    expect([...props.AttributeDefinitions].sort(byName)).toEqual([...registryTableDefinition.AttributeDefinitions].sort(byName));
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});

describe('log groups and queues', () => {
  it('gives every log group the configured retention', () => {
    // Prepare / Act
    const retentions = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([id, r]) => [id, r.Properties.RetentionInDays]);

    // Assess
    expect(retentions.length).toBe(functions.length + 1);
    for (const [, retention] of retentions) expect(retention).toEqual({ Ref: 'LogRetentionDays' });
  });

  it('encrypts the dead-letter queue', () => {
    // Prepare / Act
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');

    // Assess
    expect(queues.map(([id]) => id)).toEqual(['EventDeadLetterQueue']);
    expect(queues[0]?.[1].Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('sends events the handlers still fail on to the dead-letter queue', () => {
    // Prepare
    const eventFunctions = EVENT_FUNCTIONS.map((f) => template.Resources[f.logicalId]);

    // Act
    const destinations = eventFunctions.map((fn) => fn.Properties.EventInvokeConfig?.DestinationConfig?.OnFailure);

    // Assess
    for (const destination of destinations) {
      expect(destination).toEqual({ Type: 'SQS', Destination: { 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] } });
    }
  });
});
