import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { PolicyDocument } from '../functions/shared/domain/policy';

import { sameTargets, type WeightedTarget } from '../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../functions/shared/domain/traffic-split';
import { colorApp, defaultColorAppPolicy, registerCanaryTaskDefinition, seedColorApp } from './color-app';
import { DataPlane, type SignalModel } from './data-plane';
import { LocalStack } from './local-stack';
import type { SimulatedCall } from './simulated-aws';
import type { VersionProfile } from './traffic-model';

export type Outcome = 'promoted' | 'rolled back' | 'abandoned' | 'not started' | 'unfinished';

export type TimelineKind = 'deployment' | 'state' | 'verdict' | 'write' | 'restore' | 'weights' | 'alarm' | 'traffic' | 'person' | 'outcome';

export interface TimelineEntry {
  /** Simulated seconds since the scenario began, to the millisecond. */
  at: number;
  kind: TimelineKind;
  message: string;
  canaryWeight?: number;
  requests?: number;
  errors?: number;
}

export interface RouteWrite {
  at: number;
  /** The function that wrote, or `person`. */
  by: string;
  canaryWeight: number;
  targets: WeightedTarget[];
}

export interface HealthVerdictEntry {
  at: number;
  verdict: 'advance' | 'hold' | 'promote' | 'roll back';
  canaryWeight: number;
  reason?: string;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  seed: number;
  rolloutId: string;
  expected: Outcome;
  outcome: Outcome;
  executionStatus: string;
  error?: string;
  cause?: string;
  simulatedSeconds: number;
  requests: { served: number; failed: number; failedOnCanary: number };
  stateTransitions: number;
  retries: number;
  /** Every weight written to the route, by whom, in order. */
  writes: RouteWrite[];
  verdicts: HealthVerdictEntry[];
  awsCalls: { total: number; byOperation: Record<string, number> };
  finalRoute: WeightedTarget[];
  /** What is left once it ended: a safe end leaves no active rollout, no lease and no running execution. */
  endState: { activeRollouts: number; heldLeases: number; runningExecutions: number };
  timeline: TimelineEntry[];
  /** Per simulated second: canary weight users saw, requests and failures (all, and on the canary). */
  series: Array<{ at: number; canaryWeight: number; requests: number; errors: number; canaryErrors: number }>;
}

interface ScenarioContext {
  stack: LocalStack;
  note: (kind: TimelineKind, message: string, extra?: Partial<TimelineEntry>) => void;
}

interface ScenarioDefinition {
  description: string;
  expected: Outcome;
  canary: VersionProfile;
  policy?: PolicyDocument;
  deployment: { afterSeconds: number; result: 'complete' | 'fail' };
  arrange?: (context: ScenarioContext) => void;
}

const stableProfile: VersionProfile = { errorRate: 0.002, latencyMs: 40 };
const throttledOperations = ['DescribeRoute', 'UpdateRoute', 'DescribeVirtualNode', 'CreateVirtualNode', 'DescribeAlarms', 'DescribeServices', 'DescribeTaskDefinition', 'GetParameter'];

function writtenTargets(call: SimulatedCall): WeightedTarget[] | undefined {
  if (call.operation !== 'UpdateRoute' || call.outcome !== 'ok') return undefined;
  return (call.input as { spec?: { httpRoute?: { action?: { weightedTargets?: WeightedTarget[] } } } }).spec?.httpRoute?.action?.weightedTargets;
}

export const scenarios: Record<string, ScenarioDefinition> = {
  healthy: {
    description: 'A healthy canary walks 10 → 25 → 50 → 100 % and is promoted; the stable version is retired.',
    expected: 'promoted',
    canary: { errorRate: 0.002, latencyMs: 38 },
    deployment: { afterSeconds: 30, result: 'complete' },
  },
  'bad-canary': {
    description: 'The canary fails 20 % of its requests: its alarm fires after one 10 s period and the route is restored at once.',
    expected: 'rolled back',
    canary: { errorRate: 0.2, latencyMs: 45 },
    deployment: { afterSeconds: 30, result: 'complete' },
  },
  'deployment-fails': {
    description: 'The canary tasks never start: the ECS deployment fails and the rollout ends before any traffic moved.',
    expected: 'rolled back',
    canary: { errorRate: 0, latencyMs: 40 },
    deployment: { afterSeconds: 45, result: 'fail' },
  },
  'manual-edit': {
    description: 'A person edits the route 20 s into the 25 % bake: meshshift stops with a clear error and leaves their edit in place.',
    expected: 'abandoned',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    arrange: ({ stack, note }) => {
      let edited = false;
      stack.sim.onCall((call) => {
        if (edited || canaryWeightOf(writtenTargets(call) ?? [], colorApp.canaryNode) !== 25) return;
        edited = true;
        const edit = [
          { virtualNode: colorApp.stableNode, weight: 60, port: 9080 },
          { virtualNode: colorApp.canaryNode, weight: 40, port: 9080 },
        ];
        stack.clock.setTimeout(() => {
          stack.sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, colorApp.route, edit);
          note('person', 'a person sets the route to colorteller-v1 60 % / colorteller-v2 40 % in the console', { canaryWeight: 40 });
        }, 20_000);
      });
    },
  },
  'throttling-storm': {
    description: 'App Mesh, ECS, CloudWatch and SSM throttle: every call fails three times before it works; retries carry the rollout to promotion.',
    expected: 'promoted',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    arrange: ({ stack, note }) => {
      stack.sim.onCall((call) => {
        if (call.operation === 'UpdateRoute') for (const operation of ['DescribeRoute', 'UpdateRoute']) stack.sim.injectFault({ operation, times: 3 });
      });
      for (const operation of throttledOperations) stack.sim.injectFault({ operation, times: 3 });
      note('person', `throttling injected: ${throttledOperations.join(', ')} each fail 3 times, again after every weight change`);
    },
  },
};

export interface ScenarioSettings {
  /** Seeds latencies, delivery delays and retry jitter: the same seed gives the same report. */
  seed?: number;
  requestsPerSecond?: number;
  signal?: Partial<SignalModel>;
  /** When the canary's ECS deployment ends, instead of the scenario's own time. */
  deploymentSettlesAfterSeconds?: number;
  onTimeline?: (entry: TimelineEntry) => void;
  /** Called once the app is seeded, before the deployment: where a harness arms its faults. */
  prepare?: (stack: LocalStack) => void;
  /**
   * Keep the stack running after the execution ends (or never starts) until this many
   * simulated seconds after the scenario began, so the reconciler can converge what a fault left.
   */
  runUntilSecond?: (stack: LocalStack) => number;
  /** Called at the very end, before the stack stops: where a harness reads what it needs. */
  inspect?: (stack: LocalStack) => void;
}

function phaseOutcome(phase: string | undefined): Outcome {
  switch (phase) {
    case 'PROMOTED':
      return 'promoted';
    case 'ROLLED_BACK':
      return 'rolled back';
    case 'ABANDONED':
      return 'abandoned';
    case undefined:
      return 'not started';
    default:
      return 'unfinished';
  }
}

const describeTargets = (targets: WeightedTarget[]) => targets.map((target) => `${target.virtualNode} ${target.weight}`).join(' / ');
const roundedSeconds = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * Runs one scenario on the local stack's simulated clock: traffic through the route's real
 * weights as Envoy applies them, alarms evaluated like CloudWatch, events to the real
 * handlers. Deterministic: the same scenario and seed give the same report on any machine.
 */
export async function runScenario(name: string, settings: ScenarioSettings = {}): Promise<ScenarioReport> {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`Unknown scenario "${name}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  const seed = settings.seed ?? 1;
  const policy = scenario.policy ?? defaultColorAppPolicy;

  const stack = await LocalStack.start({ seed });
  await seedColorApp(stack.sim, { policy });
  const canaryTaskDefinition = await registerCanaryTaskDefinition(stack.sim);
  const callsBefore = stack.sim.calls.length;
  const startedAt = stack.clock.now();
  const now = () => roundedSeconds((stack.clock.now() - startedAt) / 1000);

  const timeline: TimelineEntry[] = [];
  const note = (kind: TimelineKind, message: string, extra: Partial<TimelineEntry> = {}) => {
    const entry = { at: now(), kind, message, ...extra };
    timeline.push(entry);
    settings.onTimeline?.(entry);
  };
  const writes: RouteWrite[] = [];
  const verdicts: HealthVerdictEntry[] = [];
  const series: ScenarioReport['series'] = [];
  const totals = { served: 0, failed: 0, failedOnCanary: 0 };
  let sinceReport = { requests: 0, errors: 0 };
  let lastSeenWeight = 0;
  let lastWrittenWeight = 0;
  const original = (stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[];

  scenario.arrange?.({ stack, note });
  settings.prepare?.(stack);
  stack.sim.onCall((call) => {
    const targets = writtenTargets(call);
    if (!targets) return;
    const canaryWeight = canaryWeightOf(targets, colorApp.canaryNode);
    const by = call.caller ?? 'someone';
    writes.push({ at: now(), by, canaryWeight, targets });
    if (sameTargets(targets, original) && lastWrittenWeight > 0) note('restore', `${by} restored the route to its original targets (${describeTargets(targets)})`, { canaryWeight });
    else note('write', `${by} wrote ${describeTargets(targets)}`, { canaryWeight });
    lastWrittenWeight = canaryWeight;
  });
  stack.sim.onEvent((event) => {
    if (event['detail-type'] !== 'CloudWatch Alarm State Change') return;
    const detail = event.detail as { alarmName: string; state: { value: string; reason: string } };
    note('alarm', `alarm ${detail.alarmName} → ${detail.state.value}: ${detail.state.reason}`);
  });

  const dataPlane = new DataPlane(stack.sim, stack.clock, {
    routes: [{ mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter, route: colorApp.route }],
    requestsPerSecond: settings.requestsPerSecond ?? 100,
    profiles: { [colorApp.stableNode]: stableProfile, [colorApp.canaryNode]: scenario.canary },
    signal: settings.signal,
    onSecond: (second) => {
      const applied = Object.values(second.applied)[0] ?? [];
      const canaryWeight = canaryWeightOf(applied, colorApp.canaryNode);
      const canary = second.byNode[colorApp.canaryNode] ?? { requests: 0, errors: 0 };
      totals.served += second.requests;
      totals.failed += second.errors;
      totals.failedOnCanary += canary.errors;
      sinceReport = { requests: sinceReport.requests + second.requests, errors: sinceReport.errors + second.errors };
      series.push({ at: second.at, canaryWeight, requests: second.requests, errors: second.errors, canaryErrors: canary.errors });
      if (canaryWeight !== lastSeenWeight) {
        note('weights', `users now see ${colorApp.canaryNode} at ${canaryWeight} %`, { canaryWeight });
        lastSeenWeight = canaryWeight;
      }
      if (second.at % 30 === 0) {
        note('traffic', `${sinceReport.requests} requests, ${sinceReport.errors} failed in the last 30 s`, { ...sinceReport, canaryWeight });
        sinceReport = { requests: 0, errors: 0 };
      }
    },
  });
  dataPlane.start();

  const deploymentId = await stack.deploy(canaryTaskDefinition);
  const rolloutId = executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);
  note('deployment', `ECS deployment ${deploymentId} of ${canaryTaskDefinition.split('/').pop()} in progress`);
  stack.clock.setTimeout(() => {
    if (scenario.deployment.result === 'complete') {
      stack.sim.ecs.completeDeployment(deploymentId);
      note('deployment', `ECS deployment ${deploymentId} completed: canary tasks are up`);
    } else {
      stack.sim.ecs.failDeployment(deploymentId, 'ECS deployment circuit breaker: tasks failed to start.');
      note('deployment', `ECS deployment ${deploymentId} failed: tasks failed to start`);
    }
  }, (settings.deploymentSettlesAfterSeconds ?? scenario.deployment.afterSeconds) * 1000);
  stack.stepFunctions.onEvent((execution, event) => {
    if (execution.name !== rolloutId || !event.state) return;
    const state = event.state.name;
    if (event.type === 'StateEntered' && event.state.type !== 'Choice') note('state', `state "${state}"`);
    if (event.type === 'StateRetried') note('state', `retry "${state}"`);
    if (state !== 'Check health') return;
    if (event.type === 'StateExited') {
      const rollout = (event.state.output as { rollout?: { verdict?: 'advance' | 'hold' | 'promote'; failedChecks?: number } }).rollout;
      const verdict = rollout?.verdict ?? 'advance';
      verdicts.push({ at: now(), verdict, canaryWeight: lastWrittenWeight });
      note('verdict', `health check at ${lastWrittenWeight} %: ${verdict}${rollout?.failedChecks ? ` (${rollout.failedChecks} failed check(s) so far)` : ''}`, { canaryWeight: lastWrittenWeight });
    }
    if (event.type === 'StateFailed') {
      const reason = String(event.Cause ?? event.Error ?? '');
      verdicts.push({ at: now(), verdict: 'roll back', canaryWeight: lastWrittenWeight, reason });
      note('verdict', `health check at ${lastWrittenWeight} %: roll back (${event.Error})`, { canaryWeight: lastWrittenWeight });
    }
  });

  try {
    // A fault may keep the rollout from starting, or leave its execution waiting for ever.
    const execution = await stack.waitForExecution(rolloutId).catch(() => stack.stepFunctions.executions.get(rolloutId));
    await stack.settled();
    const until = settings.runUntilSecond?.(stack);
    if (until !== undefined && until > now()) await stack.clock.sleep((until - now()) * 1000);
    await stack.settled();
    // Let users see the final route before the report closes.
    await stack.clock.sleep((dataPlane.signal.propagationSeconds + 1) * 1000);
    dataPlane.stop();
    settings.inspect?.(stack);
    const record = await stack.registry.getRollout(rolloutId);
    const outcome = phaseOutcome(record?.phase);
    note('outcome', `${outcome} (${execution ? `${execution.status}${execution.error ? `, ${execution.error}` : ''}` : 'no execution'})`);
    const calls = stack.sim.calls.slice(callsBefore);
    const byOperation: Record<string, number> = {};
    for (const call of calls) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    return {
      scenario: name,
      description: scenario.description,
      seed,
      rolloutId,
      expected: scenario.expected,
      outcome,
      executionStatus: execution?.status ?? 'NOT_STARTED',
      error: execution?.error,
      cause: execution?.cause,
      simulatedSeconds: now(),
      requests: totals,
      stateTransitions: execution?.events.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried').length ?? 0,
      retries: execution?.events.filter((event) => event.type === 'StateRetried').length ?? 0,
      writes,
      verdicts,
      awsCalls: { total: calls.length, byOperation: Object.fromEntries(Object.entries(byOperation).sort(([a], [b]) => a.localeCompare(b))) },
      finalRoute: (stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[],
      endState: {
        activeRollouts: (await stack.registry.activeRollouts()).length,
        heldLeases: (await stack.registry.heldLeases()).length,
        runningExecutions: [...stack.stepFunctions.executions.values()].filter((candidate) => candidate.status === 'RUNNING').length,
      },
      timeline,
      series,
    };
  } finally {
    dataPlane.stop();
    await stack.stop();
  }
}
