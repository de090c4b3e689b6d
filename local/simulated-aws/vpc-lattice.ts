import {
  ConflictException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
  VPCLatticeServiceException,
  type BatchUpdateRuleRequest,
  type BatchUpdateRuleResponse,
  type CreateListenerRequest,
  type CreateListenerResponse,
  type CreateRuleRequest,
  type CreateRuleResponse,
  type CreateServiceRequest,
  type CreateServiceResponse,
  type CreateTargetGroupRequest,
  type CreateTargetGroupResponse,
  type GetListenerRequest,
  type GetListenerResponse,
  type GetRuleRequest,
  type GetRuleResponse,
  type GetServiceRequest,
  type GetServiceResponse,
  type GetTargetGroupRequest,
  type GetTargetGroupResponse,
  type ListRulesRequest,
  type ListRulesResponse,
  type ListTagsForResourceRequest,
  type ListTagsForResourceResponse,
  type ListTargetGroupsRequest,
  type ListTargetGroupsResponse,
  type ListenerProtocol,
  type RuleAction,
  type RuleMatch,
  type RuleUpdate,
  type RuleUpdateFailure,
  type TagResourceRequest,
  type TagResourceResponse,
  type TargetGroupConfig,
  type TargetGroupType,
  type UpdateListenerRequest,
  type UpdateListenerResponse,
  type UpdateRuleRequest,
  type UpdateRuleResponse,
  type WeightedTargetGroup,
} from '@aws-sdk/client-vpc-lattice';
import { serviceError } from './errors';
import { deepClone, operationTable, type Operations, type SimulationContext } from './shared';

// Every rule below cites the shape of the SDK's API model (aws-sdk-js-v3
// codegen/sdk-codegen/aws-models/vpc-lattice.json, com.amazonaws.vpclattice#…) it comes from.

/** 17 lowercase letters or digits after the prefix: ServiceId, ListenerId, RuleId, TargetGroupId. */
const ID = '[0-9a-z]{17}';
const ARN_PREFIX = 'arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:';
/** ServiceIdentifier, ListenerIdentifier, RuleIdentifier, TargetGroupIdentifier: an id or an ARN. */
const IDENTIFIER = {
  service: new RegExp(`^((svc-${ID})|(${ARN_PREFIX}service/svc-${ID}))$`),
  listener: new RegExp(`^((listener-${ID})|(${ARN_PREFIX}service/svc-${ID}/listener/listener-${ID}))$`),
  rule: new RegExp(`^((rule-${ID})|(${ARN_PREFIX}service/svc-${ID}/listener/listener-${ID}/rule/rule-${ID}))$`),
  targetGroup: new RegExp(`^((tg-${ID})|(${ARN_PREFIX}targetgroup/tg-${ID}))$`),
} as const;
/** Arn (TagResourceRequest.resourceArn, ListTagsForResourceRequest.resourceArn): at most 1224 characters. */
const ARN = /^arn:[a-z0-9][-.a-z0-9]{0,62}:vpc-lattice:([a-z0-9][-.a-z0-9]{0,62})?:\d{12}?:[^/].{0,1023}$/;
const MAX_ARN_LENGTH = 1224;
/** PathMatchExact, PathMatchPrefix. */
const PATH = /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/;
/** TagMap key and value documentation: Unicode letters, digits, white space and _ . : / = + - @. */
const TAG_TEXT = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;
/** WeightedTargetGroupList: 1 to 10 target groups in a forward action. */
const MAX_TARGET_GROUPS = 10;
/** TargetGroupWeight: an integer from 0 to 999. */
const MAX_WEIGHT = 999;
/** WeightedTargetGroup.weight: "If there's only one target group specified, then the default value is 100." */
const SOLE_TARGET_GROUP_WEIGHT = 100;
/** RulePriority: an integer from 1 to 100. */
const MAX_PRIORITY = 100;
/** RuleUpdateList: 1 to 5 rules per BatchUpdateRule. */
const MAX_BATCH_RULES = 5;
/** MaxResults: 1 to 100. */
const MAX_RESULTS = 100;
/** TagMap: at most 200 tags. */
const MAX_TAGS = 200;
/** ListenerProtocol. */
const LISTENER_PROTOCOLS: readonly ListenerProtocol[] = ['HTTP', 'HTTPS', 'TLS_PASSTHROUGH'];
/** CreateListenerRequest.port: "For HTTP, the default is 80. For HTTPS, the default is 443." */
const DEFAULT_LISTENER_PORT: Partial<Record<ListenerProtocol, number>> = { HTTP: 80, HTTPS: 443 };
/** TargetGroupType. */
const TARGET_GROUP_TYPES: readonly TargetGroupType[] = ['IP', 'LAMBDA', 'INSTANCE', 'ALB'];
/** The helpers' name for a listener's default rule, whose id the API shows only through ListRules. */
const DEFAULT_RULE = 'default';

/** How late a weight change reaches traffic unless told otherwise: ECS's own Lattice deployments wait this long after each change. */
export const latticePropagationSeconds = 90;

export interface SimulatedVpcLatticeOptions {
  /**
   * Seconds between a rule's (or a listener's default action's) change and the moment data-plane
   * traffic follows it. Default 90: ECS's own Lattice deployments wait that long after each weight change.
   */
  propagationSeconds?: number;
  /**
   * Requests per second each named operation accepts (a token bucket holding one second's worth,
   * on the simulation's clock); a call beyond it fails with ThrottlingException and its
   * retryAfterSeconds. Operations not named are never throttled this way. Off by default.
   */
  rateLimits?: Readonly<Record<string, number>>;
}

/** A target group's weight as the data plane applies it, by target group id. */
export interface WeightInForce {
  targetGroupId: string;
  weight: number;
}

interface RuleRecord {
  id: string;
  arn: string;
  name?: string;
  isDefault: boolean;
  match?: RuleMatch;
  priority?: number;
  action: RuleAction;
  createdAt: Date;
  lastUpdatedAt: Date;
  /** Every action the rule was given and when; traffic follows each one propagationSeconds later. */
  writes: Array<{ at: Date; action: RuleAction }>;
}

interface ListenerRecord {
  id: string;
  arn: string;
  name: string;
  protocol: ListenerProtocol;
  port: number;
  createdAt: Date;
  lastUpdatedAt: Date;
  /** The listener's default action lives here, as GetRule and ListRules show it. */
  defaultRule: RuleRecord;
  rules: Map<string, RuleRecord>;
}

interface ServiceRecord {
  id: string;
  arn: string;
  name: string;
  authType: string;
  customDomainName?: string;
  certificateArn?: string;
  createdAt: Date;
  lastUpdatedAt: Date;
  listeners: Map<string, ListenerRecord>;
}

interface TargetGroupRecord {
  id: string;
  arn: string;
  name: string;
  type: TargetGroupType;
  config?: TargetGroupConfig;
  createdAt: Date;
  lastUpdatedAt: Date;
}

interface PreparedRuleUpdate {
  index: number;
  ruleIdentifier: string | undefined;
  rule: RuleRecord;
  match?: RuleMatch;
  priority?: number;
  action?: RuleAction;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * VPC Lattice's control plane for what a weighted rollout touches: services, listeners (with their
 * default rule), listener rules and target groups, enforcing the API model's rules with the SDK's
 * own exception classes, and a data plane that follows each change `propagationSeconds` late.
 */
export class SimulatedVpcLattice {
  readonly operations: Operations;

  private readonly services = new Map<string, ServiceRecord>();
  private readonly targetGroups = new Map<string, TargetGroupRecord>();
  /** Tags of every resource by ARN, made at creation. */
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly propagationMs: number;
  private readonly rateLimits: Readonly<Record<string, number>>;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly context: SimulationContext,
    options: SimulatedVpcLatticeOptions = {},
  ) {
    const propagationSeconds = options.propagationSeconds ?? latticePropagationSeconds;
    if (!(Number.isFinite(propagationSeconds) && propagationSeconds >= 0)) {
      throw new Error(`SimulatedVpcLattice: propagationSeconds must be a non-negative number, got ${propagationSeconds}.`);
    }
    this.propagationMs = propagationSeconds * 1000;
    this.rateLimits = { ...options.rateLimits };
    const table = {
      CreateService: (input: CreateServiceRequest) => this.createService(input),
      GetService: (input: GetServiceRequest) => this.getService(input),
      CreateTargetGroup: (input: CreateTargetGroupRequest) => this.createTargetGroup(input),
      GetTargetGroup: (input: GetTargetGroupRequest) => this.getTargetGroup(input),
      ListTargetGroups: (input: ListTargetGroupsRequest) => this.listTargetGroups(input),
      CreateListener: (input: CreateListenerRequest) => this.createListener(input),
      GetListener: (input: GetListenerRequest) => this.getListener(input),
      UpdateListener: (input: UpdateListenerRequest) => this.updateListener(input),
      CreateRule: (input: CreateRuleRequest) => this.createRule(input),
      GetRule: (input: GetRuleRequest) => this.getRule(input),
      UpdateRule: (input: UpdateRuleRequest) => this.updateRule(input),
      ListRules: (input: ListRulesRequest) => this.listRules(input),
      BatchUpdateRule: (input: BatchUpdateRuleRequest) => this.batchUpdateRule(input),
      TagResource: (input: TagResourceRequest) => this.tagResource(input),
      ListTagsForResource: (input: ListTagsForResourceRequest) => this.listTagsForResource(input),
    };
    this.operations = operationTable(
      Object.fromEntries(
        Object.entries(table).map(([operation, handler]) => [
          operation,
          (input: never) => {
            this.admit(operation);
            return handler(input);
          },
        ]),
      ),
    );
  }

  /** The stored rule as GetRule would return it, without going through the API; 'default' names the default rule. */
  rule(serviceIdentifier: string, listenerIdentifier: string, ruleIdentifier: string): GetRuleResponse {
    const { listener } = this.requireListener(serviceIdentifier, listenerIdentifier);
    return deepClone(this.ruleOutput(this.helperRule(listener, ruleIdentifier)));
  }

  /**
   * The action data-plane traffic of a rule (or, for 'default', of the listener's default rule)
   * follows at `at`: each change takes effect propagationSeconds after it was made. A rule is
   * created with its first action already in force.
   */
  actionInForce(serviceIdentifier: string, listenerIdentifier: string, ruleIdentifier: string, at: Date = this.context.now()): RuleAction {
    const { listener } = this.requireListener(serviceIdentifier, listenerIdentifier);
    const [first, ...changes] = this.helperRule(listener, ruleIdentifier).writes;
    const inForce = changes.filter((write) => write.at.getTime() + this.propagationMs <= at.getTime()).at(-1) ?? first;
    if (inForce === undefined) throw new Error('SimulatedVpcLattice: a rule without an action.');
    return deepClone(inForce.action);
  }

  /** The target-group weights traffic sees at `at` (none for a fixed response), by target group id. */
  weightsInForce(serviceIdentifier: string, listenerIdentifier: string, ruleIdentifier: string, at: Date = this.context.now()): WeightInForce[] {
    const targetGroups = this.actionInForce(serviceIdentifier, listenerIdentifier, ruleIdentifier, at).forward?.targetGroups ?? [];
    return targetGroups.map((targetGroup) => ({
      targetGroupId: this.idOf(targetGroup.targetGroupIdentifier ?? ''),
      weight: targetGroup.weight ?? SOLE_TARGET_GROUP_WEIGHT,
    }));
  }

  /** Every action the rule was given after its creation, and when: what a batch really changed, whatever its call returned. */
  ruleChanges(serviceIdentifier: string, listenerIdentifier: string, ruleIdentifier: string): Array<{ at: Date; action: RuleAction }> {
    const { listener } = this.requireListener(serviceIdentifier, listenerIdentifier);
    return deepClone(this.helperRule(listener, ruleIdentifier).writes.slice(1));
  }

  /** When the rule's latest change reaches traffic. */
  settlesAt(serviceIdentifier: string, listenerIdentifier: string, ruleIdentifier: string): Date {
    const { listener } = this.requireListener(serviceIdentifier, listenerIdentifier);
    const rule = this.helperRule(listener, ruleIdentifier);
    const latest = rule.writes.slice(1).at(-1);
    return new Date(latest === undefined ? rule.createdAt.getTime() : latest.at.getTime() + this.propagationMs);
  }

  /**
   * Someone changing the weights in the console between two automated steps: only the forward
   * action's target groups change (of the listener's default action for 'default'), and the
   * console enforces the same rules as the API.
   */
  editRuleAsPerson(
    serviceIdentifier: string,
    listenerIdentifier: string,
    ruleIdentifier: string,
    targetGroups: WeightedTargetGroup[],
  ): GetRuleResponse {
    const { service, listener } = this.requireListener(serviceIdentifier, listenerIdentifier);
    const rule = this.helperRule(listener, ruleIdentifier);
    const action = this.validatedAction('action', { forward: { targetGroups } }, service);
    this.write(rule, action);
    if (rule.isDefault) listener.lastUpdatedAt = rule.lastUpdatedAt;
    return deepClone(this.ruleOutput(rule));
  }

  private createService(input: CreateServiceRequest): CreateServiceResponse {
    // ServiceName; CreateServiceRequest.name: "The name must be unique within the account."
    const name = this.validName('name', input.name, 'svc', 40);
    const authType = this.oneOf('authType', input.authType ?? 'NONE', ['NONE', 'AWS_IAM']);
    if (input.customDomainName !== undefined) this.validLength('customDomainName', input.customDomainName, 3, 255);
    const taken = [...this.services.values()].find((service) => service.name === name);
    if (taken !== undefined) throw this.conflict('SERVICE', taken.id, `A service named "${name}" already exists (${taken.id}).`);
    const service: ServiceRecord = {
      ...this.identity('svc', (id) => `${this.arnPrefix()}service/${id}`),
      name,
      authType,
      ...(input.customDomainName === undefined ? {} : { customDomainName: input.customDomainName }),
      ...(input.certificateArn === undefined ? {} : { certificateArn: input.certificateArn }),
      listeners: new Map(),
    };
    this.tagNew(service.arn, input.tags);
    this.services.set(service.id, service);
    const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, ...created } = this.serviceOutput(service);
    return created;
  }

  private getService(input: GetServiceRequest): GetServiceResponse {
    return this.serviceOutput(this.requireService(input.serviceIdentifier));
  }

  private createTargetGroup(input: CreateTargetGroupRequest): CreateTargetGroupResponse {
    // TargetGroupName; CreateTargetGroupRequest.name: "The name must be unique within the account."
    const name = this.validName('name', input.name, 'tg', 128);
    const type = this.oneOf('type', input.type, TARGET_GROUP_TYPES);
    const config = input.config === undefined ? undefined : this.validatedTargetGroupConfig(type, input.config);
    const taken = [...this.targetGroups.values()].find((targetGroup) => targetGroup.name === name);
    if (taken !== undefined) throw this.conflict('TARGET_GROUP', taken.id, `A target group named "${name}" already exists (${taken.id}).`);
    const targetGroup: TargetGroupRecord = {
      ...this.identity('tg', (id) => `${this.arnPrefix()}targetgroup/${id}`),
      name,
      type,
      ...(config === undefined ? {} : { config }),
    };
    this.tagNew(targetGroup.arn, input.tags);
    this.targetGroups.set(targetGroup.id, targetGroup);
    return { id: targetGroup.id, arn: targetGroup.arn, name, type, config: deepClone(config), status: 'ACTIVE' };
  }

  private getTargetGroup(input: GetTargetGroupRequest): GetTargetGroupResponse {
    const targetGroup = this.requireTargetGroup('targetGroupIdentifier', input.targetGroupIdentifier);
    return {
      id: targetGroup.id,
      arn: targetGroup.arn,
      name: targetGroup.name,
      type: targetGroup.type,
      config: deepClone(targetGroup.config),
      createdAt: targetGroup.createdAt,
      lastUpdatedAt: targetGroup.lastUpdatedAt,
      status: 'ACTIVE',
      serviceArns: this.servicesUsing(targetGroup.id).map((service) => service.arn),
    };
  }

  private listTargetGroups(input: ListTargetGroupsRequest): ListTargetGroupsResponse {
    if (input.targetGroupType !== undefined) this.oneOf('targetGroupType', input.targetGroupType, TARGET_GROUP_TYPES);
    const matching = [...this.targetGroups.values()].filter(
      (targetGroup) =>
        (input.targetGroupType === undefined || targetGroup.type === input.targetGroupType) &&
        (input.vpcIdentifier === undefined || targetGroup.config?.vpcIdentifier === input.vpcIdentifier),
    );
    const page = this.page(matching, input.maxResults, input.nextToken);
    return {
      items: page.items.map((targetGroup) => ({
        id: targetGroup.id,
        arn: targetGroup.arn,
        name: targetGroup.name,
        type: targetGroup.type,
        createdAt: targetGroup.createdAt,
        lastUpdatedAt: targetGroup.lastUpdatedAt,
        port: targetGroup.config?.port,
        protocol: targetGroup.config?.protocol,
        ipAddressType: targetGroup.config?.ipAddressType,
        vpcIdentifier: targetGroup.config?.vpcIdentifier,
        status: 'ACTIVE',
        serviceArns: this.servicesUsing(targetGroup.id).map((service) => service.arn),
      })),
      nextToken: page.nextToken,
    };
  }

  private createListener(input: CreateListenerRequest): CreateListenerResponse {
    const service = this.requireService(input.serviceIdentifier);
    // ListenerName; CreateListenerRequest.name: "A listener name must be unique within a service."
    const name = this.validName('name', input.name, 'listener', 63);
    const protocol = this.oneOf('protocol', input.protocol, LISTENER_PROTOCOLS);
    const port = input.port ?? DEFAULT_LISTENER_PORT[protocol];
    if (!isIntegerIn(port, 1, 65535)) {
      throw this.invalid('port', `must be an integer from 1 to 65535${input.port === undefined ? ` (${protocol} has no default port)` : ''}.`);
    }
    const action = this.validatedAction('defaultAction', input.defaultAction, service);
    const taken = [...service.listeners.values()].find((listener) => listener.name === name);
    if (taken !== undefined) {
      throw this.conflict('LISTENER', taken.id, `Service ${service.id} already has a listener named "${name}" (${taken.id}).`);
    }
    const identity = this.identity('listener', (id) => `${service.arn}/listener/${id}`);
    const listener: ListenerRecord = {
      ...identity,
      name,
      protocol,
      port,
      defaultRule: this.newRule(identity.arn, { isDefault: true, action }),
      rules: new Map(),
    };
    this.tagNew(listener.arn, input.tags);
    service.listeners.set(listener.id, listener);
    const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, ...created } = this.listenerOutput(service, listener);
    return created;
  }

  private getListener(input: GetListenerRequest): GetListenerResponse {
    const { service, listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    return this.listenerOutput(service, listener);
  }

  private updateListener(input: UpdateListenerRequest): UpdateListenerResponse {
    const { service, listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    // UpdateListenerRequest.defaultAction is required: the listener's only updatable field.
    const action = this.validatedAction('defaultAction', input.defaultAction, service);
    this.write(listener.defaultRule, action);
    listener.lastUpdatedAt = listener.defaultRule.lastUpdatedAt;
    const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, ...updated } = this.listenerOutput(service, listener);
    return updated;
  }

  private createRule(input: CreateRuleRequest): CreateRuleResponse {
    const { service, listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    // RuleName; CreateRuleRequest.name: "The name must be unique within the listener."
    const name = this.validName('name', input.name, 'rule', 63);
    const match = this.validatedMatch('match', input.match);
    const priority = this.validatedPriority('priority', input.priority);
    const action = this.validatedAction('action', input.action, service);
    const taken = [...listener.rules.values()].find((rule) => rule.name === name);
    if (taken !== undefined) throw this.conflict('RULE', taken.id, `Listener ${listener.id} already has a rule named "${name}" (${taken.id}).`);
    this.requireFreePriority(listener, priority, undefined);
    const rule = this.newRule(listener.arn, { isDefault: false, name, match, priority, action });
    this.tagNew(rule.arn, input.tags);
    listener.rules.set(rule.id, rule);
    const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, isDefault: _isDefault, ...created } = this.ruleOutput(rule);
    return created;
  }

  private getRule(input: GetRuleRequest): GetRuleResponse {
    const { listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    return this.ruleOutput(this.requireRule(listener, 'ruleIdentifier', input.ruleIdentifier));
  }

  /**
   * UpdateRuleRequest: match, priority and action are optional members of a PATCH, so what is
   * omitted keeps its value; the model documents no clearing of an omitted member.
   */
  private updateRule(input: UpdateRuleRequest): UpdateRuleResponse {
    const { service, listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    const rule = this.requireRule(listener, 'ruleIdentifier', input.ruleIdentifier);
    const update = this.preparedRuleUpdate('', service, rule, input);
    this.requireFreePriority(listener, update.priority, rule);
    this.applyRuleUpdate({ index: 0, ruleIdentifier: input.ruleIdentifier, rule, ...update });
    const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, ...updated } = this.ruleOutput(rule);
    return updated;
  }

  private listRules(input: ListRulesRequest): ListRulesResponse {
    const { listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    // Rules in evaluation order: by priority, the default rule last (RuleSummary.isDefault).
    const rules = [...listener.rules.values()].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0)).concat(listener.defaultRule);
    const page = this.page(rules, input.maxResults, input.nextToken);
    return {
      items: page.items.map((rule) => ({
        arn: rule.arn,
        id: rule.id,
        name: rule.name,
        isDefault: rule.isDefault,
        priority: rule.priority,
        createdAt: rule.createdAt,
        lastUpdatedAt: rule.lastUpdatedAt,
      })),
      nextToken: page.nextToken,
    };
  }

  /**
   * BatchUpdateRule is not atomic: each RuleUpdate succeeds or fails on its own
   * (BatchUpdateRuleResponse.successful / .unsuccessful, RuleUpdateFailure). Priorities are checked
   * against the batch's outcome, so two rules can swap priorities ("swapping rule priority").
   */
  private batchUpdateRule(input: BatchUpdateRuleRequest): BatchUpdateRuleResponse {
    const { service, listener } = this.requireListener(input.serviceIdentifier, input.listenerIdentifier);
    const updates: RuleUpdate[] | undefined = input.rules;
    if (!Array.isArray(updates) || updates.length < 1 || updates.length > MAX_BATCH_RULES) {
      throw this.invalid('rules', `must list from 1 to ${MAX_BATCH_RULES} rule updates (got ${Array.isArray(updates) ? updates.length : 'none'}).`);
    }
    const failures: Array<{ index: number; failure: RuleUpdateFailure }> = [];
    const fail = (index: number, ruleIdentifier: string | undefined, error: unknown) => {
      if (!(error instanceof VPCLatticeServiceException)) throw error;
      failures.push({ index, failure: { ruleIdentifier, failureCode: error.name, failureMessage: error.message } });
    };
    let prepared: PreparedRuleUpdate[] = [];
    updates.forEach((update, index) => {
      try {
        const rule = this.requireRule(listener, `rules[${index}].ruleIdentifier`, update.ruleIdentifier);
        if (prepared.some((other) => other.rule === rule)) {
          throw this.invalid(`rules[${index}].ruleIdentifier`, `names rule ${rule.id} a second time in this batch.`);
        }
        prepared.push({ index, ruleIdentifier: update.ruleIdentifier, rule, ...this.preparedRuleUpdate(`rules[${index}]`, service, rule, update) });
      } catch (error) {
        fail(index, update.ruleIdentifier, error);
      }
    });
    // A priority stays with a rule that keeps it, else goes to the batch's first move onto it: reject the others until none clash.
    for (let clashes = this.priorityClashes(listener, prepared); clashes.length > 0; clashes = this.priorityClashes(listener, prepared)) {
      prepared = prepared.filter((update) => !clashes.some((clash) => clash.update === update));
      for (const { update, holder } of clashes) {
        fail(update.index, update.ruleIdentifier, this.priorityConflict(listener, update.rule, update.priority ?? 0, holder));
      }
    }
    prepared.forEach((update) => this.applyRuleUpdate(update));
    return {
      successful: prepared.map((update) => {
        const { createdAt: _createdAt, lastUpdatedAt: _lastUpdatedAt, ...rule } = this.ruleOutput(update.rule);
        return rule;
      }),
      unsuccessful: failures.sort((a, b) => a.index - b.index).map(({ failure }) => failure),
    };
  }

  private tagResource(input: TagResourceRequest): TagResourceResponse {
    const tags = this.requireTagged(input.resourceArn);
    // TagResourceRequest.tags is required.
    if (!isObject(input.tags)) throw this.invalid('tags', 'is required.');
    const incoming = this.validatedTags('tags', input.tags);
    if (Object.keys({ ...tags, ...incoming }).length > MAX_TAGS) throw this.invalid('tags', `would give the resource more than ${MAX_TAGS} tags.`);
    Object.assign(tags, incoming);
    return {};
  }

  private listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return { tags: { ...this.requireTagged(input.resourceArn) } };
  }

  /** Checks shared by UpdateRule and each RuleUpdate of BatchUpdateRule. */
  private preparedRuleUpdate(
    prefix: string,
    service: ServiceRecord,
    rule: RuleRecord,
    update: { match?: RuleMatch; priority?: number; action?: RuleAction },
  ): Omit<PreparedRuleUpdate, 'index' | 'ruleIdentifier' | 'rule'> {
    const field = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
    // UpdateRule: "You can't modify a default listener rule. To modify a default listener rule, use UpdateListener."
    if (rule.isDefault) {
      throw this.invalid(field('ruleIdentifier'), `${rule.id} is the listener's default rule, which only UpdateListener changes.`);
    }
    return {
      ...(update.match === undefined ? {} : { match: this.validatedMatch(field('match'), update.match) }),
      ...(update.priority === undefined ? {} : { priority: this.validatedPriority(field('priority'), update.priority) }),
      ...(update.action === undefined ? {} : { action: this.validatedAction(field('action'), update.action, service) }),
    };
  }

  private applyRuleUpdate(update: PreparedRuleUpdate): void {
    const { rule } = update;
    if (update.match !== undefined) rule.match = update.match;
    if (update.priority !== undefined) rule.priority = update.priority;
    if (update.action !== undefined) this.write(rule, update.action);
    rule.lastUpdatedAt = this.context.now();
  }

  /** Moves onto a priority that another rule keeps, or that an earlier update of the batch moves onto, with that rule. */
  private priorityClashes(listener: ListenerRecord, prepared: PreparedRuleUpdate[]): Array<{ update: PreparedRuleUpdate; holder: RuleRecord }> {
    const holds = (other: RuleRecord, update: PreparedRuleUpdate) => {
      const move = prepared.find((candidate) => candidate.rule === other && candidate.priority !== undefined);
      return move === undefined ? other.priority === update.priority : move.priority === update.priority && move.index < update.index;
    };
    return prepared.flatMap((update) => {
      const holder = update.priority === undefined ? undefined : [...listener.rules.values()].find((other) => other !== update.rule && holds(other, update));
      return holder === undefined ? [] : [{ update, holder }];
    });
  }

  /** RulePriority documentation: "Each rule for a specific listener must have a unique priority." */
  private requireFreePriority(listener: ListenerRecord, priority: number | undefined, rule: RuleRecord | undefined): void {
    const holder = [...listener.rules.values()].find((other) => other !== rule && other.priority === priority);
    if (priority !== undefined && holder !== undefined) {
      throw this.priorityConflict(listener, rule, priority, holder);
    }
  }

  private priorityConflict(listener: ListenerRecord, rule: RuleRecord | undefined, priority: number, holder: RuleRecord): Error {
    return this.conflict('RULE', rule?.id ?? holder.id, `Priority ${priority} is already used by rule ${holder.id} of listener ${listener.id}.`);
  }

  /**
   * RuleAction is a union of forward and fixedResponse. ForwardAction.targetGroups is a
   * WeightedTargetGroupList of 1 to 10; each weight is a TargetGroupWeight (0 to 999), required
   * once there is more than one target group (WeightedTargetGroup.weight). The target groups must
   * exist, and CreateTargetGroup: "A target group can only be used by a single service."
   */
  private validatedAction(field: string, action: unknown, service: ServiceRecord): RuleAction {
    if (!isObject(action)) throw this.invalid(field, 'is required.');
    const member = this.unionMember(field, action, ['forward', 'fixedResponse']);
    if (member === 'fixedResponse') {
      const statusCode = isObject(action.fixedResponse) ? action.fixedResponse.statusCode : undefined;
      // FixedResponseAction.statusCode is an HttpStatusCode: 100 to 599.
      if (!isIntegerIn(statusCode, 100, 599)) {
        throw this.invalid(`${field}.fixedResponse.statusCode`, `must be an integer from 100 to 599 (got ${String(statusCode)}).`);
      }
      return { fixedResponse: { statusCode } };
    }
    const listField = `${field}.forward.targetGroups`;
    const targetGroups = isObject(action.forward) ? action.forward.targetGroups : undefined;
    if (!Array.isArray(targetGroups) || targetGroups.length < 1 || targetGroups.length > MAX_TARGET_GROUPS) {
      const count = Array.isArray(targetGroups) ? targetGroups.length : 'none';
      throw this.invalid(listField, `must list from 1 to ${MAX_TARGET_GROUPS} target groups (got ${count}).`);
    }
    const weighted = targetGroups.map((targetGroup: unknown, index): WeightedTargetGroup => {
      const itemField = `${listField}[${index}]`;
      const { targetGroupIdentifier, weight } = isObject(targetGroup) ? targetGroup : {};
      this.validIdentifier(`${itemField}.targetGroupIdentifier`, targetGroupIdentifier, 'targetGroup');
      if (weight === undefined && targetGroups.length > 1) {
        throw this.invalid(`${itemField}.weight`, 'is required when a forward action lists more than one target group.');
      }
      if (weight !== undefined && !isIntegerIn(weight, 0, MAX_WEIGHT)) {
        throw this.invalid(`${itemField}.weight`, `must be an integer from 0 to ${MAX_WEIGHT} (target group ${String(targetGroupIdentifier)}, got ${String(weight)}).`);
      }
      return { targetGroupIdentifier: String(targetGroupIdentifier), ...(weight === undefined ? {} : { weight: Number(weight) }) };
    });
    const records = weighted.map((targetGroup, index) =>
      this.requireTargetGroup(`${listField}[${index}].targetGroupIdentifier`, targetGroup.targetGroupIdentifier),
    );
    // Not in the model: the simulator, like ELB, refuses one target group twice in an action.
    records.forEach((record, index) => {
      if (records.indexOf(record) !== index) throw this.invalid(listField, `names target group ${record.id} more than once.`);
    });
    for (const record of records) {
      const other = this.servicesUsing(record.id).find((user) => user !== service);
      if (other !== undefined) {
        throw this.conflict(
          'TARGET_GROUP',
          record.id,
          `Target group ${record.id} is already used by service ${other.id}; a target group can only be used by a single service.`,
        );
      }
    }
    return { forward: { targetGroups: weighted } };
  }

  /** RuleMatch is a union with one member, httpMatch (HttpMatch, PathMatch, HeaderMatch). */
  private validatedMatch(field: string, match: RuleMatch | undefined): RuleMatch {
    const fields: unknown = match;
    if (match === undefined || !isObject(fields)) throw this.invalid(field, 'is required.');
    this.unionMember(field, fields, ['httpMatch']);
    const httpMatch = isObject(fields.httpMatch) ? fields.httpMatch : {};
    const httpField = `${field}.httpMatch`;
    // HttpMethod: at most 16 characters.
    if (httpMatch.method !== undefined) this.validLength(`${httpField}.method`, httpMatch.method, 1, 16);
    if (httpMatch.pathMatch !== undefined) {
      const pathMatch = isObject(httpMatch.pathMatch) ? httpMatch.pathMatch : {};
      const pathField = `${httpField}.pathMatch.match`;
      if (!isObject(pathMatch.match)) throw this.invalid(pathField, 'is required.');
      const kind = this.unionMember(pathField, pathMatch.match, ['exact', 'prefix']);
      // PathMatchExact, PathMatchPrefix: 1 to 200 characters of a path.
      const path = this.validLength(`${pathField}.${kind}`, pathMatch.match[kind], 1, 200);
      if (!PATH.test(path)) throw this.invalid(`${pathField}.${kind}`, `must be a path starting with "/" (got "${path}").`);
    }
    if (httpMatch.headerMatches !== undefined) {
      const headerMatches = httpMatch.headerMatches;
      // HeaderMatchList: 1 to 5; HeaderMatchName 1 to 100; HeaderMatchType a union of exact, prefix, contains of 1 to 200.
      if (!Array.isArray(headerMatches) || headerMatches.length < 1 || headerMatches.length > 5) {
        throw this.invalid(`${httpField}.headerMatches`, 'must list from 1 to 5 header matches.');
      }
      headerMatches.forEach((headerMatch: unknown, index) => {
        const headerField = `${httpField}.headerMatches[${index}]`;
        const { name, match: valueMatch } = isObject(headerMatch) ? headerMatch : {};
        this.validLength(`${headerField}.name`, name, 1, 100);
        if (!isObject(valueMatch)) throw this.invalid(`${headerField}.match`, 'is required.');
        const kind = this.unionMember(`${headerField}.match`, valueMatch, ['exact', 'prefix', 'contains']);
        this.validLength(`${headerField}.match.${kind}`, valueMatch[kind], 1, 200);
      });
    }
    return deepClone(match);
  }

  /** RulePriority: an integer from 1 to 100. */
  private validatedPriority(field: string, priority: unknown): number {
    if (!isIntegerIn(priority, 1, MAX_PRIORITY)) {
      throw this.invalid(field, `must be an integer from 1 to ${MAX_PRIORITY} (got ${String(priority)}).`);
    }
    return priority;
  }

  /** TargetGroupConfig: Port, TargetGroupProtocol, TargetGroupProtocolVersion, IpAddressType, VpcId. */
  private validatedTargetGroupConfig(type: TargetGroupType, config: TargetGroupConfig): TargetGroupConfig {
    if (typeof config !== 'object' || config === null) throw this.invalid('config', 'must be an object.');
    // TargetGroupConfig: port, protocol, protocolVersion and vpcIdentifier are "Not supported if the target group type is LAMBDA".
    if (type === 'LAMBDA') {
      const unsupported = (['port', 'protocol', 'protocolVersion', 'vpcIdentifier'] as const).find((key) => config[key] !== undefined);
      if (unsupported !== undefined) throw this.invalid(`config.${unsupported}`, 'is not supported for a LAMBDA target group.');
    }
    // TargetGroupConfig.ipAddressType: "Supported only if the target group type is IP."
    if (config.ipAddressType !== undefined && type !== 'IP') throw this.invalid('config.ipAddressType', 'is supported only for an IP target group.');
    if (config.port !== undefined && !isIntegerIn(config.port, 1, 65535)) throw this.invalid('config.port', 'must be an integer from 1 to 65535.');
    if (config.protocol !== undefined) this.oneOf('config.protocol', config.protocol, ['HTTP', 'HTTPS', 'TCP']);
    if (config.protocolVersion !== undefined) this.oneOf('config.protocolVersion', config.protocolVersion, ['HTTP1', 'HTTP2', 'GRPC']);
    if (config.ipAddressType !== undefined) this.oneOf('config.ipAddressType', config.ipAddressType, ['IPV4', 'IPV6']);
    if (config.vpcIdentifier !== undefined && !/^vpc-(([0-9a-z]{8})|([0-9a-z]{17}))$/.test(config.vpcIdentifier)) {
      throw this.invalid('config.vpcIdentifier', `must be a VPC id such as vpc-0123456789abcdef0 (got "${config.vpcIdentifier}").`);
    }
    return deepClone(config);
  }

  /** TagMap: at most 200; TagKey 1 to 128 not starting with "aws:"; TagValue 0 to 256; both of the documented characters. */
  private validatedTags(field: string, tags: Record<string, unknown>): Record<string, string> {
    const entries = Object.entries(tags);
    if (entries.length > MAX_TAGS) throw this.invalid(field, `must hold at most ${MAX_TAGS} tags.`);
    for (const [key, value] of entries) {
      if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key) || key.startsWith('aws:')) {
        throw this.invalid(`${field}.${key}`, 'a tag key must be 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with "aws:".');
      }
      if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value)) {
        throw this.invalid(`${field}.${key}`, 'a tag value must be at most 256 letters, digits, spaces or _ . : / = + - @.');
      }
    }
    return Object.fromEntries(entries) as Record<string, string>;
  }

  private tagNew(arn: string, tags: Record<string, string> | undefined): void {
    this.tags.set(arn, tags === undefined ? {} : this.validatedTags('tags', tags));
  }

  private requireTagged(resourceArn: unknown): Record<string, string> {
    if (typeof resourceArn !== 'string' || resourceArn.length > MAX_ARN_LENGTH || !ARN.test(resourceArn)) {
      throw this.invalid('resourceArn', `must be a VPC Lattice ARN (got "${String(resourceArn)}").`);
    }
    const tags = this.tags.get(resourceArn);
    if (tags === undefined) throw this.notFound('RESOURCE', resourceArn, `Resource ${resourceArn} not found.`);
    return tags;
  }

  private write(rule: RuleRecord, action: RuleAction): void {
    const at = this.context.now();
    rule.action = action;
    rule.writes.push({ at, action: deepClone(action) });
    rule.lastUpdatedAt = at;
  }

  private newRule(
    listenerArn: string,
    fields: { isDefault: boolean; action: RuleAction; name?: string; match?: RuleMatch; priority?: number },
  ): RuleRecord {
    const identity = this.identity('rule', (id) => `${listenerArn}/rule/${id}`);
    return { ...identity, ...fields, writes: [{ at: identity.createdAt, action: deepClone(fields.action) }] };
  }

  private servicesUsing(targetGroupId: string): ServiceRecord[] {
    return [...this.services.values()].filter((service) =>
      [...service.listeners.values()].some((listener) =>
        [listener.defaultRule, ...listener.rules.values()].some((rule) =>
          (rule.action.forward?.targetGroups ?? []).some((targetGroup) => this.idOf(targetGroup.targetGroupIdentifier ?? '') === targetGroupId),
        ),
      ),
    );
  }

  private serviceOutput(service: ServiceRecord): GetServiceResponse {
    return {
      id: service.id,
      name: service.name,
      arn: service.arn,
      createdAt: service.createdAt,
      lastUpdatedAt: service.lastUpdatedAt,
      customDomainName: service.customDomainName,
      certificateArn: service.certificateArn,
      status: 'ACTIVE',
      authType: service.authType as GetServiceResponse['authType'],
    };
  }

  private listenerOutput(service: ServiceRecord, listener: ListenerRecord): GetListenerResponse {
    return {
      arn: listener.arn,
      id: listener.id,
      name: listener.name,
      protocol: listener.protocol,
      port: listener.port,
      serviceArn: service.arn,
      serviceId: service.id,
      defaultAction: deepClone(listener.defaultRule.action),
      createdAt: listener.createdAt,
      lastUpdatedAt: listener.lastUpdatedAt,
    };
  }

  private ruleOutput(rule: RuleRecord): GetRuleResponse {
    return {
      arn: rule.arn,
      id: rule.id,
      name: rule.name,
      isDefault: rule.isDefault,
      match: deepClone(rule.match),
      priority: rule.priority,
      action: deepClone(rule.action),
      createdAt: rule.createdAt,
      lastUpdatedAt: rule.lastUpdatedAt,
    };
  }

  private requireService(identifier: unknown): ServiceRecord {
    const id = this.validIdentifier('serviceIdentifier', identifier, 'service');
    const service = [...this.services.values()].find((candidate) => candidate.id === id || candidate.arn === id);
    if (service === undefined) throw this.notFound('SERVICE', id, `Service ${id} not found.`);
    return service;
  }

  private requireListener(serviceIdentifier: unknown, listenerIdentifier: unknown): { service: ServiceRecord; listener: ListenerRecord } {
    const service = this.requireService(serviceIdentifier);
    const id = this.validIdentifier('listenerIdentifier', listenerIdentifier, 'listener');
    const listener = [...service.listeners.values()].find((candidate) => candidate.id === id || candidate.arn === id);
    if (listener === undefined) throw this.notFound('LISTENER', id, `Listener ${id} not found in service ${service.id}.`);
    return { service, listener };
  }

  private requireRule(listener: ListenerRecord, field: string, identifier: unknown): RuleRecord {
    const id = this.validIdentifier(field, identifier, 'rule');
    const rule = [listener.defaultRule, ...listener.rules.values()].find((candidate) => candidate.id === id || candidate.arn === id);
    if (rule === undefined) throw this.notFound('RULE', id, `Rule ${id} not found in listener ${listener.id}.`);
    return rule;
  }

  private helperRule(listener: ListenerRecord, ruleIdentifier: string): RuleRecord {
    return ruleIdentifier === DEFAULT_RULE ? listener.defaultRule : this.requireRule(listener, 'ruleIdentifier', ruleIdentifier);
  }

  private requireTargetGroup(field: string, identifier: unknown): TargetGroupRecord {
    const id = this.validIdentifier(field, identifier, 'targetGroup');
    const targetGroup = [...this.targetGroups.values()].find((candidate) => candidate.id === id || candidate.arn === id);
    if (targetGroup === undefined) throw this.notFound('TARGET_GROUP', id, `Target group ${id} not found.`);
    return targetGroup;
  }

  private validIdentifier(field: string, value: unknown, kind: keyof typeof IDENTIFIER): string {
    if (typeof value !== 'string' || !IDENTIFIER[kind].test(value)) {
      throw this.invalid(field, `must be an id or ARN of the form ${IDENTIFIER[kind].source} (got ${JSON.stringify(value) ?? 'nothing'}).`);
    }
    return value;
  }

  /** The id at the end of an id or ARN. */
  private idOf(identifier: string): string {
    return identifier.slice(identifier.lastIndexOf('/') + 1);
  }

  /** ServiceName, ListenerName, RuleName, TargetGroupName: a-z, 0-9 and single inner hyphens, not starting with the id prefix. */
  private validName(field: string, value: unknown, idPrefix: string, maxLength: number): string {
    const pattern = new RegExp(`^(?!${idPrefix}-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+$`);
    if (typeof value !== 'string' || value.length < 3 || value.length > maxLength || !pattern.test(value)) {
      throw this.invalid(
        field,
        `must be 3 to ${maxLength} characters of a-z, 0-9 and hyphens, not starting with "${idPrefix}-", with no hyphen first, last or twice in a row (got ${JSON.stringify(value) ?? 'nothing'}).`,
      );
    }
    return value;
  }

  private validLength(field: string, value: unknown, min: number, max: number): string {
    if (typeof value !== 'string' || value.length < min || value.length > max) {
      throw this.invalid(field, `must be a string of ${min} to ${max} characters.`);
    }
    return value;
  }

  private oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) throw this.invalid(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value) ?? 'nothing'}).`);
    return value as T;
  }

  /** A Smithy union carries exactly one of its members. */
  private unionMember<M extends string>(field: string, value: Record<string, unknown>, members: readonly M[]): M {
    const present = Object.keys(value).filter((key) => value[key] !== undefined && value[key] !== null);
    const [member] = present;
    if (present.length !== 1 || !members.includes(member as M)) {
      throw this.invalid(field, `must set exactly one of ${members.join(', ')} (found ${present.length === 0 ? 'none' : present.join(', ')}).`);
    }
    return member as M;
  }

  private page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
    if (maxResults !== undefined && !isIntegerIn(maxResults, 1, MAX_RESULTS)) {
      throw this.invalid('maxResults', `must be an integer from 1 to ${MAX_RESULTS}.`);
    }
    const start = nextToken === undefined ? 0 : Number(nextToken);
    if (!Number.isInteger(start) || start < 0 || start > items.length) throw this.invalid('nextToken', 'is invalid.');
    const end = start + (maxResults ?? MAX_RESULTS);
    return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
  }

  /** ThrottlingException: "The limit on the number of requests per second was exceeded", with retryAfterSeconds. */
  private admit(operation: string): void {
    const rate = this.rateLimits[operation];
    if (rate === undefined) return;
    const now = this.context.now().getTime();
    const bucket = this.buckets.get(operation) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(operation, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
      throw serviceError('vpc-lattice', ThrottlingException, `Rate exceeded for ${operation} (${rate} requests per second).`, {
        retryAfterSeconds,
        serviceCode: 'vpc-lattice',
      });
    }
    bucket.tokens -= 1;
  }

  /** A new resource's id (the prefix and 17 characters), ARN and timestamps. */
  private identity(prefix: string, arnOf: (id: string) => string): { id: string; arn: string; createdAt: Date; lastUpdatedAt: Date } {
    const id = `${prefix}-${this.context.newId().replace(/-/g, '').slice(0, 17)}`;
    const now = this.context.now();
    return { id, arn: arnOf(id), createdAt: now, lastUpdatedAt: now };
  }

  private arnPrefix(): string {
    return `arn:aws:vpc-lattice:${this.context.region}:${this.context.accountId}:`;
  }

  /** ValidationException: reason fieldValidationFailed, the field in fieldList. */
  private invalid(field: string, message: string): Error {
    return serviceError('vpc-lattice', ValidationException, `${field} ${message}`, {
      reason: 'fieldValidationFailed',
      fieldList: [{ name: field, message }],
    });
  }

  private notFound(resourceType: string, resourceId: string, message: string): Error {
    return serviceError('vpc-lattice', ResourceNotFoundException, message, { resourceId, resourceType });
  }

  private conflict(resourceType: string, resourceId: string, message: string): Error {
    return serviceError('vpc-lattice', ConflictException, message, { resourceId, resourceType });
  }
}
