import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AlarmLatencyResult, measureAlarmToSafe } from './alarm-latency';
import { type BlastRadiusResult, measureBlastRadius } from './blast-radius';
import { type ColdStartRow, measureColdStart } from './cold-start';
import { type CostRow, measureCost } from './cost';
import { measureScale, type ScaleRow } from './scale';

const sections = ['alarm', 'blast', 'cost', 'cold', 'scale'] as const;
type Section = (typeof sections)[number];

interface Results {
  alarm?: AlarmLatencyResult;
  blast?: BlastRadiusResult;
  cost?: CostRow[];
  cold?: ColdStartRow[];
  scale?: ScaleRow[];
}

const goals = {
  overheadP99Ms: 20,
  blastRadiusRatio: 10,
  transitionsPerStep: 4,
  bundleBytes: 500 * 1024,
  initMedianMs: 100,
  concurrentRollouts: 100,
};

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
  if (results.alarm) goalRows.push([`Our overhead p99 under ${goals.overheadP99Ms} ms (alarm to safe)`, `${results.alarm.overheadMs.p99} ms`, verdict(results.alarm.overheadMs.p99 < goals.overheadP99Ms)]);
  if (results.blast) goalRows.push([`Blast radius at least ${goals.blastRadiusRatio}× smaller than 60 s polling`, `${results.blast.ratioToFlagger}×`, verdict(results.blast.ratioToFlagger >= goals.blastRadiusRatio)]);
  if (results.cost) {
    const worst = Math.max(...results.cost.map((row) => row.transitionsPerStep));
    goalRows.push([`At most ${goals.transitionsPerStep} state transitions per traffic step`, `${worst}`, verdict(worst <= goals.transitionsPerStep)]);
  }
  if (results.cold) {
    const biggest = Math.max(...results.cold.map((row) => row.deployedBytes));
    const slowest = Math.max(...results.cold.map((row) => row.deployedInitMs));
    goalRows.push([`Every bundle under 500 KB`, `largest ${(biggest / 1024).toFixed(0)} KB`, verdict(biggest < goals.bundleBytes)]);
    goalRows.push([`Init under ${goals.initMedianMs} ms median, every function`, `slowest ${slowest} ms`, verdict(slowest < goals.initMedianMs)]);
  }
  if (results.scale) {
    const hundred = results.scale.find((row) => row.rollouts === goals.concurrentRollouts);
    const allCorrect = Boolean(hundred && hundred.promoted === hundred.rollouts && hundred.correctRoutes === hundred.rollouts && hundred.crossTalk === 0 && hundred.leftActive === 0);
    goalRows.push([`${goals.concurrentRollouts} concurrent rollouts all correct`, hundred ? `${hundred.correctRoutes}/${hundred.rollouts} in ${hundred.wallSeconds} s` : 'not run', verdict(allCorrect)]);
  }
  lines.push(table(['Goal', 'Measured', 'Verdict'], goalRows), '');

  if (results.alarm) {
    const a = results.alarm;
    lines.push(
      '## 1. Alarm-to-safe latency',
      '',
      `From the \`CloudWatch Alarm State Change\` event reaching the alarm handler to the route's canary weight being 0, over ${a.runs} runs. Every simulated App Mesh and ECS call answers after ${a.apiLatencyMs[0]}–${a.apiLatencyMs[1]} ms (seeded, so runs repeat). Our overhead is the total minus the simulated API time on the path; the registry's dynalite calls on loopback count as overhead.`,
      '',
      table(['', 'p50', 'p99'], [
        ['Total (alarm event → canary weight 0)', `${a.totalMs.p50} ms`, `${a.totalMs.p99} ms`],
        [`Simulated App Mesh time (${a.appMeshCallsOnPath} calls on the path: DescribeRoute, UpdateRoute)`, `${a.simulatedApiMs.p50} ms`, `${a.simulatedApiMs.p99} ms`],
        ['**Our overhead**', `**${a.overheadMs.p50} ms**`, `**${a.overheadMs.p99} ms**`],
      ]),
      '',
      'On the path: one registry Query (alarm index), one phase-conditioned UpdateItem (ROLLING_BACK, so no shift can land after it), DescribeRoute, UpdateRoute. Canary cleanup and StopExecution come after the route is safe.',
      '',
    );
  }
  if (results.blast) {
    const b = results.blast;
    lines.push(
      '## 2. Blast radius',
      '',
      `A bad canary failing ${b.canaryErrorRate * 100} % of its requests, ${b.requestsPerSecond} requests/s through the route, first step ${b.firstStepPercent} %, Envoy applying each change 2 s late, a 10-second CloudWatch alarm on the canary's 5xx rate above 5 %. Failed requests the canary served before users were safe:`,
      '',
      table(['Controller', 'Failed requests', 'meshshift is smaller by'], [
        [`meshshift (local stack, ${b.meshshift.runs} runs, first shift spread over the alarm period; ${b.msPerSimulatedSecond} ms per simulated s)`, `${b.meshshift.meanFailed} mean (${b.meshshift.minFailed}–${b.meshshift.maxFailed})`, ''],
        ["Flagger's defaults: analysis every 60 s, threshold 1", b.flaggerLike, `${b.ratioToFlagger}×`],
        ["AWS's App Mesh canary sample: 60 s Wait, then check the alarm", b.awsSample, `${b.ratioToAwsSample}×`],
      ]),
      '',
      'The baselines run in the same simulator (same traffic model, propagation and alarm evaluation), stepping simulated seconds directly. meshshift rolls back when the alarm event arrives; the pollers only when their next check comes.',
      '',
    );
    if (b.ratioToFlagger < goals.blastRadiusRatio) {
      lines.push(
        `**Why the ${goals.blastRadiusRatio}× goal is missed, and what would close it.** meshshift's exposure is the time from the canary's first requests to the alarm's first datapoint (CloudWatch's shortest alarm period is 10 s, so 5 s on average) plus Envoy's propagation of the restore (2 s here); the pollers' is a whole 60 s interval. That bounds the ratio near 60 / 7 ≈ 8.5–9.5× whatever meshshift does after the event (its own part is milliseconds, section 1). Closing it needs a faster signal than a CloudWatch alarm (Envoy statistics read directly, for example App Mesh's Prometheus metrics through an alert that emits an event), or timing the first shift to land about two seconds before an alarm-period boundary so the first datapoint judges the canary at once (it trades a noisier first datapoint for speed).`,
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
    lines.push(
      '## 4. Cold start',
      '',
      'Bundle size and module init time (the `require` of the handler in a fresh Node process, median of 21). "Deployed" is what template.yaml builds (esbuild, minified, `@aws-sdk/*` left to the nodejs22.x runtime), loaded with the template\'s `NODE_OPTIONS=--enable-source-maps`. "SDK bundled" is the same with the SDK inside the bundle; "unbundled" is the TypeScript compiled file by file, loading every dependency from node_modules.',
      '',
      table(['Function', 'Deployed size', 'Deployed init', 'SDK bundled size', 'SDK bundled init', 'Unbundled init'], results.cold.map((row) => [
        row.functionName,
        `${(row.deployedBytes / 1024).toFixed(0)} KB`,
        `${row.deployedInitMs} ms`,
        `${(row.sdkBundledBytes / 1024).toFixed(0)} KB`,
        `${row.sdkBundledInitMs} ms`,
        `${row.unbundledInitMs} ms`,
      ])),
      '',
      "Most of the init time is the AWS SDK clients themselves: loading one client alone takes about 65 ms on this machine, bundled or not, and each further client adds to it, so the functions that need four or five clients (prepare-rollout, the two event handlers) are the slowest. zod is imported as a namespace so esbuild drops its locales (85 KB instead of 450 KB), and the EventBridge envelope schema is ours rather than Powertools' for the same reason. These are Node 20 figures on a 2-core x86 machine; Lambda runs Node 22 on arm64 (Graviton), not measured here.",
      '',
      '**Why the init goal is missed where it is, and what would close it.** The floor is the SDK\'s module loading, not our code (the deployed bundles hold 33–144 KB of it). What would close it: fewer clients per function (prepare-rollout needs Step Functions only to stop a superseded rollout, and SSM only without an inline policy; both could be loaded on first use, which moves the cost to the rare invocation that needs it); dropping `--enable-source-maps` (about 10 ms, at the price of minified stack traces); or signing the few HTTP calls ourselves instead of loading full SDK clients. Node 22\'s module compile cache could help too, but whether a cache built ahead of time survives Lambda\'s read-only `/var/task` was not tried.',
      '',
    );
  }
  if (results.scale) {
    lines.push(
      '## 5. Scale',
      '',
      'N rollouts on N different routes (each app its own virtual router, nodes, services, alarm and policy), all deployed at once, every IN_PROGRESS event delivered twice, 50 % → 100 % with 30 s bakes (5 ms per simulated second).',
      '',
      table(['Rollouts', 'Wall time', 'Promoted', 'Routes exactly right', 'Cross-talk', 'Executions started', 'Duplicate events', 'Refused conditional writes', 'Left active'], results.scale.map((row) => [
        row.rollouts,
        `${row.wallSeconds} s`,
        row.promoted,
        row.correctRoutes,
        row.crossTalk,
        row.executionsStarted,
        row.duplicateEventsDelivered,
        row.conditionalWritesRefused,
        row.leftActive,
      ])),
      '',
      'Duplicates are absorbed by the execution name (one execution per deployment); the route leases, on different routes, never contend. Contention on one route (twenty concurrent lease attempts, exactly one wins) is a registry test against dynalite.',
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'alarm-runs': { type: 'string', default: '200' }, output: { type: 'string' } } });
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
    for (const count of [1, 10, 100]) results.scale.push(await measureScale(count));
  }
  const markdown = report(results, ran);
  console.log(markdown);
  writeFileSync(values.output ?? join(__dirname, '..', 'docs', 'BENCHMARKS.md'), `${markdown}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
