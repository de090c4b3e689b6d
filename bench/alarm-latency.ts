import { performance } from 'node:perf_hooks';
import { colorApp, registerCanaryTaskDefinition, seedColorApp } from '../local/color-app';
import { LocalStack } from '../local/local-stack';
import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../functions/shared/domain/traffic-split';
import { percentile, round, seededRandom } from './stats';

export interface AlarmLatencyResult {
  runs: number;
  apiLatencyMs: [number, number];
  totalMs: { p50: number; p99: number };
  simulatedApiMs: { p50: number; p99: number };
  overheadMs: { p50: number; p99: number };
  appMeshCallsOnPath: number;
}

/**
 * From the alarm event reaching the handler to the route's canary weight being 0, with every
 * simulated App Mesh / ECS call answered after 50–150 ms. Overhead is the total minus the
 * simulated API time on that path (the registry's dynalite calls count as overhead).
 */
export async function measureAlarmToSafe(runs = 200, latency: [number, number] = [50, 150]): Promise<AlarmLatencyResult> {
  const random = seededRandom(42);
  let measuring = false;
  const spent: Array<{ operation: string; ms: number }> = [];
  const stack = await LocalStack.start({
    // A long bake: the alarm, not the schedule, ends every run.
    msPerSimulatedSecond: 1000,
    apiLatencyMs: (operation) => {
      if (!measuring) return 0;
      const ms = latency[0] + random() * (latency[1] - latency[0]);
      spent.push({ operation, ms });
      return ms;
    },
  });
  await seedColorApp(stack.sim);
  const handler = stack.handlers.HandleAlarmEventFunction;
  let safeAt = 0;
  stack.sim.onCall((call) => {
    if (!measuring || call.operation !== 'UpdateRoute') return;
    const targets = (call.input as { spec: { httpRoute: { action: { weightedTargets: WeightedTarget[] } } } }).spec.httpRoute.action.weightedTargets;
    if (canaryWeightOf(targets, colorApp.canaryNode) === 0 && !safeAt) safeAt = performance.now();
  });

  const totals: number[] = [];
  const apiTimes: number[] = [];
  const overheads: number[] = [];
  let appMeshCalls = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const taskDefinition = await registerCanaryTaskDefinition(stack.sim);
      const deploymentId = await stack.deploy(taskDefinition);
      await stack.eventsSettled();
      stack.sim.ecs.completeDeployment(deploymentId);
      const name = executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);
      await untilShifted(stack, name);

      spent.length = 0;
      safeAt = 0;
      measuring = true;
      const receivedAt = performance.now();
      await handler?.(alarmEvent(run), { functionName: 'HandleAlarmEventFunction', awsRequestId: `bench-${run}` });
      measuring = false;
      if (!safeAt) throw new Error(`run ${run}: the route was never restored`);
      // Calls up to the restoring UpdateRoute lie on the path; cleanup after it does not.
      const onPath = spent.slice(0, spent.findIndex((call) => call.operation === 'UpdateRoute') + 1);
      const apiMs = onPath.reduce((sum, call) => sum + call.ms, 0);
      totals.push(safeAt - receivedAt);
      apiTimes.push(apiMs);
      overheads.push(safeAt - receivedAt - apiMs);
      appMeshCalls = onPath.length;
      await stack.waitForExecution(name);
      stack.sim.cloudwatch.setAlarmState(colorApp.alarm, 'OK', 'reset for the next run');
    }
  } finally {
    await stack.stop();
  }
  const summary = (samples: number[]) => ({ p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)) });
  return { runs, apiLatencyMs: latency, totalMs: summary(totals), simulatedApiMs: summary(apiTimes), overheadMs: summary(overheads), appMeshCallsOnPath: appMeshCalls };
}

async function untilShifted(stack: LocalStack, rolloutId: string): Promise<void> {
  for (let attempt = 0; attempt < 5000; attempt++) {
    const record = await stack.registry.getRollout(rolloutId);
    if (record?.phase === 'SHIFTING' && record.canaryWeight > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`Rollout ${rolloutId} never started shifting`);
}

function alarmEvent(run: number) {
  const now = new Date().toISOString();
  return {
    version: '0',
    id: `bench-alarm-${run}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: now.replace(/\.\d+Z$/, 'Z'),
    region: 'us-west-2',
    resources: [`arn:aws:cloudwatch:us-west-2:111122223333:alarm:${colorApp.alarm}`],
    detail: {
      alarmName: colorApp.alarm,
      configuration: { metrics: [] },
      previousState: { reason: 'ok', timestamp: now, value: 'OK' },
      state: { reason: 'Threshold Crossed: 5xx rate above 5 %', timestamp: now, value: 'ALARM' },
    },
  };
}
