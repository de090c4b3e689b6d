// Helpers for the template tests: load template.yaml, evaluate CloudFormation intrinsics for a
// chosen set of parameter values (so a test can say "with ClusterName=default this rule matches
// that event"), and gather every IAM policy statement the template grants.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Templates are untyped JSON; each test asserts the shapes it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const ROOT = resolve(__dirname, '..', '..');
export const TEMPLATE_PATH = join(ROOT, 'template.yaml');

// scripts/load-template.mjs is the one YAML loader (the build script uses it too).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loader = require('../../scripts/load-template.mjs') as {
  loadTemplate: (path: string) => Json;
  parseTemplate: (text: string, source?: string) => Json;
};
export const { loadTemplate, parseTemplate } = loader;

export function loadProjectTemplate(): Json {
  return loadTemplate(TEMPLATE_PATH);
}

export function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function fileExists(relativePath: string): boolean {
  return existsSync(join(ROOT, relativePath));
}

/** `shift-traffic` -> `ShiftTraffic` */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** `shift-traffic` -> `Shift traffic` (how states are named) */
export function sentenceCase(kebab: string): string {
  const words = kebab.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
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

  condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    const value = this.resolve(definition);
    if (typeof value !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    return value;
  }

  /** Evaluates every intrinsic function in `value`; `Ref AWS::NoValue` removes the property. */
  resolve(value: Json): Json {
    const resolved = this.resolveAny(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves to a string, or throws. */
  string(value: Json): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
    return resolved;
  }

  private resolveAny(value: Json): Json {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolveAny(v)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) return this.intrinsic(key, value[key]);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolveAny(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(name: string, args: Json): Json {
    switch (name) {
      case 'Ref':
        return this.ref(String(args));
      case 'Condition':
        return this.condition(String(args));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof args === 'string' ? args.split(/\.(.*)/s) : args;
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof args === 'string' ? [args, {}] : args;
        const resolvedVariables: Record<string, Json> = {};
        for (const [k, v] of Object.entries(variables ?? {})) resolvedVariables[k] = this.resolve(v);
        return String(text).replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
          if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
          if (expression in resolvedVariables) return String(resolvedVariables[expression]);
          const dot = expression.indexOf('.');
          return dot > 0
            ? String(this.getAtt(expression.slice(0, dot), expression.slice(dot + 1)))
            : String(this.ref(expression));
        });
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = args;
        return this.resolveAny(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = args.map((x: Json) => this.resolve(x));
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !this.resolve(args[0]);
      case 'Fn::And':
        return args.every((x: Json) => this.resolve(x) === true);
      case 'Fn::Or':
        return args.some((x: Json) => this.resolve(x) === true);
      case 'Fn::Join': {
        const [separator, list] = args;
        return (this.resolve(list) as Json[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = args;
        return (this.resolve(list) as Json[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = args;
        return this.string(text).split(separator);
      }
      default:
        throw new Error(`intrinsic ${name} is not supported by the test resolver`);
    }
  }

  private ref(name: string): Json {
    const { context } = this;
    switch (name) {
      case 'AWS::Region':
        return context.region;
      case 'AWS::AccountId':
        return context.accountId;
      case 'AWS::Partition':
        return context.partition;
      case 'AWS::StackName':
        return context.stackName;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
    }
    if (this.template.Parameters?.[name] !== undefined) return this.parameter(name);
    const resource = this.template.Resources?.[name];
    if (resource === undefined) throw new Error(`Ref to unknown ${name}`);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${context.region}.amazonaws.com/${context.accountId}/${this.physicalName(name)}`;
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine':
        return this.getAtt(name, 'Arn');
      default:
        return this.physicalName(name);
    }
  }

  /** The resource's name: its explicit name property, else a CloudFormation-like generated one. */
  physicalName(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    const nameProperty: Record<string, string> = {
      'AWS::Serverless::Function': 'FunctionName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Serverless::StateMachine': 'Name',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
    };
    const property = nameProperty[resource.Type];
    const explicit = property ? resource.Properties?.[property] : undefined;
    return explicit !== undefined ? this.string(explicit) : `${this.context.stackName}-${logicalId}-GENERATED`;
  }

  private getAtt(logicalId: string, attribute: string): Json {
    const resource = this.template.Resources?.[logicalId];
    if (resource === undefined) throw new Error(`GetAtt of unknown resource ${logicalId}`);
    const { partition, region, accountId } = this.context;
    const name = this.physicalName(logicalId);
    const arns: Record<string, string> = {
      'AWS::Serverless::Function': `arn:${partition}:lambda:${region}:${accountId}:function:${name}`,
      'AWS::Lambda::Function': `arn:${partition}:lambda:${region}:${accountId}:function:${name}`,
      'AWS::DynamoDB::Table': `arn:${partition}:dynamodb:${region}:${accountId}:table/${name}`,
      'AWS::Logs::LogGroup': `arn:${partition}:logs:${region}:${accountId}:log-group:${name}:*`,
      'AWS::SQS::Queue': `arn:${partition}:sqs:${region}:${accountId}:${name}`,
      'AWS::Serverless::StateMachine': `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`,
      'AWS::StepFunctions::StateMachine': `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`,
    };
    if (attribute === 'Arn' && arns[resource.Type]) return arns[resource.Type];
    if (attribute === 'QueueName' || attribute === 'Name') return name;
    throw new Error(`GetAtt ${logicalId}.${attribute} is not supported by the test resolver`);
  }
}

// ---------------------------------------------------------------------------------------------
// References between resources (for dependency cycles)

/** Logical ids of resources that `value` references (Ref, GetAtt, ${X} / ${X.Attr} in Sub). */
export function referencedResources(template: Json, value: Json, found = new Set<string>()): Set<string> {
  const isResource = (id: string) => template.Resources?.[id] !== undefined;
  if (Array.isArray(value)) {
    for (const v of value) referencedResources(template, v, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string' && isResource(v)) found.add(v);
      else if (key === 'Fn::GetAtt') {
        const id = typeof v === 'string' ? v.split('.')[0] : (v as Json[])[0];
        if (isResource(id)) found.add(id);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = typeof v === 'string' ? [v, {}] : (v as Json[]);
        for (const match of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const id = (match[1] as string).split('.')[0] as string;
          if (!(id in (variables ?? {})) && isResource(id)) found.add(id);
        }
        referencedResources(template, variables, found);
      } else referencedResources(template, v, found);
    }
  }
  return found;
}

/** A dependency cycle among resources (explicit references and DependsOn), or undefined. */
export function findDependencyCycle(template: Json): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(template.Resources ?? {}) as Array<[string, Json]>) {
    const targets = referencedResources(template, { p: resource.Properties, m: resource.Metadata });
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const d of dependsOn) targets.add(d);
    // SAM puts Globals into every function: their references are the function's too.
    if (resource.Type === 'AWS::Serverless::Function') referencedResources(template, template.Globals?.Function, targets);
    edges.set(id, [...targets]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
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

/** Every identity-policy statement the template grants, resolved with `resolver`'s context. */
export function policyInventory(template: Json, resolver: Resolver): PolicyInventory {
  const grants: Grant[] = [];
  const managedPolicies: PolicyInventory['managedPolicies'] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {}) as Array<[string, Json]>) {
    const { Type: type, Properties: props = {} } = resource;
    const add = (statement: Json) => grants.push(normaliseStatement(id, type, statement, resolver));
    if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine') {
      const policies = props.Policies === undefined ? [] : [props.Policies].flat();
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
      statementsOf(props.PolicyDocument).forEach(add);
    }
  }
  return { grants, managedPolicies };
}

/** Read-only API verbs; every other action counts as mutating (so an unknown verb is held to the stricter rules). */
export function isReadOnlyAction(action: string): boolean {
  const verb = action.split(':')[1] ?? '';
  return /^(Get|Describe|List|Query|Scan|BatchGet|Search|Lookup|Head|View)/.test(verb);
}
