// Helpers for the template tests: load template.yaml (yaml-cfn), ask cfn-lint about it, evaluate
// CloudFormation intrinsics for a chosen set of parameter values (so a test can say "with
// ClusterName=default this rule matches that event"), and gather every IAM policy statement
// the template grants.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { yamlParse } from 'yaml-cfn';

// Templates are untyped JSON; each test asserts the shapes it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const ROOT = resolve(__dirname, '..', '..');
const TEMPLATE_PATH = join(ROOT, 'template.yaml');

export function loadProjectTemplate(): Json {
  return yamlParse(readFileSync(TEMPLATE_PATH, 'utf8'));
}

export function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** `shift-traffic` -> `ShiftTraffic` */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export function resourcesOfType(template: Json, type: string): Array<[string, Json]> {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => (r as Json).Type === type) as Array<[string, Json]>;
}

export function serverlessFunctions(template: Json): Array<[string, Json]> {
  return resourcesOfType(template, 'AWS::Serverless::Function');
}

/** A function property as SAM sees it: the function's own value, else the Globals one. */
export function effectiveProperty(template: Json, functionId: string, property: string): Json {
  const own = template.Resources[functionId]?.Properties?.[property];
  return own !== undefined ? own : template.Globals?.Function?.[property];
}

/** `functions/shift-traffic/handler.ts` -> `shift-traffic` */
export function folderOf(entryPoint: string): string | undefined {
  return /^functions\/([^/]+)\/[^/]+$/.exec(entryPoint)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions
//
// Hand-written because cfn-resolver-lib 1.1.8, the maintained npm evaluator, gets this template
// wrong without failing (tried on template.yaml):
// - a mapping with one list-valued key turns into the list: the rule pattern
//   `detail: { eventName: [...] }` comes out as `detail: [...]`, and the queue policy's
//   `ArnEquals: { aws:SourceArn: [...] }` loses its key;
// - the two-argument Fn::Sub substitutes only its variable map, so `${AWS::Partition}` and
//   `${MeshName}` stay literal in every mesh ARN, and `${RegistryTable.Arn}` never resolves;
// - Fn::GetAtt Arn knows no AWS::Serverless::* type and needs an explicit name property, so
//   function, table and queue ARNs come back as `['Id', 'Arn']` (with a console.warn each), and
//   Ref of a resource returns its logical id;
// - what it cannot resolve it returns unchanged, where a test needs an error.
// So this evaluates only what template.yaml uses, and throws on anything else.

export interface Context {
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  /** Parameter values; parameters not named here take their template Default. */
  parameters: Record<string, string>;
}

export const TEST_CONTEXT: Context = {
  stackName: 'meshshift',
  region: 'us-west-2',
  accountId: '111122223333',
  partition: 'aws',
  parameters: { MeshName: 'colorapp', ClusterName: 'default' },
};

export function withParameters(context: Context, parameters: Record<string, string>): Context {
  return { ...context, parameters: { ...context.parameters, ...parameters } };
}

/** template.yaml's TrafficProvider values. */
export const TRAFFIC_PROVIDER_CHOICES = ['appmesh', 'lattice', 'both'] as const;
export type TrafficProviderChoice = (typeof TRAFFIC_PROVIDER_CHOICES)[number];

/** Two Lattice services of the test account, so that the template splits and joins a real list. */
export const TEST_LATTICE_SERVICE_ARNS = [
  'arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0',
  'arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0fedcba9876543210',
];

/** `context` as a stack deployed for `provider` sets it: a Lattice-only stack names no mesh. */
export function providerContext(provider: TrafficProviderChoice, context: Context = TEST_CONTEXT): Context {
  return withParameters(context, {
    TrafficProvider: provider,
    MeshName: provider === 'lattice' ? '' : (context.parameters.MeshName ?? ''),
    LatticeServiceArns: provider === 'appmesh' ? '' : TEST_LATTICE_SERVICE_ARNS.join(','),
  });
}

const arnPrefix = ({ partition, region, accountId }: Context, service: string) => `arn:${partition}:${service}:${region}:${accountId}`;
const stateMachineArn = (context: Context, name: string) => `${arnPrefix(context, 'states')}:stateMachine:${name}`;

/** How CloudFormation names, references and ARNs the resource types template.yaml resolves. */
const RESOURCE_TYPES: Record<string, { nameProperty?: string; arn: (context: Context, name: string) => string; ref?: (context: Context, name: string) => string }> = {
  'AWS::Serverless::Function': { nameProperty: 'FunctionName', arn: (c, name) => `${arnPrefix(c, 'lambda')}:function:${name}` },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', arn: (c, name) => `${arnPrefix(c, 'logs')}:log-group:${name}:*` },
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', arn: (c, name) => `${arnPrefix(c, 'dynamodb')}:table/${name}` },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    arn: (c, name) => `${arnPrefix(c, 'sqs')}:${name}`,
    ref: (c, name) => `https://sqs.${c.region}.amazonaws.com/${c.accountId}/${name}`,
  },
  'AWS::Serverless::StateMachine': { nameProperty: 'Name', arn: stateMachineArn, ref: stateMachineArn },
  'AWS::SNS::Topic': { nameProperty: 'TopicName', arn: (c, name) => `${arnPrefix(c, 'sns')}:${name}`, ref: (c, name) => `${arnPrefix(c, 'sns')}:${name}` },
  // A rule on the default bus; one on another bus has the bus's name in its ARN, which this does not resolve.
  'AWS::Events::Rule': { nameProperty: 'Name', arn: (c, name) => `${arnPrefix(c, 'events')}:rule/${name}` },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', arn: (c, name) => `${arnPrefix(c, 'cloudwatch')}:alarm:${name}` },
  'AWS::CloudWatch::Dashboard': { nameProperty: 'DashboardName', arn: (c, name) => `arn:${c.partition}:cloudwatch::${c.accountId}:dashboard/${name}` },
};

/** `Ref AWS::NoValue`: removed from the list or object that holds it, as CloudFormation does. */
const NO_VALUE = Symbol('AWS::NoValue');

export class Resolver {
  constructor(
    readonly template: Json,
    readonly context: Context = TEST_CONTEXT,
  ) {}

  parameter(name: string): string {
    const definition = this.template.Parameters?.[name];
    if (definition === undefined) throw new Error(`no parameter ${name}`);
    const value = this.context.parameters[name] ?? definition.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no Default: give it a value in the test context`);
    return String(value);
  }

  /** Evaluates every intrinsic function in `value`. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const [key, ...otherKeys] = Object.keys(value);
    if (key !== undefined && otherKeys.length === 0 && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, value[key]);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]).filter(([, v]) => v !== NO_VALUE));
  }

  /** Resolves to a string, or throws. */
  string(value: Json): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
    return resolved;
  }

  /** The resource's name: its explicit name property, else a CloudFormation-like generated one. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const nameProperty = RESOURCE_TYPES[resource.Type]?.nameProperty;
    const explicit = nameProperty ? resource.Properties?.[nameProperty] : undefined;
    return explicit !== undefined ? this.string(explicit) : `${this.context.stackName}-${logicalId}-GENERATED`;
  }

  private intrinsic(name: string, args: Json): Json {
    switch (name) {
      case 'Ref':
        return this.ref(args);
      case 'Condition':
        return this.condition(args);
      case 'Fn::GetAtt':
        return this.getAtt(args[0], args[1]);
      case 'Fn::Sub': {
        const [text, variables = {}] = typeof args === 'string' ? [args] : args;
        return text.replace(/\$\{([^}]*)\}/g, (_match: string, expression: string) => {
          if (expression in variables) return String(this.resolve(variables[expression]));
          const [logicalId = '', attribute] = expression.split(/\.(.*)/s);
          return String(attribute === undefined ? this.ref(logicalId) : this.getAtt(logicalId, attribute));
        });
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = args;
        return this.resolve(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = this.resolve(args);
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !this.resolve(args[0]);
      case 'Fn::And':
        return this.resolve(args).every((x: Json) => x === true);
      case 'Fn::Or':
        return this.resolve(args).some((x: Json) => x === true);
      case 'Fn::Join': {
        const [delimiter, list] = args;
        return (this.resolve(list) as Json[]).map(String).join(delimiter);
      }
      case 'Fn::Split': {
        const [delimiter, text] = args;
        return this.string(text).split(delimiter);
      }
      default:
        throw new Error(`intrinsic ${name} is not supported by the test resolver (test/template/cfn.ts)`);
    }
  }

  private condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    const value = this.resolve(definition);
    if (typeof value !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    return value;
  }

  private ref(name: string): Json {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const { stackName, region, accountId, partition } = this.context;
    const pseudoParameters: Record<string, string> = {
      'AWS::StackName': stackName,
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::Partition': partition,
    };
    if (name in pseudoParameters) return pseudoParameters[name] as string;
    if (this.template.Parameters?.[name] !== undefined) return this.parameter(name);
    const ref = RESOURCE_TYPES[this.resource(name).Type]?.ref;
    return ref ? ref(this.context, this.physicalName(name)) : this.physicalName(name);
  }

  private getAtt(logicalId: string, attribute: string): string {
    const type = RESOURCE_TYPES[this.resource(logicalId).Type];
    if (type !== undefined && attribute === 'Arn') return type.arn(this.context, this.physicalName(logicalId));
    if (type !== undefined && attribute === type.nameProperty) return this.physicalName(logicalId);
    throw new Error(`GetAtt ${logicalId}.${attribute} is not supported by the test resolver (test/template/cfn.ts)`);
  }

  private resource(logicalId: string): Json {
    const resource = this.template.Resources?.[logicalId];
    if (resource === undefined) throw new Error(`no parameter or resource ${logicalId}`);
    return resource;
  }
}

// ---------------------------------------------------------------------------------------------
// IAM

/**
 * The SAM policy templates this template may use, as SAM expands them
 * (samtranslator/policy_templates_data/policy_templates.json). A template not listed here
 * makes the IAM tests fail until its expansion is added, so nothing is granted unseen.
 */
const SAM_POLICY_TEMPLATES: Record<string, (parameters: Json) => Json[]> = {
  LambdaInvokePolicy: ({ FunctionName }) => [
    {
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: {
        'Fn::Sub': [
          'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*',
          { functionName: FunctionName },
        ],
      },
    },
  ],
};

export interface Grant {
  /** Logical id of the resource whose role gets the statement. */
  owner: string;
  ownerType: string;
  /** The statement with intrinsics resolved; Action / Resource always lists. */
  statement: {
    Sid?: string;
    Effect: string;
    Action: string[];
    Resource: string[];
    NotAction?: Json;
    NotResource?: Json;
    Condition?: Json;
  };
}

export interface PolicyInventory {
  grants: Grant[];
  /** Managed policies attached by ARN or name (owner, policy). */
  managedPolicies: Array<{ owner: string; policy: Json }>;
}

function normaliseStatement(owner: string, ownerType: string, raw: Json, resolver: Resolver): Grant {
  const statement = resolver.resolve(raw);
  const list = (x: Json): string[] => (x === undefined ? [] : [x].flat().map(String));
  return {
    owner,
    ownerType,
    statement: { ...statement, Action: list(statement.Action), Resource: list(statement.Resource) },
  };
}

function statementsOf(document: Json): Json[] {
  return [document?.Statement ?? []].flat();
}

function isConditional(value: Json): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 1 && 'Fn::If' in value;
}

/** Every identity-policy statement the template grants, resolved with `resolver`'s context. */
export function policyInventory(template: Json, resolver: Resolver): PolicyInventory {
  const grants: Grant[] = [];
  const managedPolicies: PolicyInventory['managedPolicies'] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {}) as Array<[string, Json]>) {
    const { Type: type, Properties: props = {} } = resource;
    const add = (statement: Json) => grants.push(normaliseStatement(id, type, statement, resolver));
    if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine') {
      // A policy may sit under Fn::If (one per traffic provider): the context decides which are granted.
      const policies = (props.Policies === undefined ? [] : [props.Policies].flat()).flatMap((policy) => (isConditional(policy) ? resolver.resolve([policy]) : [policy]));
      for (const policy of policies) {
        const keys = policy !== null && typeof policy === 'object' ? Object.keys(policy) : [];
        if (typeof policy === 'string' || (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::')))) {
          managedPolicies.push({ owner: id, policy });
        } else if (policy.Statement !== undefined) {
          statementsOf(policy).forEach(add);
        } else if (keys.length === 1) {
          const name = keys[0] as string;
          const expand = SAM_POLICY_TEMPLATES[name];
          if (!expand) throw new Error(`${id}: SAM policy template ${name} is not known to the tests; add its expansion to test/template/cfn.ts`);
          expand(policy[name]).forEach(add);
        } else {
          throw new Error(`${id}: unrecognised policy ${JSON.stringify(policy)}`);
        }
      }
    } else if (type === 'AWS::IAM::Role') {
      for (const policy of props.Policies ?? []) statementsOf(policy.PolicyDocument).forEach(add);
      for (const policy of props.ManagedPolicyArns ?? []) managedPolicies.push({ owner: id, policy });
    } else if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
      if (resource.Condition !== undefined && resolver.resolve({ Condition: resource.Condition }) !== true) continue;
      // A policy on the roles SAM makes for functions (<function>Role) grants those functions.
      const functions = ((props.Roles ?? []) as Json[]).flatMap((role) => {
        const id = typeof role?.Ref === 'string' && role.Ref.endsWith('Role') ? role.Ref.slice(0, -'Role'.length) : undefined;
        return id !== undefined && template.Resources?.[id]?.Type === 'AWS::Serverless::Function' ? [id] : [];
      });
      for (const statement of statementsOf(props.PolicyDocument)) {
        if (functions.length === 0) add(statement);
        for (const owner of functions) grants.push(normaliseStatement(owner, 'AWS::Serverless::Function', statement, resolver));
      }
    }
  }
  return { grants, managedPolicies };
}

/** Read-only API verbs; every other action counts as mutating (so an unknown verb is held to the stricter rules). */
export function isReadOnlyAction(action: string): boolean {
  const verb = action.split(':')[1] ?? '';
  return /^(Get|Describe|List|Query|Scan|BatchGet|Search|Lookup|Head|View)/.test(verb);
}
