/**
 * VPC Lattice listener rules and target groups as a TrafficRouter (issue 10), the successor of
 * AppMeshTrafficRouter.
 *
 * References. The port still speaks App Mesh (a later step makes references provider-tagged);
 * for Lattice they mean, and `latticeRouteOf` alone reads them:
 * - `RouteRef.mesh` and `meshOwner`: unused. A Lattice service is named by id, or by ARN when shared.
 * - `RouteRef.virtualRouter`: the Lattice service identifier (`svc-…` or its ARN).
 * - `RouteRef.route`: `<listenerIdentifier>/<ruleIdentifier>`, or `<listenerIdentifier>/default`
 *   for the listener's default action; each identifier an id or an ARN.
 * - `WeightedTarget.virtualNode` and `BackendRef.node`: the target group identifier (`tg-…` or
 *   its ARN). `WeightedTarget.port` means nothing to Lattice and is not written.
 *
 * What this relies on, from the API model (aws-sdk-js-v3,
 * codegen/sdk-codegen/aws-models/vpc-lattice.json; shape names in brackets):
 * - A rule's action is a union, forward or fixedResponse [RuleAction]; a forward action has one
 *   member, targetGroups [ForwardAction], 1 to 10 of them [WeightedTargetGroupList, length 1..10],
 *   each a targetGroupIdentifier and an integer weight 0..999 [WeightedTargetGroup, TargetGroupWeight].
 *   The weight is "only required if you specify multiple target groups"; a lone one defaults to
 *   100 [WeightedTargetGroup.weight documentation], which is what a read without a weight reports.
 * - UpdateRule requires only the three identifiers; match, priority and action are all optional
 *   [UpdateRuleRequest]. The model does not say an omitted member is kept (the operation is a PATCH,
 *   which suggests it, but nothing promises it), so every write sends match and priority exactly
 *   as GetRule returned them [GetRuleResponse], with the action's target groups replaced (I1).
 * - UpdateRule cannot change a default rule: "To modify a default listener rule, use
 *   UpdateListener" [UpdateRule documentation]. UpdateListener takes the identifiers and a required
 *   defaultAction and nothing else [UpdateListenerRequest], so no other listener field can change.
 * - No version token: GetRule and GetListener return lastUpdatedAt [GetRuleResponse,
 *   GetListenerResponse], no etag, and no update takes a condition. App Mesh's UpdateRoute had
 *   metadata.version to tell a person's edit apart; here writeRoutes reads every rule again right
 *   before it writes any and refuses (RouteEditedError, I5) if one's target groups or lastUpdatedAt
 *   are not what the reading held. A change landing between that read and the write goes unseen:
 *   without a conditional write no client can close that window.
 * - BatchUpdateRule updates 1 to 5 rules of one listener [BatchUpdateRuleRequest, RuleUpdateList
 *   length 1..5], each a RuleUpdate with the same optional match, priority and action as
 *   UpdateRule [RuleUpdate]; it needs the vpc-lattice:UpdateRule permission [BatchUpdateRule
 *   documentation]. It is not atomic: the response lists the rules it updated [successful,
 *   RuleUpdateSuccess] and those it could not, each with a ruleIdentifier, failureCode and
 *   failureMessage [unsuccessful, RuleUpdateFailure]. It throws the same ConflictException and
 *   ThrottlingException as UpdateRule [BatchUpdateRule errors]. Default actions are not rules it
 *   can change, so each goes through UpdateListener.
 * - ConflictException (409): "the request conflicts with the current state of the resource";
 *   UpdateRule and UpdateListener list it, the reads do not [ConflictException]. It becomes
 *   TransientAwsError: the retry runs the whole task again, which reads the route and decides
 *   afresh (I5 included), so retrying never writes over what caused the conflict unseen.
 * - ThrottlingException (429, retryable, throttling) carries retryAfterSeconds from Retry-After
 *   [ThrottlingException]; aws-error.ts already makes it TransientAwsError, and the message here
 *   says how long Lattice asked to wait. InternalServerException (500) is retryable too.
 * - ResourceNotFoundException (404, resourceId, resourceType) becomes ResourceMissingError naming
 *   the rule, listener, service or target group [ResourceNotFoundException].
 * - ValidationException (400, reason, fieldList) passes through unchanged [ValidationException]:
 *   the weights were checked against the rules above before sending, so one means a rule we do
 *   not know of, and a person should read it.
 * - A target group's serviceArns are Lattice service ARNs (`…:service/svc-…`), not ECS services
 *   [GetTargetGroupResponse.serviceArns, ServiceArnList, ServiceArn], and its config has no ECS
 *   field [TargetGroupConfig]: nothing in Lattice says which ECS service registers into it.
 * - Tags come as a key → value map [ListTagsForResourceResponse.tags, TagMap].
 */
import {
  BatchUpdateRuleCommand,
  GetListenerCommand,
  type GetListenerResponse,
  GetRuleCommand,
  type GetRuleResponse,
  GetTargetGroupCommand,
  type GetTargetGroupResponse,
  ListListenersCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  type RuleAction,
  type RuleUpdate,
  UpdateListenerCommand,
  UpdateRuleCommand,
  type VPCLatticeClient,
  type WeightedTargetGroup,
} from '@aws-sdk/client-vpc-lattice';
import { InvalidInputError, ResourceMissingError, RouteEditedError, TransientAwsError } from '../domain/errors';
import { assertLatticeWeights } from '../domain/lattice-weights';
import { sameTargets, type WeightedTarget } from '../domain/route-spec';
import type { BackendRef, RouteReading, RouteRef, RouteWrite, TrafficRouter } from '../ports/traffic-router';
import { callAws, errorName } from './aws-error';

/** The rule part of a route that names the listener's default action. */
export const defaultRule = 'default';

/** RuleUpdateList: at most 5 rules per BatchUpdateRule. */
const maxRulesPerBatch = 5;

/** A listener rule, or a listener's default action, as Lattice identifies it. */
export interface LatticeRoute {
  serviceIdentifier: string;
  listenerIdentifier: string;
  /** A rule id or ARN, or `default`. */
  ruleIdentifier: string;
}

/**
 * Reads a port RouteRef as a Lattice rule (see the top of this file). The listener ends at its
 * first `/` when it is an id, and after `/listener/listener-…` when it is an ARN, so a rule ARN
 * may follow either.
 * @example latticeRouteOf({ mesh: '', virtualRouter: 'svc-0123456789abcdef0', route: 'listener-0123456789abcdef0/default' })
 */
export function latticeRouteOf(ref: RouteRef): LatticeRoute {
  const pattern = ref.route.startsWith('arn:') ? /^(arn:[^/]*\/[^/]+\/listener\/[^/]+)\/(.+)$/ : /^([^/]+)\/(.+)$/;
  const parts = pattern.exec(ref.route);
  if (!ref.virtualRouter || !parts?.[1] || !parts[2]) {
    throw new InvalidInputError(
      `Lattice route "${ref.route}" of service "${ref.virtualRouter}" is not "<listener id or ARN>/<rule id or ARN>" or "<listener id or ARN>/${defaultRule}" with a service id or ARN`,
    );
  }
  return { serviceIdentifier: ref.virtualRouter, listenerIdentifier: parts[1], ruleIdentifier: parts[2] };
}

/** What GetRule or GetListener returned, less the SDK's $metadata: written back but for the target groups (I1). */
type LatticeHandle = { kind: 'rule'; response: GetRuleResponse } | { kind: 'default'; response: GetListenerResponse };

/** One route's write as Lattice takes it: the reading's action with the new target groups. */
interface LatticeUpdate {
  route: LatticeRoute;
  handle: LatticeHandle;
  action: RuleAction;
}

/** A RuleUpdate, whose rule the SDK types leave optional, with its rule named. */
type NamedRuleUpdate = RuleUpdate & { ruleIdentifier: string };

/** A listener as Lattice identifies it: what one BatchUpdateRule's rules share. */
type LatticeListener = Pick<LatticeRoute, 'serviceIdentifier' | 'listenerIdentifier'>;

/** Each listener's updates, in the order of its first. */
function byListener(updates: LatticeUpdate[]): Map<LatticeListener, LatticeUpdate[]> {
  const groups = new Map<string, { listener: LatticeListener; updates: LatticeUpdate[] }>();
  for (const update of updates) {
    const { serviceIdentifier, listenerIdentifier } = update.route;
    const key = `${serviceIdentifier} ${listenerIdentifier}`;
    const group = groups.get(key) ?? { listener: { serviceIdentifier, listenerIdentifier }, updates: [] };
    group.updates.push(update);
    groups.set(key, group);
  }
  return new Map([...groups.values()].map((group) => [group.listener, group.updates]));
}

function routeName({ serviceIdentifier, listenerIdentifier, ruleIdentifier }: LatticeRoute): string {
  const what = ruleIdentifier === defaultRule ? 'default action' : `rule ${ruleIdentifier}`;
  return `${what} of listener ${listenerIdentifier} of Lattice service ${serviceIdentifier}`;
}

function actionOf(handle: LatticeHandle): RuleAction | undefined {
  return handle.kind === 'rule' ? handle.response.action : handle.response.defaultAction;
}

/** The forward action's target groups as port targets, or undefined for a fixed response. */
function targetsOf(handle: LatticeHandle): WeightedTarget[] | undefined {
  const groups = actionOf(handle)?.forward?.targetGroups;
  return groups?.map((group) => ({ virtualNode: group.targetGroupIdentifier ?? '', weight: group.weight ?? 100 }));
}

function timeOf(value: Date | string | undefined): string {
  return value === undefined ? 'unset' : new Date(value).toISOString();
}

function describeTargets(targets: WeightedTarget[] | undefined): string {
  if (!targets) return '(no forward action)';
  return targets.map((target) => `${target.virtualNode}=${target.weight}`).join(', ');
}

/** Why the rule as it is now is not the rule as read (I5), or undefined when it is the same. */
function changeSince(read: LatticeHandle, now: LatticeHandle): string | undefined {
  const before = targetsOf(read) ?? [];
  const after = targetsOf(now);
  if (!after || !sameTargets(before, after)) return `its target groups went from ${describeTargets(before)} to ${describeTargets(after)}`;
  const [readAt, nowAt] = [timeOf(read.response.lastUpdatedAt), timeOf(now.response.lastUpdatedAt)];
  if (readAt !== nowAt) return `its lastUpdatedAt went from ${readAt} to ${nowAt}, so something else in it changed`;
  return undefined;
}

/** ConflictException becomes retryable, and a throttle says how long Lattice asked to wait. */
function latticeError(description: string, error: unknown): unknown {
  if (errorName(error) === 'ConflictException') {
    return new TransientAwsError(`${description} conflicted with a change in progress (ConflictException); safe to retry, which reads the route again first`, { cause: error });
  }
  const retryAfter = error instanceof TransientAwsError ? (error.cause as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds : undefined;
  if (retryAfter === undefined) return error;
  return new TransientAwsError(`${(error as Error).message}; Lattice asked to wait ${retryAfter} s`, { cause: (error as Error).cause });
}

/** VPC Lattice listener rules and target groups as a TrafficRouter. */
export class VpcLatticeTrafficRouter implements TrafficRouter {
  constructor(private readonly client: VPCLatticeClient) {}

  async readRoute(ref: RouteRef): Promise<RouteReading> {
    const route = latticeRouteOf(ref);
    const handle = await this.readRule(route);
    const targets = targetsOf(handle);
    if (!targets) {
      const status = actionOf(handle)?.fixedResponse?.statusCode;
      const has = status === undefined ? 'has no action' : `returns a fixed response (HTTP ${status})`;
      throw new ResourceMissingError(`The ${routeName(route)} ${has}, not a forward action: meshshift shifts only the target-group weights of a forward action`);
    }
    return { targets, handle };
  }

  /**
   * Writes each route's `targets` as its forward action's target groups, everything else as read
   * (I1). Like the App Mesh router, it checks every write against the provider's own rules and
   * nothing stricter (I2), so a snapshot restored as Lattice returned it always passes. Every
   * rule is read again before any is written (I5), then each listener's rules go out together:
   * several in BatchUpdateRule calls, a lone one in UpdateRule, a default action in UpdateListener.
   * A batch that updates only some rules leaves those written and, once every listener had its
   * turn, throws TransientAwsError naming the others: the retry reads every route again, and a
   * rule that landed then equals its desired targets, so only the others are written. Any failure
   * code counts as retryable here, since that re-read sorts them: a rule deleted meanwhile fails
   * the read as ResourceMissingError, and one a retry cannot fix uses up the task's retries.
   */
  async writeRoutes(writes: RouteWrite[]): Promise<void> {
    for (const { targets } of writes) assertLatticeWeights(targets);
    const updates: LatticeUpdate[] = [];
    for (const write of writes) updates.push(await this.unchangedSinceRead(write));
    const failures: string[] = [];
    for (const [listener, ofListener] of byListener(updates)) failures.push(...(await this.writeListener(listener, ofListener)));
    if (failures.length > 0) {
      throw new TransientAwsError(
        `BatchUpdateRule did not update ${failures.join('; ')}. The other rules were written; safe to retry, which reads every route again and writes only what still differs`,
      );
    }
  }

  /** The write as Lattice takes it, once the route is found just as it was read (I5). */
  private async unchangedSinceRead({ route: ref, reading, targets }: RouteWrite): Promise<LatticeUpdate> {
    const route = latticeRouteOf(ref);
    const handle = reading.handle as LatticeHandle;
    const change = changeSince(handle, await this.readRule(route));
    if (change) {
      throw new RouteEditedError(
        `The ${routeName(route)} changed since meshshift read it: ${change}. Nothing was written. (Lattice has no version token, as App Mesh's metadata.version was; meshshift compares target groups and lastUpdatedAt just before writing.)`,
      );
    }
    const targetGroups: WeightedTargetGroup[] = targets.map((target) => ({ targetGroupIdentifier: target.virtualNode, weight: target.weight }));
    return { route, handle, action: { forward: { ...actionOf(handle)?.forward, targetGroups } } };
  }

  /** Writes one listener's updates; returns each rule a batch could not update, with Lattice's reason. */
  private async writeListener(listener: LatticeListener, updates: LatticeUpdate[]): Promise<string[]> {
    const rules: NamedRuleUpdate[] = [];
    for (const { route, handle, action } of updates) {
      if (handle.kind === 'default') {
        await this.call(`UpdateListener ${routeName(route)}`, () => this.client.send(new UpdateListenerCommand({ ...listener, defaultAction: action })));
      } else {
        rules.push({ ruleIdentifier: route.ruleIdentifier, match: handle.response.match, priority: handle.response.priority, action });
      }
    }
    // A lone rule has nothing to move in lockstep with, and UpdateRule throws its failure as the
    // SDK error itself (ValidationException passes through) instead of a failure entry.
    const [lone] = rules;
    if (rules.length === 1 && lone) {
      await this.call(`UpdateRule ${routeName({ ...listener, ruleIdentifier: lone.ruleIdentifier })}`, () => this.client.send(new UpdateRuleCommand({ ...listener, ...lone })));
      return [];
    }
    const failures: string[] = [];
    for (let start = 0; start < rules.length; start += maxRulesPerBatch) failures.push(...(await this.updateRules(listener, rules.slice(start, start + maxRulesPerBatch))));
    return failures;
  }

  /** One BatchUpdateRule; returns the rules it did not update, each with Lattice's reason. */
  private async updateRules(listener: LatticeListener, rules: NamedRuleUpdate[]): Promise<string[]> {
    const names = rules.map((rule) => rule.ruleIdentifier).join(', ');
    const output = await this.call(`BatchUpdateRule of rules ${names} of listener ${listener.listenerIdentifier} of Lattice service ${listener.serviceIdentifier}`, () =>
      this.client.send(new BatchUpdateRuleCommand({ ...listener, rules })),
    );
    return (output.unsuccessful ?? []).map(
      ({ ruleIdentifier = '(unnamed)', failureCode = 'no failure code', failureMessage = 'no message' }) =>
        `${routeName({ ...listener, ruleIdentifier })} (${failureCode}: ${failureMessage})`,
    );
  }

  /** The service's tags, then the rule's (the listener's for a default action), which win. */
  async routeTags(ref: RouteRef): Promise<Record<string, string>> {
    const route = latticeRouteOf(ref);
    const handle = await this.readRule(route);
    const routeArn = handle.response.arn;
    const serviceArn = handle.kind === 'default' ? handle.response.serviceArn : routeArn?.replace(/\/listener\/.*$/, '');
    if (!routeArn || !serviceArn) throw new ResourceMissingError(`Lattice returned no ARN for the ${routeName(route)}`);
    const tags: Record<string, string> = {};
    for (const resourceArn of [serviceArn, routeArn]) {
      const output = await this.call(`ListTagsForResource ${resourceArn}`, () => this.client.send(new ListTagsForResourceCommand({ resourceArn })));
      Object.assign(tags, output.tags);
    }
    return tags;
  }

  async backendExists(backend: BackendRef): Promise<boolean> {
    return (await this.targetGroup(backend.node)) !== undefined;
  }

  /** Lattice target groups are made ahead of time with the ECS service; meshshift never creates one. */
  async createCanaryBackend(input: Parameters<TrafficRouter['createCanaryBackend']>[0]): Promise<void> {
    if (await this.targetGroup(input.canaryNode)) return;
    throw new ResourceMissingError(
      `Lattice target group ${input.canaryNode} for canary service ${input.canaryService} does not exist. meshshift never creates target groups: they come from the ECS service's vpcLatticeConfigurations, so create it ahead of time and attach it to ${input.canaryService} there`,
    );
  }

  /**
   * Always undefined: Lattice does not say which ECS service registers into a target group. A
   * target group's serviceArns name Lattice services, and its config has no ECS field (see the
   * top of this file). Only ECS knows, in each service's vpcLatticeConfigurations.
   */
  async serviceOfBackend(_backend: BackendRef): Promise<string | undefined> {
    return undefined;
  }

  /**
   * Never deletes: target groups belong to the ECS services, not to meshshift. 'still-referenced'
   * when a listener rule or default action of a Lattice service the target group serves still
   * forwards to it; otherwise 'already-gone', meaning no route uses it and there is nothing for
   * meshshift to delete, even though the target group itself stays. The port has no 'kept'.
   */
  async retireBackend(backend: BackendRef): Promise<'deleted' | 'already-gone' | 'still-referenced'> {
    const group = await this.targetGroup(backend.node);
    if (!group) return 'already-gone';
    const names = new Set([backend.node, group.id, group.arn].filter((name): name is string => Boolean(name)));
    for (const serviceIdentifier of group.serviceArns ?? []) {
      if (await this.serviceForwardsTo(serviceIdentifier, names)) return 'still-referenced';
    }
    return 'already-gone';
  }

  /** Whether any listener of the service forwards, by default or by a rule, to a target group named in `names`. */
  private async serviceForwardsTo(serviceIdentifier: string, names: Set<string>): Promise<boolean> {
    const listeners = await this.listAll(`ListListeners of Lattice service ${serviceIdentifier}`, (nextToken) =>
      this.client.send(new ListListenersCommand({ serviceIdentifier, nextToken })),
    );
    for (const listener of listeners) {
      const listenerIdentifier = listener.id ?? listener.arn ?? '';
      const rules = await this.listAll(`ListRules of listener ${listenerIdentifier}`, (nextToken) =>
        this.client.send(new ListRulesCommand({ serviceIdentifier, listenerIdentifier, nextToken })),
      );
      const ruleIdentifiers = [defaultRule, ...rules.filter((rule) => !rule.isDefault).map((rule) => rule.id ?? rule.arn ?? '')];
      for (const ruleIdentifier of ruleIdentifiers) {
        const targets = targetsOf(await this.readRule({ serviceIdentifier, listenerIdentifier, ruleIdentifier })) ?? [];
        if (targets.some((target) => names.has(target.virtualNode))) return true;
      }
    }
    return false;
  }

  private async readRule(route: LatticeRoute): Promise<LatticeHandle> {
    const { serviceIdentifier, listenerIdentifier, ruleIdentifier } = route;
    if (ruleIdentifier === defaultRule) {
      const { $metadata: _metadata, ...response } = await this.call(`GetListener for the ${routeName(route)}`, () =>
        this.client.send(new GetListenerCommand({ serviceIdentifier, listenerIdentifier })),
      );
      return { kind: 'default', response };
    }
    const { $metadata: _metadata, ...response } = await this.call(`GetRule ${routeName(route)}`, () =>
      this.client.send(new GetRuleCommand({ serviceIdentifier, listenerIdentifier, ruleIdentifier })),
    );
    return { kind: 'rule', response };
  }

  private async targetGroup(targetGroupIdentifier: string): Promise<GetTargetGroupResponse | undefined> {
    try {
      return await this.call(`GetTargetGroup ${targetGroupIdentifier}`, () => this.client.send(new GetTargetGroupCommand({ targetGroupIdentifier })), []);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  private async listAll<T>(description: string, page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
      const output = await this.call(description, () => page(nextToken));
      items.push(...(output.items ?? []));
      nextToken = output.nextToken;
    } while (nextToken);
    return items;
  }

  /** One Lattice call through callAws, with Lattice's own errors named as the state machine expects. */
  private async call<T>(description: string, send: () => Promise<T>, notFound = ['ResourceNotFoundException']): Promise<T> {
    try {
      return await callAws(description, send, notFound);
    } catch (error) {
      throw latticeError(description, error);
    }
  }
}
