import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { PolicyDocument } from '../functions/shared/domain/policy';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../functions/shared/domain/traffic-split';
import { type AlarmStateValue, datapoint, evaluateAlarm, watchedNode } from './alarm-evaluator';
import { colorApp, defaultColorAppPolicy, registerCanaryTaskDefinition, seedColorApp } from './color-app';
import { LocalStack } from './local-stack';
import { type NodeTraffic, serveOneSecond, type TrafficCarry, type VersionProfile } from './traffic-model';

export type Outcome = 'promoted' | 'rolled back' | 'abandoned' | 'not started' | 'unfinished';

export interface TimelineEntry {
  /** Simulated seconds since the scenario began. */
  at: number;
  kind: 'deployment' | 'state' | 'weights' | 'alarm' | 'traffic' | 'person' | 'outcome';
  message: string;
  canaryWeight?: number;
  requests?: number;
  errors?: number;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  expected: Outcome;
  outcome: Outcome;
  executionStatus: string;
  error?: string;
  cause?: string;
  simulatedSeconds: number;
  realMilliseconds: number;
  requests: { served: number; failed: number; failedOnCanary: number };
  stateTransitions: number;
  retries: number;
  awsCalls: { total: number; byOperation: Record<string, number> };
  finalRoute: WeightedTarget[];
  timeline: TimelineEntry[];
  /** Per simulated second: canary weight users saw, requests and failures. */
  series: Array<{ at: number; canaryWeight: number; requests: number; errors: number }>;
}

interface ScenarioDefinition {
  description: string;
  expected: Outcome;
  canary: VersionProfile;
  policy?: PolicyDocument;
  deployment: { afterSeconds: number; result: 'complete' | 'fail' };
  arrange?: (stack: LocalStack, note: (kind: TimelineEntry['kind'], message: string) => void) => void;
}

const stableProfile: VersionProfile = { errorRate: 0.002, latencyMs: 40 };
const throttledOperations = ['DescribeRoute', 'UpdateRoute', 'DescribeVirtualNode', 'CreateVirtualNode', 'DescribeAlarms', 'DescribeServices', 'DescribeTaskDefinition', 'GetParameter'];

export const scenarios: Record<string, ScenarioDefinition> = {
  healthy: {
    description: 'A healthy canary walks 10 → 25 → 50 → 100 % and is promoted; the stable version is retired.',
    expected: 'promoted',
    canary: { errorRate: 0.002, latencyMs: 38 },
    deployment: { afterSeconds: 30, result: 'complete' },
  },
  'bad-canary': {
    description: 'The canary fails 20 % of its requests: its alarm fires within one 10 s period and the route is restored at once.',
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
    description: 'A person edits the route at 25 %: meshshift stops with a clear error and leaves their edit in place.',
    expected: 'abandoned',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    arrange: (stack, note) => {
      let edited = false;
      stack.sim.onCall((call) => {
        const targets = (call.input as { spec?: { httpRoute?: { action?: { weightedTargets?: WeightedTarget[] } } } }).spec?.httpRoute?.action?.weightedTargets;
        if (edited || call.operation !== 'UpdateRoute' || canaryWeightOf(targets ?? [], colorApp.canaryNode) !== 25) return;
        edited = true;
        const edit = [
          { virtualNode: colorApp.stableNode, weight: 60, port: 9080 },
          { virtualNode: colorApp.canaryNode, weight: 40, port: 9080 },
        ];
        setTimeout(() => {
          stack.sim.appMesh.editRouteAsPerson(colorApp.mesh, colorApp.virtualRouter, colorApp.route, edit);
          note('person', 'a person sets the route to colorteller-v1 60 % / colorteller-v2 40 % in the console');
        }, 1);
      });
    },
  },
  'throttling-storm': {
    description: 'App Mesh, ECS, CloudWatch and SSM throttle: every call fails three times before it works; retries carry the rollout to promotion.',
    expected: 'promoted',
    canary: { errorRate: 0.002, latencyMs: 40 },
    deployment: { afterSeconds: 30, result: 'complete' },
    arrange: (stack, note) => {
      stack.sim.onCall((call) => {
        if (call.operation === 'UpdateRoute') for (const operation of ['DescribeRoute', 'UpdateRoute']) stack.sim.injectFault({ operation, times: 3 });
      });
      for (const operation of throttledOperations) stack.sim.injectFault({ operation, times: 3 });
      note('person', `throttling injected: ${throttledOperations.join(', ')} each fail 3 times, again after every weight change`);
    },
  },
};

export interface ScenarioSettings {
  /** Real milliseconds per simulated second. */
  msPerSimulatedSecond?: number;
  requestsPerSecond?: number;
  /** Seconds Envoy takes to apply a route change (bakes must cover it). */
  propagationSeconds?: number;
  /** When the canary's ECS deployment ends, instead of the scenario's own time. */
  deploymentSettlesAfterSeconds?: number;
  onTimeline?: (entry: TimelineEntry) => void;
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

/**
 * Runs one scenario on the local stack with compressed time: traffic through the route's
 * real weights, alarms evaluated per period like CloudWatch, events to the real handlers.
 */
export async function runScenario(name: string, settings: ScenarioSettings = {}): Promise<ScenarioReport> {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`Unknown scenario "${name}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  const msPerSecond = settings.msPerSimulatedSecond ?? 10;
  const requestsPerSecond = settings.requestsPerSecond ?? 100;
  const propagationSeconds = settings.propagationSeconds ?? 2;
  const policy = scenario.policy ?? defaultColorAppPolicy;

  const stack = await LocalStack.start({ msPerSimulatedSecond: msPerSecond });
  await seedColorApp(stack.sim, { policy });
  const canaryTaskDefinition = await registerCanaryTaskDefinition(stack.sim);
  const callsBefore = stack.sim.calls.length;

  const timeline: TimelineEntry[] = [];
  const series: ScenarioReport['series'] = [];
  const startedAt = Date.now();
  const now = () => (Date.now() - startedAt) / msPerSecond;
  let servedUpTo = 0;
  const note = (kind: TimelineEntry['kind'], message: string, extra: Partial<TimelineEntry> = {}) => {
    const entry = { at: Math.round(now()), kind, message, ...extra };
    timeline.push(entry);
    settings.onTimeline?.(entry);
  };
  scenario.arrange?.(stack, note);
  stack.sim.onEvent((event) => {
    if (event['detail-type'] !== 'CloudWatch Alarm State Change') return;
    const detail = event.detail as { alarmName: string; state: { value: string } };
    note('alarm', `alarm ${detail.alarmName} → ${detail.state.value}`);
  });

  const profiles: Record<string, VersionProfile> = { [colorApp.stableNode]: stableProfile, [colorApp.canaryNode]: scenario.canary };
  const carry: TrafficCarry = {};
  const applied: WeightedTarget[][] = [];
  const alarm = stack.sim.cloudwatch.alarm(colorApp.alarm) ?? {};
  const period = alarm.Period ?? 60;
  const datapoints: Array<number | undefined> = [];
  let periodTraffic: Record<string, NodeTraffic> = {};
  let lastCanaryWeight = 0;
  let sinceReport = { requests: 0, errors: 0 };
  const totals = { served: 0, failed: 0, failedOnCanary: 0 };
  let deploymentSettled = false;
  let deploymentId = '';

  const serveUntil = (second: number) => {
    while (servedUpTo < second) {
      servedUpTo += 1;
      const stored = stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec?.httpRoute?.action?.weightedTargets ?? [];
      applied.push(stored as WeightedTarget[]);
      const effective = applied[Math.max(0, applied.length - 1 - propagationSeconds)] ?? [];
      const served = serveOneSecond(requestsPerSecond, effective, profiles, carry);
      const canaryWeight = canaryWeightOf(effective, colorApp.canaryNode);
      let requests = 0;
      let errors = 0;
      for (const [node, traffic] of Object.entries(served)) {
        requests += traffic.requests;
        errors += traffic.errors;
        if (node === colorApp.canaryNode) totals.failedOnCanary += traffic.errors;
        const bucket = (periodTraffic[node] ??= { requests: 0, errors: 0 });
        bucket.requests += traffic.requests;
        bucket.errors += traffic.errors;
      }
      totals.served += requests;
      totals.failed += errors;
      sinceReport = { requests: sinceReport.requests + requests, errors: sinceReport.errors + errors };
      series.push({ at: servedUpTo, canaryWeight, requests, errors });
      if (canaryWeight !== lastCanaryWeight) {
        note('weights', `users now see ${colorApp.canaryNode} at ${canaryWeight} %`, { canaryWeight });
        lastCanaryWeight = canaryWeight;
      }
      if (servedUpTo % period === 0) {
        datapoints.push(datapoint(alarm.MetricName, periodTraffic[watchedNode(alarm) ?? colorApp.canaryNode]));
        periodTraffic = {};
        const state: AlarmStateValue = evaluateAlarm(alarm, datapoints);
        if (stack.sim.cloudwatch.alarm(colorApp.alarm)?.StateValue !== state) {
          stack.sim.cloudwatch.setAlarmState(colorApp.alarm, state, `${colorApp.canaryNode} 5xx rate ${(datapoints.at(-1) ?? 0).toFixed(3)} vs threshold ${alarm.Threshold}`);
        }
      }
      if (servedUpTo % 30 === 0) {
        note('traffic', `${sinceReport.requests} requests, ${sinceReport.errors} failed in the last 30 s`, { ...sinceReport, canaryWeight });
        sinceReport = { requests: 0, errors: 0 };
      }
      if (!deploymentSettled && deploymentId && servedUpTo >= (settings.deploymentSettlesAfterSeconds ?? scenario.deployment.afterSeconds)) {
        deploymentSettled = true;
        if (scenario.deployment.result === 'complete') {
          stack.sim.ecs.completeDeployment(deploymentId);
          note('deployment', `ECS deployment ${deploymentId} completed: canary tasks are up`);
        } else {
          stack.sim.ecs.failDeployment(deploymentId, 'ECS deployment circuit breaker: tasks failed to start.');
          note('deployment', `ECS deployment ${deploymentId} failed: tasks failed to start`);
        }
      }
    }
  };
  const ticker = setInterval(() => serveUntil(Math.floor(now())), Math.max(1, Math.floor(msPerSecond / 2)));

  deploymentId = await stack.deploy(canaryTaskDefinition);
  note('deployment', `ECS deployment ${deploymentId} of ${canaryTaskDefinition.split('/').pop()} in progress`);
  const executionName = executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);
  let seenEvents = 0;
  const follower = setInterval(() => {
    const events = stack.stepFunctions.executions.get(executionName)?.events ?? [];
    for (; seenEvents < events.length; seenEvents++) {
      const event = events[seenEvents];
      if (event?.type === 'StateEntered' && event.state?.type !== 'Choice') note('state', `state "${event.state?.name}"`);
      if (event?.type === 'StateRetried') note('state', `retry "${event.state?.name}"`);
    }
  }, 1);

  try {
    const execution = await stack.waitForExecution(executionName, 600_000);
    await stack.eventsSettled();
    clearInterval(follower);
    serveUntil(Math.floor(now()) + 1);
    const record = await stack.registry.getRollout(executionName);
    const outcome = phaseOutcome(record?.phase);
    note('outcome', `${outcome} (${execution.status}${execution.error ? `, ${execution.error}` : ''})`);
    const calls = stack.sim.calls.slice(callsBefore);
    const byOperation: Record<string, number> = {};
    for (const call of calls) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    return {
      scenario: name,
      description: scenario.description,
      expected: scenario.expected,
      outcome,
      executionStatus: execution.status,
      error: execution.error,
      cause: execution.cause,
      simulatedSeconds: Math.round(now()),
      realMilliseconds: Date.now() - startedAt,
      requests: totals,
      stateTransitions: execution.events.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried').length,
      retries: execution.events.filter((event) => event.type === 'StateRetried').length,
      awsCalls: { total: calls.length, byOperation },
      finalRoute: (stack.sim.appMesh.route(colorApp.mesh, colorApp.virtualRouter, colorApp.route)?.spec?.httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[],
      timeline,
      series,
    };
  } finally {
    clearInterval(ticker);
    clearInterval(follower);
    await stack.stop();
  }
}
