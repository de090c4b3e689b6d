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
 *   metadata.version to tell a person's edit apart; here writeRoute reads the rule again right
 *   before it writes and refuses (RouteEditedError, I5) if its target groups or lastUpdatedAt are
 *   not what the reading held. A change landing between that read and the write goes unseen:
 *   without a conditional write no client can close that window.
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
  UpdateListenerCommand,
  UpdateRuleCommand,
  type VPCLatticeClient,
  type WeightedTargetGroup,
} from '@aws-sdk/client-vpc-lattice';
import { InvalidInputError, ResourceMissingError, RouteEditedError, TransientAwsError } from '../domain/errors';
import { assertLatticeWeights } from '../domain/lattice-weights';
import { sameTargets, type WeightedTarget } from '../domain/route-spec';
import type { BackendRef, RouteReading, RouteRef, TrafficRouter } from '../ports/traffic-router';
import { callAws, errorName } from './aws-error';

/** The rule part of a route that names the listener's default action. */
export const defaultRule = 'default';

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
   * Writes `targets` as the forward action's target groups, everything else as read (I1). Like
   * the App Mesh router, it checks every write against the provider's own rules and nothing
   * stricter (I2), so a snapshot restored as Lattice returned it always passes.
   */
  async writeRoute(ref: RouteRef, reading: RouteReading, targets: WeightedTarget[]): Promise<void> {
    assertLatticeWeights(targets);
    const route = latticeRouteOf(ref);
    const handle = reading.handle as LatticeHandle;
    const change = changeSince(handle, await this.readRule(route));
    if (change) {
      throw new RouteEditedError(
        `The ${routeName(route)} changed since meshshift read it: ${change}. Nothing was written. (Lattice has no version token, as App Mesh's metadata.version was; meshshift compares target groups and lastUpdatedAt just before writing.)`,
      );
    }
    const targetGroups: WeightedTargetGroup[] = targets.map((target) => ({ targetGroupIdentifier: target.virtualNode, weight: target.weight }));
    const action: RuleAction = { forward: { ...actionOf(handle)?.forward, targetGroups } };
    const { serviceIdentifier, listenerIdentifier, ruleIdentifier } = route;
    if (handle.kind === 'default') {
      await this.call(`UpdateListener ${routeName(route)}`, () => this.client.send(new UpdateListenerCommand({ serviceIdentifier, listenerIdentifier, defaultAction: action })));
      return;
    }
    const { match, priority } = handle.response;
    await this.call(`UpdateRule ${routeName(route)}`, () =>
      this.client.send(new UpdateRuleCommand({ serviceIdentifier, listenerIdentifier, ruleIdentifier, match, priority, action })),
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
