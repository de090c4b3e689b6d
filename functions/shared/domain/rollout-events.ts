import type { RolloutSubject } from './rollout';
import { mayShiftTraffic, type RolloutPause, type RolloutPhase, rolloutPhases } from './rollout-phase';
import type { WeightedTarget } from './route-spec';
import { providerOf, type TrafficProviderName } from './traffic-provider';

/** EventBridge's `source` of every rollout event: a rule matches meshshift's events by it. */
export const rolloutEventSource = 'meshshift';

/**
 * Each event type and its EventBridge `detail-type`. The order is the order of the events one
 * registry write can make: a resume, then the shift it brings, then a pause, then an end.
 */
export const rolloutEventDetailTypes = {
  started: 'Rollout Started',
  resumed: 'Rollout Resumed',
  'traffic-shifted': 'Rollout Traffic Shifted',
  paused: 'Rollout Paused',
  promoted: 'Rollout Promoted',
  'rolled-back': 'Rollout Rolled Back',
  abandoned: 'Rollout Abandoned',
  'needs-attention': 'Rollout Needs Attention',
} as const;

export type RolloutEventType = keyof typeof rolloutEventDetailTypes;

/** What of a rollout's registry record its events tell; a RolloutRecord is one. */
export interface RolloutState extends RolloutSubject {
  phase: RolloutPhase;
  stepIndex: number;
  canaryWeight: number;
  originalTargets: Record<string, WeightedTarget[]>;
  lastWrittenTargets: Record<string, WeightedTarget[]>;
  pause?: RolloutPause | null;
  outcome?: string;
  updatedAt: string;
}

export interface RouteWeights {
  route: string;
  weights: Array<{ backend: string; weight: number }>;
}

/**
 * The detail of every rollout event, version 1 (docs/EVENTS.md). Within a version fields are only
 * ever added; a field that changes meaning or goes away makes version 2.
 */
export interface RolloutEventDetail {
  version: 1;
  type: RolloutEventType;
  /** The same for every publication of one transition: EventBridge delivers at least once, and so does meshshift. */
  dedupeKey: string;
  rolloutId: string;
  executionArn: string;
  provider: TrafficProviderName;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  deploymentId?: string;
  /** App Mesh only: the mesh the router is in. */
  mesh?: string;
  /** The App Mesh virtual router, or the VPC Lattice service. */
  router: string;
  stable: string;
  canary: string;
  /** Each route's weighted targets as meshshift left them: see `weightsOf`. */
  routes: RouteWeights[];
  /** The schedule's step the rollout is on, from 1; 0 before its first shift. */
  step: number;
  /** The canary's share of the traffic meshshift last wrote, in percent. */
  canaryWeight: number;
  phase: RolloutPhase;
  previousPhase?: RolloutPhase;
  /** Paused only: since when, and until when and what then for a pause that ends by itself. */
  pause?: Omit<RolloutPause, 'taskToken'>;
  /** Rolled back, abandoned and needs attention: why, in words a person reads. */
  cause?: string;
  /**
   * When the registry recorded the transition (for needs attention, when the reconciler gave up),
   * to the millisecond; the envelope's `time` is the same instant to the second.
   */
  occurredAt: string;
}

export interface RolloutEvent {
  detailType: (typeof rolloutEventDetailTypes)[RolloutEventType];
  detail: RolloutEventDetail;
}

/** The phases whose start is an event of its own; any phase added later that ends a rollout belongs here too. */
const eventOnEntering: Partial<Record<RolloutPhase, RolloutEventType>> = {
  [rolloutPhases.promoted]: 'promoted',
  [rolloutPhases.rolledBack]: 'rolled-back',
  [rolloutPhases.abandoned]: 'abandoned',
};

/**
 * The events one registry write makes, from the record before it and after it. `before`
 * undefined means the write created the record. A `before` missing some fields (the writer had
 * not read the record) counts each missing one as changed, so the events it gives are at least
 * those of the write: a transition can be told twice, never not at all, except a resume, which
 * only a known pause can show.
 * @example rolloutEventsOf({ ...record, canaryWeight: 10 }, { ...record, canaryWeight: 25 }) // [traffic-shifted]
 */
export function rolloutEventsOf(before: Partial<RolloutState> | undefined, after: RolloutState): RolloutEvent[] {
  if (!before) return [eventOf('started', after)];
  const types: RolloutEventType[] = [];
  const pauseChanged = before.pause?.since !== after.pause?.since;
  const movesOn = mayShiftTraffic(after.phase);
  if (before.pause && pauseChanged && movesOn) types.push('resumed');
  if (before.canaryWeight !== after.canaryWeight) types.push('traffic-shifted');
  if (after.pause && pauseChanged && movesOn) types.push('paused');
  const entered = before.phase === after.phase ? undefined : eventOnEntering[after.phase];
  if (entered) types.push(entered);
  return types.map((type) => eventOf(type, after, before));
}

/**
 * The event of a rollout the reconciler could not bring to a safe end `at` that pass, with the error it met.
 * @example needsAttentionEvent(record, 'TransientAwsError: UpdateRoute throttled', '2026-11-20T12:31:00.000Z')
 */
export function needsAttentionEvent(record: RolloutState, cause: string, at: string): RolloutEvent {
  const event = eventOf('needs-attention', record);
  return { ...event, detail: { ...event.detail, cause, occurredAt: at } };
}

function eventOf(type: RolloutEventType, after: RolloutState, before?: Partial<RolloutState>): RolloutEvent {
  const provider = providerOf(after);
  const weights = weightsOf(type, after);
  return {
    detailType: rolloutEventDetailTypes[type],
    detail: {
      version: 1,
      type,
      dedupeKey: [after.rolloutId, type, ...dedupeParts(type, after, before)].join('/'),
      rolloutId: after.rolloutId,
      executionArn: after.executionArn,
      provider,
      cluster: after.cluster,
      service: after.service,
      taskDefinitionArn: after.taskDefinitionArn,
      deploymentId: after.deploymentId,
      mesh: provider === 'appmesh' ? after.mesh : undefined,
      router: after.virtualRouter,
      stable: after.stableNode,
      canary: after.canaryNode,
      routes: after.routes.map((route) => ({ route, weights: (weights[route] ?? []).map((target) => ({ backend: target.virtualNode, weight: target.weight })) })),
      step: after.stepIndex + 1,
      canaryWeight: after.canaryWeight,
      phase: after.phase,
      previousPhase: before?.phase === after.phase ? undefined : before?.phase,
      pause: type === 'paused' && after.pause ? { since: after.pause.since, until: after.pause.until, then: after.pause.then } : undefined,
      cause: causeOf(type, after),
      occurredAt: after.updatedAt,
    },
  };
}

/**
 * The routes as meshshift left them: as it found them when it starts, as it restored them when it
 * rolls back (a route a person rewrote is left as they wrote it), otherwise as it last wrote them
 * (an abandoned rollout's routes hold the person's edit instead).
 */
function weightsOf(type: RolloutEventType, after: RolloutState): Record<string, WeightedTarget[]> {
  return type === 'started' || type === 'rolled-back' ? after.originalTargets : after.lastWrittenTargets;
}

function causeOf(type: RolloutEventType, after: RolloutState): string | undefined {
  return type === 'rolled-back' || type === 'abandoned' ? after.outcome : undefined;
}

/** What tells one transition of a type from the next: a rollout starts and ends once, shifts once per step and weight, pauses once per pause. */
function dedupeParts(type: RolloutEventType, after: RolloutState, before?: Partial<RolloutState>): string[] {
  switch (type) {
    case 'traffic-shifted':
      return [String(after.stepIndex + 1), String(after.canaryWeight)];
    case 'paused':
      return [after.pause?.since ?? ''];
    case 'resumed':
      return [before?.pause?.since ?? ''];
    // The reconciler tries every minute; the record stays as it is while nothing it tries lands.
    case 'needs-attention':
      return [after.updatedAt];
    default:
      return [];
  }
}
