import { colorApp, registerCanaryTaskDefinition, seedColorApp } from '../local/color-app';
import { defaultSignalModel } from '../local/data-plane';
import { LocalStack } from '../local/local-stack';
import { executionNameForDeployment } from '../functions/shared/domain/execution-name';
import type { WeightedTarget } from '../functions/shared/domain/route-spec';
import { canaryWeightOf } from '../functions/shared/domain/traffic-split';
import { percentile, round } from './stats';

export interface AlarmLatencyResult {
  runs: number;
  /** Simulated milliseconds from the alarm event reaching the handler to the restoring UpdateRoute landing. */
  simulatedToRestoreMs: { p50: number; p99: number; max: number };
  /** The same, plus Envoy applying the restore: when users are safe. */
  simulatedToSafeMs: { p50: number; p99: number; max: number };
  /** CPU time this process spent per alarm rollback (handler, registry on dynalite, simulator). */
  cpuMs: { p50: number; p99: number; max: number };
  callsOnPath: string[];
}

const summary = (samples: number[]) => ({ p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)), max: round(Math.max(...samples)) });

function alarmEvent(run: number) {
  return {
    version: '0',
    id: `bench-alarm-${run}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: '2026-11-24T10:00:00Z',
    region: 'us-west-2',
    resources: [`arn:aws:cloudwatch:us-west-2:111122223333:alarm:${colorApp.alarm}`],
    detail: { alarmName: colorApp.alarm, configuration: { metrics: [] }, state: { reason: 'Threshold Crossed: 5xx rate above 5 %', value: 'ALARM' } },
  };
}

/**
 * The alarm path on the local stack, one seed per run: each run shifts a rollout to 10 %, then
 * hands the alarm handler an ALARM event. Time to safe is simulated (the same for a seed on
 * any machine); the CPU figure is what this machine spent on it, which varies little with load.
 */
export async function measureAlarmToSafe(runs = 50): Promise<AlarmLatencyResult> {
  const toRestore: number[] = [];
  const cpu: number[] = [];
  let callsOnPath: string[] = [];
  for (let run = 0; run < runs; run++) {
    const stack = await LocalStack.start({ seed: run + 1 });
    try {
      await seedColorApp(stack.sim);
      const deploymentId = await stack.deploy(await registerCanaryTaskDefinition(stack.sim));
      const rolloutId = executionNameForDeployment(colorApp.cluster, colorApp.canaryService, deploymentId);
      await stack.settled();
      stack.sim.ecs.completeDeployment(deploymentId);
      while ((await stack.registry.getRollout(rolloutId))?.canaryWeight !== 10) await stack.clock.sleep(1000);
      const callsBefore = stack.sim.calls.length;
      const receivedAt = stack.clock.now();
      const cpuBefore = process.cpuUsage();
      await stack.invoke('HandleAlarmEventFunction', alarmEvent(run));
      const cpuSpent = process.cpuUsage(cpuBefore);
      cpu.push((cpuSpent.user + cpuSpent.system) / 1000);
      const calls = stack.sim.calls.slice(callsBefore);
      const restore = calls.find((call) => call.operation === 'UpdateRoute' && canaryWeightOf((call.input as { spec: { httpRoute: { action: { weightedTargets: WeightedTarget[] } } } }).spec.httpRoute.action.weightedTargets, colorApp.canaryNode) === 0);
      if (!restore?.at) throw new Error(`run ${run}: the alarm handler never restored the route`);
      toRestore.push(restore.at.getTime() - receivedAt);
      callsOnPath = calls.slice(0, calls.indexOf(restore) + 1).map((call) => call.operation);
      await stack.waitForExecution(rolloutId);
    } finally {
      await stack.stop();
    }
  }
  return {
    runs,
    simulatedToRestoreMs: summary(toRestore),
    simulatedToSafeMs: summary(toRestore.map((ms) => ms + defaultSignalModel.propagationSeconds * 1000)),
    cpuMs: summary(cpu),
    callsOnPath,
  };
}
