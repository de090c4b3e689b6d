import { CanaryExposure, type ControllerResult, runAwsSample, runFlaggerLike, type BadCanaryRun } from './baselines/polling-controllers';
import { defaultSignalModel } from '../local/data-plane';
import { latticePropagationSeconds } from '../local/simulated-aws/vpc-lattice';
import { runScenario, type ScenarioSettings } from '../local/scenarios';
import { mean, round } from './stats';

export interface ControllerSummary {
  name: string;
  meanFailed: number;
  minFailed: number;
  maxFailed: number;
  meanExposureSeconds: number;
  /** Failed requests over the physical floor's, averaged: 1.0 is as good as a CloudWatch-fed controller can be. */
  ratioToFloor: number;
}

export interface BlastRadiusResult {
  runs: number;
  requestsPerSecond: number;
  canaryErrorRate: number;
  firstStepPercent: number;
  alarmPeriodSeconds: number;
  signal: typeof defaultSignalModel;
  meanFloorFailures: number;
  controllers: ControllerSummary[];
  /** How many times more failed requests each baseline let through than meshshift. */
  meshshiftSmallerBy: Record<string, number>;
  /**
   * The same bad canaries with meshshift on VPC Lattice, whose weight changes reach traffic
   * `propagationSeconds` late both ways: the floor moves with them. No baseline exists there.
   */
  lattice: { propagationSeconds: number; meanFloorFailures: number; meshshift: ControllerSummary; meanAlarmToSafeSeconds: number };
}

const alarmPeriodSeconds = 10;

function summarize(name: string, results: ControllerResult[]): ControllerSummary {
  const failed = results.map((result) => result.failedOnCanary);
  return {
    name,
    meanFailed: round(mean(failed)),
    minFailed: Math.min(...failed),
    maxFailed: Math.max(...failed),
    meanExposureSeconds: round(mean(results.map((result) => result.exposureSeconds))),
    ratioToFloor: round(mean(results.map((result) => result.failedOnCanary / result.floorFailures)), 2),
  };
}

/**
 * One bad canary (20 % errors, first step 10 %, 100 requests/s), the canary ready at a second
 * spread over the alarm period so detection is not flattered by alignment, faced by meshshift
 * and by two polling baselines, all on the same local stack: same traffic, propagation,
 * CloudWatch ingestion delay, simulator and clock.
 */
export async function measureBlastRadius(runs = 10): Promise<BlastRadiusResult> {
  const base = { requestsPerSecond: 100, canaryErrorRate: 0.2, firstStepPercent: 10, signal: defaultSignalModel };
  const meshshift: ControllerResult[] = [];
  const flagger: ControllerResult[] = [];
  const awsSample: ControllerResult[] = [];
  const onLattice: ControllerResult[] = [];
  const alarmToSafe: number[] = [];
  const latticeSignal = { ...base.signal, propagationSeconds: latticePropagationSeconds };
  for (let run = 0; run < runs; run++) {
    const stage: BadCanaryRun = { ...base, seed: run + 1, canaryReadyAtSecond: 30 + (run % alarmPeriodSeconds) };
    const settings: ScenarioSettings = { seed: stage.seed, requestsPerSecond: stage.requestsPerSecond, deploymentSettlesAfterSeconds: stage.canaryReadyAtSecond };
    meshshift.push((await badCanaryExposure(settings)).result(alarmPeriodSeconds, stage.signal));
    const lattice = await badCanaryExposure({ ...settings, provider: 'lattice' });
    onLattice.push(lattice.result(alarmPeriodSeconds, latticeSignal));
    alarmToSafe.push(lattice.safeSecond - lattice.alarmSecond);
    flagger.push(await runFlaggerLike(stage));
    awsSample.push(await runAwsSample(stage));
  }
  const controllers = [
    summarize('meshshift', meshshift),
    summarize("Flagger's analysis loop (interval 60 s, threshold 1)", flagger),
    summarize("AWS's App Mesh canary sample (Wait 60 s, then check)", awsSample),
  ];
  const meshshiftMean = controllers[0]?.meanFailed ?? 1;
  return {
    runs,
    ...base,
    alarmPeriodSeconds,
    meanFloorFailures: round(mean(meshshift.map((result) => result.floorFailures))),
    controllers,
    meshshiftSmallerBy: Object.fromEntries(controllers.slice(1).map((controller) => [controller.name, round(controller.meanFailed / meshshiftMean)])),
    lattice: {
      propagationSeconds: latticePropagationSeconds,
      meanFloorFailures: round(mean(onLattice.map((result) => result.floorFailures))),
      meshshift: summarize('meshshift on VPC Lattice', onLattice),
      meanAlarmToSafeSeconds: round(mean(alarmToSafe)),
    },
  };
}

/** One bad-canary rollback by meshshift, scored like every controller, with when its alarm fired and when users stopped seeing the canary. */
async function badCanaryExposure(settings: ScenarioSettings) {
  const report = await runScenario('bad-canary', settings);
  if (report.outcome !== 'rolled back') throw new Error(`bad-canary on ${report.provider} (seed ${report.seed}) ended ${report.outcome}`);
  const exposure = new CanaryExposure();
  for (const point of report.series) exposure.record(point.at, point.canaryWeight, point.canaryErrors);
  const alarmSecond = report.timeline.find((entry) => entry.kind === 'alarm' && entry.message.includes('→ ALARM'))?.at ?? Number.NaN;
  const safeSecond = (report.series.findLast((point) => point.canaryWeight > 0)?.at ?? Number.NaN) + 1;
  return Object.assign(exposure, { alarmSecond, safeSecond });
}
