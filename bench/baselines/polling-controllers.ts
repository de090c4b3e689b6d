import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppMeshClient, CreateVirtualNodeCommand, DescribeRouteCommand, UpdateRouteCommand, type RouteSpec } from '@aws-sdk/client-app-mesh';
import type { WeightedTarget } from '../../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../../functions/shared/domain/traffic-split';
import { colorApp, meshNodeSpec, seedColorApp } from '../../local/color-app';
import { DataPlane, type SignalModel } from '../../local/data-plane';
import { LocalStack } from '../../local/local-stack';
import { LocalStepFunctions } from '../../local/local-step-functions';
import { seededRandom } from '../../local/seeded-random';

/** What every controller in the blast-radius comparison faces: one bad canary, the same traffic and signals. */
export interface BadCanaryRun {
  seed: number;
  requestsPerSecond: number;
  canaryErrorRate: number;
  firstStepPercent: number;
  /** Simulated second at which the canary's tasks are up and the controller may start shifting. */
  canaryReadyAtSecond: number;
  signal: SignalModel;
}

export interface ControllerResult {
  /** Failed requests the canary served before users were safe again. */
  failedOnCanary: number;
  /** Failed requests had the route been restored the instant a signal could exist (see physicalFloor). */
  floorFailures: number;
  /** Simulated seconds from the canary's first request to users being safe. */
  exposureSeconds: number;
}

const route = { mesh: colorApp.mesh, virtualRouter: colorApp.virtualRouter, route: colorApp.route };
const stableProfile = { errorRate: 0.002, latencyMs: 40 };

/**
 * The physical floor of any controller fed by a CloudWatch alarm: the canary's first bad
 * request falls in some alarm period; its datapoint exists `metricIngestionSeconds` after the
 * period ends; a restore written at that instant reaches users `propagationSeconds` later.
 * No controller on this signal can do better; the failures before that are the floor.
 */
export function physicalFloorEndSecond(firstCanarySecond: number, alarmPeriodSeconds: number, signal: SignalModel): number {
  const periodEnd = Math.ceil(firstCanarySecond / alarmPeriodSeconds) * alarmPeriodSeconds;
  return periodEnd + signal.metricIngestionSeconds + signal.propagationSeconds;
}

/** Per-second canary errors, and where the canary first and last served: what every controller is scored on. */
export class CanaryExposure {
  private readonly errors: number[] = [];
  private first: number | undefined;
  private last: number | undefined;

  record(second: number, canaryWeight: number, canaryErrors: number): void {
    this.errors[second] = canaryErrors;
    if (canaryWeight > 0) {
      this.first ??= second;
      this.last = second;
    }
  }

  get firstSecond(): number | undefined {
    return this.first;
  }

  result(alarmPeriodSeconds: number, signal: SignalModel): ControllerResult {
    if (this.first === undefined || this.last === undefined) return { failedOnCanary: 0, floorFailures: 0, exposureSeconds: 0 };
    const sum = (from: number, to: number) => this.errors.slice(from, to + 1).reduce((total, value) => total + (value ?? 0), 0);
    const floorEnd = physicalFloorEndSecond(this.first, alarmPeriodSeconds, signal);
    return { failedOnCanary: sum(this.first, this.last), floorFailures: sum(this.first, Math.min(floorEnd, this.last)), exposureSeconds: this.last - this.first + 1 };
  }
}

/** A local stack with the color app and one bad canary's traffic, for a controller to act on. */
async function badCanaryStage(run: BadCanaryRun) {
  const stack = await LocalStack.start({ seed: run.seed });
  await seedColorApp(stack.sim);
  const exposure = new CanaryExposure();
  const dataPlane = new DataPlane(stack.sim, stack.clock, {
    routes: [route],
    requestsPerSecond: run.requestsPerSecond,
    profiles: { [colorApp.stableNode]: stableProfile, [colorApp.canaryNode]: { errorRate: run.canaryErrorRate, latencyMs: 45 } },
    signal: run.signal,
    onSecond: (second) => exposure.record(second.at, canaryWeightOf(Object.values(second.applied)[0] ?? [], colorApp.canaryNode), second.byNode[colorApp.canaryNode]?.errors ?? 0),
  });
  dataPlane.start();
  const appMesh = new AppMeshClient({ region: stack.sim.region });
  // Both baselines deploy the canary's node with the canary (Flagger's canary resources, the sample's CloudFormation stack).
  await appMesh.send(new CreateVirtualNodeCommand({ meshName: route.mesh, virtualNodeName: colorApp.canaryNode, spec: meshNodeSpec(colorApp.canaryService) }));
  const readRoute = async () => (await appMesh.send(new DescribeRouteCommand({ meshName: route.mesh, virtualRouterName: route.virtualRouter, routeName: route.route }))).route?.spec as RouteSpec;
  const original = ((await readRoute()).httpRoute?.action?.weightedTargets ?? []) as WeightedTarget[];
  const writeCanaryWeight = async (weight: number) => {
    const spec = await readRoute();
    const targets = weight === 0 ? original : [{ ...(original[0] as WeightedTarget), weight: 100 - weight }, { virtualNode: colorApp.canaryNode, weight, port: original[0]?.port }];
    await appMesh.send(new UpdateRouteCommand({ meshName: route.mesh, virtualRouterName: route.virtualRouter, routeName: route.route, spec: { ...spec, httpRoute: { ...spec.httpRoute, action: { weightedTargets: targets } } } as RouteSpec }));
  };
  /** The canary's errors a metric store can show at `second`: those of (second - window, second - ingestion]. */
  const canaryErrorsVisible = (second: number, windowSeconds: number) => {
    const visibleUpTo = second - run.signal.metricIngestionSeconds;
    return dataPlane.trafficOf(colorApp.canaryNode, visibleUpTo - windowSeconds, visibleUpTo);
  };
  /** Lets users see the restored route, then scores the run. */
  const finish = async () => {
    await stack.clock.sleep((run.signal.propagationSeconds + 2) * 1000);
    dataPlane.stop();
    await stack.stop();
    return exposure.result(alarmPeriodSeconds, run.signal);
  };
  return { stack, writeCanaryWeight, canaryErrorsVisible, seconds: () => Math.floor(stack.seconds), finish };
}

const alarmPeriodSeconds = 10;

/**
 * Flagger's analysis loop with its defaults (interval 60 s, threshold 1, request-success-rate
 * over the last 1 m, max 1 % errors; fluxcd/flagger pkg/controller/scheduler.go advanceCanary):
 * each tick first rolls back if failed checks reached the threshold, otherwise runs the
 * analysis, counting a failure and returning, or advances the weight. So a failing analysis at
 * tick k rolls back at tick k + 1. Its first run is immediate, then one per interval.
 */
export async function runFlaggerLike(run: BadCanaryRun, options = { intervalSeconds: 60, threshold: 1, maxErrorRate: 0.01, stepWeight: 10 }): Promise<ControllerResult> {
  const stage = await badCanaryStage(run);
  let failedChecks = 0;
  let weight = 0;
  await stage.stack.clock.sleep(run.canaryReadyAtSecond * 1000);
  for (;;) {
    if (failedChecks >= options.threshold) {
      await stage.writeCanaryWeight(0);
      break;
    }
    const window = stage.canaryErrorsVisible(stage.seconds(), options.intervalSeconds);
    const failing = weight > 0 && (window.requests === 0 || window.errors / window.requests > options.maxErrorRate);
    if (failing) failedChecks += 1;
    else {
      weight = Math.min(100, weight + (weight === 0 ? run.firstStepPercent : options.stepWeight));
      await stage.writeCanaryWeight(weight);
    }
    await stage.stack.clock.sleep(options.intervalSeconds * 1000);
  }
  return stage.finish();
}

/**
 * AWS's App Mesh canary sample (PercentageStep 10, WaitTime 60, FailureThresholdValue 1,
 * FailureThresholdTime 600 from its deploy.json), its state machine run by the same local
 * Step Functions on the same clock, its Lambda tasks written after the sample's Python.
 */
export async function runAwsSample(run: BadCanaryRun): Promise<ControllerResult> {
  const stage = await badCanaryStage(run);
  const tasks: Record<string, (state: Record<string, unknown>) => Promise<Record<string, unknown>>> = {
    StartCanary: async (state) => {
      const weight = Math.min(100, Number(state.currentWeight ?? 0) + Number(state.PercentageStep));
      await stage.writeCanaryWeight(weight);
      return { ...state, currentWeight: weight, fullySwitched: weight >= 100 };
    },
    GatherHealthcheckStatus: async (state) => {
      const errors = stage.canaryErrorsVisible(stage.seconds(), Number(state.FailureThresholdTime)).errors;
      return { ...state, healthy: !(errors > Number(state.FailureThresholdValue)) };
    },
    RollbacktoPrevious: async (state) => {
      await stage.writeCanaryWeight(0);
      return state;
    },
  };
  const random = seededRandom(run.seed);
  const sample = new LocalStepFunctions({
    definitionText: readFileSync(join(__dirname, 'aws-app-mesh-canary-sample.asl.json'), 'utf8'),
    stateMachineArn: 'arn:aws:states:us-west-2:111122223333:stateMachine:aws-sample',
    clock: stage.stack.clock,
    random,
    invoke: async (logicalId, payload) => {
      await stage.stack.clock.sleep(20);
      return (tasks[logicalId] as (typeof tasks)[string])(payload as Record<string, unknown>);
    },
  });
  await stage.stack.clock.sleep(run.canaryReadyAtSecond * 1000);
  await sample.send({ constructor: { name: 'StartExecutionCommand' }, input: { name: 'sample', input: JSON.stringify({ PercentageStep: run.firstStepPercent, WaitTime: 60, FailureThresholdValue: 1, FailureThresholdTime: 600 }) } });
  await sample.executions.get('sample')?.done;
  return stage.finish();
}
