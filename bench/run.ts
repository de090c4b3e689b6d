import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AlarmLatencyResult, measureAlarmToSafe } from './alarm-latency';
import { type BlastRadiusResult, type ControllerSummary, measureBlastRadius } from './blast-radius';
import { signalModelSection } from './signal-model';
import { type ColdStartResult, measureColdStart } from './cold-start';
import { type CostRow, measureCost } from './cost';
import type { Spread } from './fresh-process';
import type { ScaleRow } from './scale';
import { round } from './stats';

const sections = ['alarm', 'blast', 'cost', 'cold', 'scale'] as const;
type Section = (typeof sections)[number];

interface Results {
  alarm?: AlarmLatencyResult;
  blast?: BlastRadiusResult;
  cost?: CostRow[];
  cold?: ColdStartResult;
  scale?: ScaleRow[];
}

const goals = {
  alarmToRestoreP99Ms: 1000,
  floorRatio: 1.5,
  blastRadiusRatio: 10,
  transitionsPerStep: 4,
  bundleBytes: 500 * 1024,
  initMedianMs: 100,
  concurrentRollouts: 1000,
};

const scaleCounts = [1, 10, 100, 1000];

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function verdict(met: boolean): string {
  return met ? '**met**' : '**not met**';
}

function report(results: Results, ran: Section[]): string {
  const cpu = cpus();
  const lines: string[] = [
    '# meshshift benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}.`,
    `Sections run: ${ran.join(', ')}. Everything runs on the local stack (real state machine and handlers, simulated AWS, dynalite); no AWS account.`,
    '',
    '## Goals',
    '',
  ];
  const goalRows: string[][] = [];
  if (results.alarm) {
    const restore = results.alarm.simulatedToRestoreMs;
    goalRows.push([`Alarm event to route restored under ${goals.alarmToRestoreP99Ms} ms at p99 (simulated)`, `${restore.p99} ms`, verdict(restore.p99 < goals.alarmToRestoreP99Ms)]);
  }
  if (results.blast) {
    const [meshshift, ...baselines] = results.blast.controllers as [ControllerSummary, ...ControllerSummary[]];
    goalRows.push([`Blast radius within ${goals.floorRatio}× of the physical floor`, `${meshshift.ratioToFloor}×`, verdict(meshshift.ratioToFloor <= goals.floorRatio)]);
    for (const baseline of baselines) {
      const ratio = results.blast.meshshiftSmallerBy[baseline.name] ?? 0;
      goalRows.push([`At least ${goals.blastRadiusRatio}× fewer failed requests than ${baseline.name}`, `${ratio}×`, verdict(ratio >= goals.blastRadiusRatio)]);
    }
  }
  if (results.cost) {
    const worst = Math.max(...results.cost.map((row) => row.transitionsPerStep));
    goalRows.push([`At most ${goals.transitionsPerStep} state transitions per traffic step`, `${worst}`, verdict(worst <= goals.transitionsPerStep)]);
  }
  if (results.cold) {
    const biggest = Math.max(...results.cold.rows.map((row) => row.deployedBytes));
    const slowest = Math.max(...results.cold.rows.map((row) => row.deployedInitMs));
    goalRows.push([`Every bundle under 500 KB`, `largest ${(biggest / 1024).toFixed(0)} KB`, verdict(biggest < goals.bundleBytes)]);
    goalRows.push([`Init under ${goals.initMedianMs} ms median, every function`, `slowest ${slowest} ms (CPU, ${results.cold.runtimes[results.cold.runtimes.length - 1]?.version})`, verdict(slowest < goals.initMedianMs)]);
  }
  if (results.scale) {
    const largest = results.scale.find((row) => row.rollouts === goals.concurrentRollouts);
    const allCorrect = Boolean(largest && largest.promoted === largest.rollouts && largest.correctRoutes === largest.rollouts && largest.crossTalk === 0 && largest.leftActive === 0);
    goalRows.push([`${goals.concurrentRollouts} concurrent rollouts all correct`, largest ? `${largest.correctRoutes}/${largest.rollouts} in ${largest.wallSeconds} s` : 'not run', verdict(allCorrect)]);
    const reads = results.scale.map((row) => row.itemsReadPerDeploymentEvent);
    goalRows.push(['Registry items read per deployment event constant in N', reads.join(', '), verdict(Math.max(...reads) === Math.min(...reads))]);
  }
  lines.push(table(['Goal', 'Measured', 'Verdict'], goalRows), '');

  lines.push(...signalModelSection());
  if (results.alarm) {
    const a = results.alarm;
    lines.push(
      '## 1. Alarm to safe',
      '',
      `A rollout at its first step; the alarm handler gets an \`ALARM\` event. ${a.runs} runs, one seed each, so every simulated latency is drawn anew. Simulated time is the local stack's clock (the same for a seed on any machine); CPU time is what this process spent on the rollback, the handler and the registry's dynalite server together. Calls up to the restore: ${a.callsOnPath.join(', ')}; the canary cleanup and StopExecution come after it.`,
      '',
      table(['', 'p50', 'p99', 'max'], [
        ['Alarm event → restoring UpdateRoute lands (simulated)', `${a.simulatedToRestoreMs.p50} ms`, `${a.simulatedToRestoreMs.p99} ms`, `${a.simulatedToRestoreMs.max} ms`],
        ['… → users safe, after Envoy applies it (simulated)', `${a.simulatedToSafeMs.p50} ms`, `${a.simulatedToSafeMs.p99} ms`, `${a.simulatedToSafeMs.max} ms`],
        ['CPU time of the whole rollback here', `${a.cpuMs.p50} ms`, `${a.cpuMs.p99} ms`, `${a.cpuMs.max} ms`],
      ]),
      '',
      'The cold figure, with the handler\'s init on the path, is in section 4.',
      '',
    );
  }
  if (results.blast) {
    const b = results.blast;
    const [meshshift] = b.controllers;
    lines.push(
      '## 2. Blast radius',
      '',
      `A bad canary failing ${b.canaryErrorRate * 100} % of its requests, ${b.requestsPerSecond} requests/s through the route, first step ${b.firstStepPercent} %, over ${b.runs} runs whose canary becomes ready at a second spread over the ${b.alarmPeriodSeconds} s alarm period. Every controller runs on the same local stack: the same traffic, the same ${b.signal.propagationSeconds} s Envoy propagation and ${b.signal.metricIngestionSeconds} s metric ingestion, the same simulator and clock. meshshift is the real state machine and handlers; Flagger's loop is a poller on the stack's clock with Flagger's ordering (a failed analysis counts first and rolls back at the next tick: fluxcd/flagger pkg/controller/scheduler.go); AWS's sample is its own state machine (bench/baselines/aws-app-mesh-canary-sample.asl.json) on the same local Step Functions.`,
      '',
      `The **physical floor** is what a controller fed by this signal cannot beat: the failures the canary serves from its first request until the end of its first alarm period, plus the ingestion delay, plus the propagation of a restore written that instant. Here it averages ${b.meanFloorFailures} failed requests.`,
      '',
      table(['Controller', 'Failed requests, mean (min–max)', 'Exposure, mean', 'Ratio to the floor', 'Ratio to meshshift'], b.controllers.map((controller) => [
        controller.name,
        `${controller.meanFailed} (${controller.minFailed}–${controller.maxFailed})`,
        `${controller.meanExposureSeconds} s`,
        `${controller.ratioToFloor}×`,
        controller === meshshift ? '' : `${b.meshshiftSmallerBy[controller.name]}×`,
      ])),
      '',
    );
    const l = b.lattice;
    lines.push(
      '### On VPC Lattice',
      '',
      `The same ${b.runs} bad canaries with meshshift on VPC Lattice, whose weight changes reach traffic ${l.propagationSeconds} s late, both the 10 % step and the restore. No other controller runs ECS canaries on Lattice, so there is no baseline; the floor is this signal's with ${l.propagationSeconds} s propagation instead of Envoy's ${b.signal.propagationSeconds} s, and averages ${l.meanFloorFailures} failed requests. The rollback itself is as immediate as on App Mesh (the alarm handler restores the rule within a second of the alarm); what users see is the propagation.`,
      '',
      table(['Controller', 'Failed requests, mean (min–max)', 'Exposure, mean', 'Ratio to the floor', 'From alarm to users safe, mean'], [[
        l.meshshift.name,
        `${l.meshshift.meanFailed} (${l.meshshift.minFailed}–${l.meshshift.maxFailed})`,
        `${l.meshshift.meanExposureSeconds} s`,
        `${l.meshshift.ratioToFloor}×`,
        `${l.meanAlarmToSafeSeconds} s`,
      ]]),
      '',
    );
    const missed = b.controllers.slice(1).filter((controller) => (b.meshshiftSmallerBy[controller.name] ?? 0) < goals.blastRadiusRatio);
    for (const controller of missed) {
      lines.push(
        `**Why the ${goals.blastRadiusRatio}× goal is missed against ${controller.name}.** Its exposure is ${controller.meanExposureSeconds} s; meshshift's is ${meshshift?.meanExposureSeconds} s, already at the physical floor (ratio ${meshshift?.ratioToFloor}×). A ${goals.blastRadiusRatio}× lead would need an exposure under ${round((controller.meanExposureSeconds ?? 0) / goals.blastRadiusRatio)} s, shorter than a ${b.alarmPeriodSeconds} s alarm period plus ${b.signal.metricIngestionSeconds} s ingestion and ${b.signal.propagationSeconds} s propagation allow. Only a faster signal than a CloudWatch alarm could close it (Envoy's statistics read directly, for example).`,
        '',
      );
    }
  }
  if (results.cost) {
    lines.push(
      '## 3. Cost per rollout',
      '',
      'A healthy rollout on the local stack, counted from the engine\'s events (retries included; none happened). AWS calls: simulated App Mesh / ECS / CloudWatch / SSM, the registry, and Step Functions calls made by handlers. Standard workflows bill $0.025 per 1,000 state transitions; a design that polls every 10 s during bakes (Wait 10 s, check, choice, repeated) is computed from the same run.',
      '',
      table(['Schedule', 'Transitions', 'Per step', 'Lambda invocations', 'AWS calls (mesh+ECS / registry / SFN)', '$ per 1,000 rollouts', 'Polling every 10 s: transitions, $ per 1,000'], results.cost.map((row) => [
        row.schedule,
        row.transitions,
        row.transitionsPerStep,
        row.lambdaInvocations,
        `${row.awsCalls.total} (${row.awsCalls.meshAndEcs} / ${row.awsCalls.registry} / ${row.awsCalls.stepFunctions})`,
        `$${row.dollarsPer1000.toFixed(2)}`,
        `${row.polling.transitions}, $${row.polling.dollarsPer1000.toFixed(2)}`,
      ])),
      '',
    );
  }
  if (results.cold) {
    const c = results.cold;
    const a = c.alarmPath;
    const benchRuntime = c.runtimes[0] as ColdStartResult['runtimes'][number];
    const lambda = c.runtimes[c.runtimes.length - 1] as ColdStartResult['runtimes'][number];
    const spread = (value: Spread, unit = ' ms') => `${value.min} / **${value.median}** / ${value.p90}${unit}`;
    const initOn = (row: ColdStartResult['rows'][number], version: string) => row.init.find((entry) => entry.version === version) as ColdStartResult['rows'][number]['init'][number];
    const floor = c.rows.find((row) => row.functionName === 'abandon-rollout');
    const alarmRow = c.rows.find((row) => row.functionName === 'handle-alarm-event');
    const change = c.rows.map((row) => (initOn(row, lambda.version).cpuMs.median / initOn(row, benchRuntime.version).cpuMs.median - 1) * 100);
    const signed = (percent: number) => `${percent >= 0 ? '+' : '−'}${Math.abs(Math.round(percent))} %`;
    const overGoal = c.rows.filter((row) => row.deployedInitMs >= goals.initMedianMs).length;
    const alarmOnLambda = a.runtimes.find((entry) => entry.version === lambda.version) as (typeof a.runtimes)[number];
    const initShare = Math.round((alarmOnLambda.init.cpuMs.median / alarmOnLambda.total.cpuMs.median) * 100);
    const part = (label: string, pick: (entry: (typeof a.runtimes)[number]) => { cpuMs: Spread; wallMs: Spread }) => [
      label,
      ...a.runtimes.flatMap((entry) => [spread(pick(entry).cpuMs), spread(pick(entry).wallMs)]),
    ];
    lines.push(
      '## 4. Cold start',
      '',
      `Module init of each deployed bundle (dist/, as template.yaml builds it: esbuild, minified, \`@aws-sdk/*\` left to the nodejs22.x runtime): the \`require\` of the handler in a fresh Node process with the template's \`NODE_OPTIONS=--enable-source-maps\`, ${c.samples} samples per function and Node version, taken round-robin so the machine's load falls on all alike. CPU time is \`process.cpuUsage()\` around the require (user and system, every thread of the process); wall time is the clock. Each cell is min / **median** / p90; the min is the least disturbed by the machine's load. ${lambda === benchRuntime ? '' : `Node ${benchRuntime.version} runs this benchmark; `}Node ${lambda.version} is Lambda's major version (the npm package \`node-${process.platform}-${process.arch}\`, installed into .bench/), here on ${process.arch}, not Lambda's arm64.`,
      '',
      table(
        ['Function', 'Size', ...c.runtimes.flatMap((runtime) => [`${runtime.version} CPU`, `${runtime.version} wall`]), ...(c.instructionCounting.supported ? c.runtimes.map((runtime) => `${runtime.version} instructions (millions)`) : [])],
        c.rows.map((row) => [
          row.functionName,
          `${(row.deployedBytes / 1024).toFixed(0)} KB`,
          ...c.runtimes.flatMap((runtime) => [spread(initOn(row, runtime.version).cpuMs), spread(initOn(row, runtime.version).wallMs)]),
          ...(c.instructionCounting.supported ? c.runtimes.map((runtime) => spread(initOn(row, runtime.version).megaInstructions as Spread, '')) : []),
        ]),
      ),
      '',
      c.instructionCounting.supported
        ? 'Instructions are user-space instructions of the whole process (`perf stat -e instructions:u`) less those of a Node process that runs nothing, so they count the require alone; unlike time, they do not move with the load.'
        : `No instruction counts: ${c.instructionCounting.reason} on this machine, so CPU time is the steadiest figure here.`,
      '',
      `Each function loads at init only the SDK clients every one of its invocations needs; clients it calls on rare paths load on first use (functions/shared/wiring/on-first-use.ts; test/template/init-clients.test.ts pins which load where). Lambda gives a 256 MB function a share of one vCPU in proportion to its memory, so CPU time is the better guide to Lambda's init than this machine's wall time; the init goal above is judged on the median CPU time on Node ${lambda.version}.${lambda === benchRuntime ? '' : ` Against Node ${benchRuntime.version}, Node ${lambda.version}'s median CPU init differs by ${signed(Math.min(...change))} to ${signed(Math.max(...change))} per function.`}`,
      '',
      `**Why the init goal is missed where it is.** ${overGoal} of ${c.rows.length} functions are at or over ${goals.initMedianMs} ms.${floor ? ` The floor is abandon-rollout, which loads no SDK client but the registry's DynamoDB one: ${floor.deployedInitMs} ms, which every function pays for that client, Powertools and Middy before any client of its own.` : ''}${floor && alarmRow ? ` The alarm handler adds App Mesh and its event schema to it: ${alarmRow.deployedInitMs} ms (+${round(alarmRow.deployedInitMs - floor.deployedInitMs)} ms).` : ''} Every client left at init is one every invocation of that function needs, so what remains is the cost of loading the SDK itself: Node 22's module compile cache, built for Lambda's exact path, Node version, architecture and user, is the lever left, not tried in the deployed build.`,
      '',
      '### The alarm path, cold',
      '',
      `The alarm handler is nearly always cold (alarms are rare), so its init is on the way to safety. Per sample, a fresh process loads dist/handle-alarm-event/handler.js and handles an \`ALARM\` event for a rollout at 25 %, timed to the moment the restoring UpdateRoute is sent. App Mesh, ECS and Step Functions are answered in the process (on each client class's \`send\`, on the next event-loop turn); the registry is dynalite on loopback, so its answers count in wall time but not in CPU time. ${a.samples} samples per Node version; min / **median** / p90.`,
      '',
      table(['', ...a.runtimes.flatMap((entry) => [`${entry.version} CPU`, `${entry.version} wall`])], [
        part("Node's own start (process start to the require)", (entry) => entry.nodeStart),
        part('Init (the require of the bundle)', (entry) => entry.init),
        part(`Handler to safe (registry Query and UpdateItem, ${a.callsToSafe.join(', ')})`, (entry) => entry.handlerToSafe),
        part('**Cold time-to-safe (init + handler to safe)**', (entry) => entry.total),
        part('Process start to safe', (entry) => entry.fromProcessStart),
        part('After safe (canary cleanup, StopExecution, registry)', (entry) => entry.afterSafe),
      ]),
      '',
      `Init is ${initShare} % of the cold time-to-safe on Node ${lambda.version} (median CPU). SDK clients loaded before the route was safe: ${a.clientsLoadedBeforeSafe.join(', ') || 'none'}; after it: ${a.clientsLoadedAfterSafe.join(', ') || 'none'}. Node's own start is not Lambda's (its runtime starts Node its own way), so it is shown apart and left out of the cold time-to-safe.`,
      '',
    );
  }
  if (results.scale) {
    const rows = results.scale;
    const perRollout = rows.map((row) => round((row.wallSeconds / row.rollouts) * 1000));
    const cpuPerRollout = rows.map((row) => round((row.cpuSeconds / row.rollouts) * 1000));
    lines.push(
      '## 5. Scale',
      '',
      'N rollouts on N different routes (each app its own virtual router, nodes, services, alarm and policy), all deployed in the same simulated instant, every IN_PROGRESS event delivered twice, 50 % → 100 % with 30 s bakes, on the simulated clock.',
      '',
      table(['Rollouts', 'Wall time', 'Wall per rollout', 'CPU per rollout', 'Simulated time', 'Promoted', 'Routes exactly right', 'Cross-talk', 'Executions', 'Duplicate events', 'Refused conditional writes', 'Left active', 'Registry items read per deployment event', 'Registry calls per rollout'], rows.map((row, index) => [
        row.rollouts,
        `${row.wallSeconds} s`,
        `${perRollout[index]} ms`,
        `${cpuPerRollout[index]} ms`,
        `${row.simulatedSeconds} s`,
        row.promoted,
        row.correctRoutes,
        row.crossTalk,
        row.executionsStarted,
        row.duplicateEventsDelivered,
        row.conditionalWritesRefused,
        row.leftActive,
        row.itemsReadPerDeploymentEvent,
        row.registryCallsPerRollout,
      ])),
      '',
      `Growth is linear at most: from ${rows.at(-2)?.rollouts} to ${rows.at(-1)?.rollouts} rollouts (${round((rows.at(-1)?.rollouts ?? 0) / (rows.at(-2)?.rollouts ?? 1))}× as many), CPU time grew ${round((rows.at(-1)?.cpuSeconds ?? 0) / (rows.at(-2)?.cpuSeconds ?? 1))}× and wall time ${round((rows.at(-1)?.wallSeconds ?? 0) / (rows.at(-2)?.wallSeconds ?? 1))}×; per rollout it falls as N grows (${cpuPerRollout.join(', ')} ms of CPU), the stack's start-up being spread over more rollouts. Each count runs in a fresh process, and each deployment event reads the same number of registry items however many rollouts are active (one keyed read of the deploying index instead of a Query of every active rollout). What bounds the wall time is the work itself, done once per rollout: the registry calls, each a real HTTP request to dynalite on loopback, made one at a time because simulated time waits for every real I/O to finish, plus the state machine engine and the handlers. The local Step Functions builds and validates the state machine once for all executions, and Tasks get AWS's default timeout instead of the engine's 60 s.`,
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'alarm-runs': { type: 'string', default: '50' }, output: { type: 'string' } } });
  const ran = (values.only ? values.only.split(',') : [...sections]) as Section[];
  const unknown = ran.filter((section) => !sections.includes(section));
  if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; choose from ${sections.join(', ')}`);
  const results: Results = {};
  const log = (text: string) => process.stderr.write(`${text}\n`);
  if (ran.includes('alarm')) {
    log('alarm-to-safe latency…');
    results.alarm = await measureAlarmToSafe(Number(values['alarm-runs']));
  }
  if (ran.includes('blast')) {
    log('blast radius…');
    results.blast = await measureBlastRadius(10);
  }
  if (ran.includes('cost')) {
    log('cost per rollout…');
    results.cost = await measureCost();
  }
  if (ran.includes('cold')) {
    log('cold start (bundles from npm run build)…');
    results.cold = await measureColdStart(21);
  }
  if (ran.includes('scale')) {
    log('scale…');
    results.scale = [];
    for (const count of scaleCounts) {
      log(`  ${count} rollouts…`);
      // A fresh process per count, so one count's heap and caches do not slow the next.
      const output = execFileSync(process.execPath, ['--no-warnings', '--import', 'tsx', join(__dirname, 'scale.ts'), String(count)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      results.scale.push(JSON.parse(output) as ScaleRow);
    }
  }
  const markdown = report(results, ran);
  writeFileSync(values.output ?? join(__dirname, '..', 'docs', 'BENCHMARKS.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
}

// Never process.exit: it would drop whatever a pipe has not taken yet of the report.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
