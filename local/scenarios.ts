import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { HookEvent } from '../functions/shared/domain/lifecycle-hooks';

import { sameTargets, type WeightedTarget } from '../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../functions/shared/domain/traffic-split';
import { defaultTrafficProvider, type TrafficProviderName } from '../functions/shared/domain/traffic-provider';
import { colorApp } from './color-app';
import { type DemoApp, type DemoSeedOptions, seedDemoApp } from './demo-app';
import { DataPlane, type SignalModel } from './data-plane';
import { LocalStack } from './local-stack';
import type { VersionProfile } from './traffic-model';

export type Outcome = 'promoted' | 'rolled back' | 'abandoned' | 'not started' | 'unfinished';

export type TimelineKind = 'deployment' | 'state' | 'verdict' | 'write' | 'restore' | 'weights' | 'alarm' | 'traffic' | 'person' | 'hook' | 'outcome';

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
  provider: TrafficProviderName;
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
  /** The route as the scenario found it, and the backend the canary version runs on. */
  originalRoute: WeightedTarget[];
  canaryBackend: string;
  /** Backends by the names people know them by (Lattice target groups by name, not id). */
  backendNames: Record<string, string>;
  finalRoute: WeightedTarget[];
  /** What is left once it ended: a safe end leaves no active rollout, no lease and no running execution. */
  endState: { activeRollouts: number; heldLeases: number; runningExecutions: number };
  timeline: TimelineEntry[];
  /** Per simulated second: canary weight users saw, requests and failures (all, and on the canary). */
  series: Array<{ at: number; canaryWeight: number; requests: number; errors: number; canaryErrors: number }>;
}

interface ScenarioContext {
  stack: LocalStack;
  demo: DemoApp;
  note: (kind: TimelineKind, message: string, extra?: Partial<TimelineEntry>) => void;
}

interface ScenarioDefinition {
  description: string;
  expected: Outcome;
  canary: VersionProfile;
  deployment: { afterSeconds: number; result: 'complete' | 'fail' };
  /** Fields of the demo's policy this scenario changes. */
  policy?: DemoSeedOptions['policy'];
  /** Returns what stops it, so a stack kept after the scenario is left alone by it. */
  arrange?: (context: ScenarioContext) => () => void;
}

const stableProfile: VersionProfile = { errorRate: 0.002, latencyMs: 40 };

/** The errors Check health throws as a verdict rather than as a failure to check. */
const healthVerdictErrors = ['AlarmBreachedError', 'RolloutAbortedError'];

/** The canary's share of the route in percent: weights are relative on every provider. */
export function canaryPercent(targets: WeightedTarget[], canary: string): number {
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  return total === 0 ? 0 : Math.round((canaryWeightOf(targets, canary) * 10_000) / total) / 100;
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
    arrange: ({ stack, demo, note }) => {
      let edited = false;
      return stack.sim.onCall((call) => {
        if (edited || canaryPercent(demo.writtenTargets(call) ?? [], demo.canaryBackend) !== 25) return;
        edited = true;
        stack.clock.setTimeout(() => {
          demo.editAsPerson({ stable: 60, canary: 40 });
          note('person', `a person sets the route to ${demo.nameOf(demo.stableBackend)} 60 % / ${demo.nameOf(demo.canaryBackend)} 40 % in the console`, { canaryWeight: 40 });
        }, 20_000);
      });
    },
  },
  'throttling-storm': {
    description: 'The traffic provider, ECS, CloudWatch and SSM throttle: every call fails three times before it works; retries carry the rollout to promotion.',
    expected: 'promoted',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    arrange: ({ stack, demo, note }) => {
      const stopThrottling = stack.sim.onCall((call) => {
        if (demo.writtenTargets(call)) for (const operation of demo.routeOperations) stack.sim.injectFault({ operation, times: 3 });
      });
      for (const operation of demo.controlPlaneOperations) stack.sim.injectFault({ operation, times: 3 });
      note('person', `throttling injected: ${demo.controlPlaneOperations.join(', ')} each fail 3 times, again after every weight change`);
      return stopThrottling;
    },
  },
  gated: {
    description:
      "The team's hooks gate the rollout: a smoke test answers later through its task token before traffic moves, a check after each step approves at 10 and 25 % and rejects at 50 %, the route is restored and the onRollback hook told.",
    expected: 'rolled back',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    policy: {
      hooks: {
        beforeRollout: { function: 'meshshift-hook-smoke-test', timeoutSeconds: 300 },
        afterStep: { function: 'meshshift-hook-step-check' },
        onRollback: { function: 'meshshift-hook-page-team' },
      },
    },
    arrange: ({ stack, note }) => {
      const sfn = new SFNClient({});
      stack.lambda.deploy('meshshift-hook-smoke-test', (event) => {
        const { taskToken } = event as HookEvent;
        note('hook', 'smoke test asked before traffic moves: it answers pending and runs 40 s against the canary tasks');
        stack.clock.setTimeout(() => {
          note('hook', 'smoke test passed: it approves through its task token');
          void sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approve: true }) }));
        }, 40_000);
        return { pending: true };
      });
      stack.lambda.deploy('meshshift-hook-step-check', (event) => {
        const { step, canaryWeight } = event as HookEvent;
        const approve = canaryWeight < 50;
        note('hook', `step check after step ${step} (${canaryWeight} %): ${approve ? 'approves' : 'rejects: p99 latency 410 ms over the 300 ms budget'}`);
        return approve ? { approve } : { approve, reason: 'p99 latency 410 ms over the 300 ms budget' };
      });
      stack.lambda.deploy('meshshift-hook-page-team', (event) => {
        note('hook', `onRollback told: ${(event as HookEvent).reason?.split(':')[0] ?? 'rolled back'}`);
        return null;
      });
      // A kept stack's next rollouts meet hooks that approve at once and say nothing.
      return () => {
        for (const name of ['meshshift-hook-smoke-test', 'meshshift-hook-step-check']) stack.lambda.deploy(name, () => ({ approve: true }));
        stack.lambda.deploy('meshshift-hook-page-team', () => null);
      };
    },
  },
};

export interface ScenarioSettings {
  /** The traffic provider the demo app is laid out on (App Mesh unless said). */
  provider?: TrafficProviderName;
  /** Seeds latencies, delivery delays and retry jitter: the same seed gives the same report. */
  seed?: number;
  requestsPerSecond?: number;
  signal?: Partial<SignalModel>;
  /** When the canary's ECS deployment ends, instead of the scenario's own time. */
  deploymentSettlesAfterSeconds?: number;
  onTimeline?: (entry: TimelineEntry) => void;
  /** Called once the app is seeded, before the deployment: where a harness arms its faults. */
  prepare?: (stack: LocalStack, demo: DemoApp) => void;
  /**
   * Keep the stack running after the execution ends (or never starts) until this many
   * simulated seconds after the scenario began, so the reconciler can converge what a fault left.
   */
  runUntilSecond?: (stack: LocalStack) => number;
  /** Called at the very end, before the stack stops: where a harness reads what it needs. */
  inspect?: (stack: LocalStack) => void;
  /**
   * Takes the stack once the report is made, instead of it being stopped: the scenario's own
   * listeners and traffic are gone, and the caller owns the stack from then on.
   */
  handOver?: (stack: LocalStack, demo: DemoApp) => void;
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
  const provider = settings.provider ?? defaultTrafficProvider;

  const stack = await LocalStack.start({ seed });
  const demo = await seedDemoApp(stack.sim, provider, { policy: scenario.policy });
  const canaryTaskDefinition = await demo.registerCanaryTaskDefinition();
  const describeTargets = (targets: WeightedTarget[]) => targets.map((target) => `${demo.nameOf(target.virtualNode)} ${target.weight}`).join(' / ');
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
  const original = demo.routeTargets();

  const listeners = [scenario.arrange?.({ stack, demo, note })];
  settings.prepare?.(stack, demo);
  listeners.push(stack.sim.onCall((call) => {
    const targets = demo.writtenTargets(call);
    if (!targets) return;
    const canaryWeight = canaryPercent(targets, demo.canaryBackend);
    const by = call.caller ?? 'someone';
    writes.push({ at: now(), by, canaryWeight, targets });
    if (sameTargets(targets, original) && lastWrittenWeight > 0) note('restore', `${by} restored the route to its original targets (${describeTargets(targets)})`, { canaryWeight });
    else note('write', `${by} wrote ${describeTargets(targets)}`, { canaryWeight });
    lastWrittenWeight = canaryWeight;
  }));
  listeners.push(stack.sim.onEvent((event) => {
    if (event['detail-type'] !== 'CloudWatch Alarm State Change') return;
    const detail = event.detail as { alarmName: string; state: { value: string; reason: string } };
    note('alarm', `alarm ${detail.alarmName} → ${detail.state.value}: ${detail.state.reason}`);
  }));

  const dataPlane = new DataPlane(stack.sim, stack.clock, {
    ...demo.trafficRoutes,
    requestsPerSecond: settings.requestsPerSecond ?? 100,
    profiles: { [demo.stableBackend]: stableProfile, [demo.canaryBackend]: scenario.canary },
    signal: settings.signal,
    onSecond: (second) => {
      const applied = Object.values(second.applied)[0] ?? [];
      const canaryWeight = canaryPercent(applied, demo.canaryBackend);
      const canary = second.byNode[demo.canaryBackend] ?? { requests: 0, errors: 0 };
      totals.served += second.requests;
      totals.failed += second.errors;
      totals.failedOnCanary += canary.errors;
      sinceReport = { requests: sinceReport.requests + second.requests, errors: sinceReport.errors + second.errors };
      series.push({ at: second.at, canaryWeight, requests: second.requests, errors: second.errors, canaryErrors: canary.errors });
      if (canaryWeight !== lastSeenWeight) {
        note('weights', `users now see ${demo.nameOf(demo.canaryBackend)} at ${canaryWeight} %`, { canaryWeight });
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
  let checkFailed = false;
  listeners.push(stack.stepFunctions.onEvent((execution, event) => {
    if (execution.name !== rolloutId || !event.state) return;
    const state = event.state.name;
    if (event.type === 'StateEntered' && event.state.type !== 'Choice') note('state', `state "${state}"`);
    if (event.type === 'StateRetried') note('state', `retry "${state}"`);
    if (state !== 'Check health') return;
    if (event.type === 'StateEntered' || event.type === 'StateRetried') checkFailed = false;
    // A failed check's Catch still exits the state, carrying the last check's verdict: not a verdict of its own.
    if (event.type === 'StateExited' && !checkFailed) {
      const rollout = (event.state.output as { rollout?: { verdict?: 'advance' | 'hold' | 'promote'; failedChecks?: number } }).rollout;
      const verdict = rollout?.verdict ?? 'advance';
      verdicts.push({ at: now(), verdict, canaryWeight: lastWrittenWeight });
      note('verdict', `health check at ${lastWrittenWeight} %: ${verdict}${rollout?.failedChecks ? ` (${rollout.failedChecks} failed check(s) so far)` : ''}`, { canaryWeight: lastWrittenWeight });
    }
    if (event.type === 'StateFailed') {
      checkFailed = true;
      // Only an alarm or an operator's abort is a roll-back verdict; a throttled read is retried, an edited route let go.
      if (!healthVerdictErrors.includes(String(event.Error))) return;
      const reason = String(event.Cause ?? event.Error ?? '');
      verdicts.push({ at: now(), verdict: 'roll back', canaryWeight: lastWrittenWeight, reason });
      note('verdict', `health check at ${lastWrittenWeight} %: roll back (${event.Error})`, { canaryWeight: lastWrittenWeight });
    }
  }));

  let handedOver = false;
  try {
    // A fault may keep the rollout from starting, or leave its execution waiting for ever.
    const execution = await stack.waitForExecution(rolloutId).catch(() => stack.stepFunctions.executions.get(rolloutId));
    await stack.settled();
    const until = settings.runUntilSecond?.(stack);
    if (until !== undefined && until > now()) await stack.clock.sleep((until - now()) * 1000);
    await stack.settled();
    // Let users see the final route before the report closes.
    const inForceAt = demo.routeInForceAt?.() ?? stack.clock.now() + dataPlane.signal.propagationSeconds * 1000;
    await stack.clock.sleep(Math.max(0, inForceAt - stack.clock.now()) + 1000);
    dataPlane.stop();
    settings.inspect?.(stack);
    const record = await stack.registry.getRollout(rolloutId);
    const outcome = phaseOutcome(record?.phase);
    note('outcome', `${outcome} (${execution ? `${execution.status}${execution.error ? `, ${execution.error}` : ''}` : 'no execution'})`);
    const calls = stack.sim.calls.slice(callsBefore);
    const byOperation: Record<string, number> = {};
    for (const call of calls) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    const report: ScenarioReport = {
      scenario: name,
      provider,
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
      originalRoute: original,
      canaryBackend: demo.canaryBackend,
      backendNames: Object.fromEntries([demo.stableBackend, demo.canaryBackend].map((backend) => [backend, demo.nameOf(backend)])),
      finalRoute: demo.routeTargets(),
      endState: {
        activeRollouts: (await stack.registry.activeRollouts()).length,
        heldLeases: (await stack.registry.heldLeases()).length,
        runningExecutions: [...stack.stepFunctions.executions.values()].filter((candidate) => candidate.status === 'RUNNING').length,
      },
      timeline,
      series,
    };
    if (settings.handOver) {
      for (const stopListening of listeners) stopListening?.();
      settings.handOver(stack, demo);
      handedOver = true;
    }
    return report;
  } finally {
    dataPlane.stop();
    if (!handedOver) await stack.stop();
  }
}
