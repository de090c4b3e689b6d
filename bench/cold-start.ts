import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AlarmColdPathResult, measureAlarmColdPath } from './alarm-cold-path';
import { functionEnvironment, type InstructionCounting, type NodeRuntime, nodeRuntimes, probeInstructionCounting, root, runNode, type Spread, spreadOf } from './fresh-process';
import { median } from './stats';

export interface RuntimeInit {
  version: string;
  cpuMs: Spread;
  wallMs: Spread;
  /** Millions of user-space instructions of the require, when this machine can count them. */
  megaInstructions?: Spread;
}

export interface ColdStartRow {
  functionName: string;
  /** As template.yaml builds it (dist/, from `npm run build`): SDK left to the runtime. */
  deployedBytes: number;
  /** Median CPU time of the init on Lambda's Node version, the figure the init goal is judged on. */
  deployedInitMs: number;
  /** One entry per runtime, in the order of ColdStartResult.runtimes. */
  init: RuntimeInit[];
}

export interface ColdStartResult {
  samples: number;
  runtimes: NodeRuntime[];
  instructionCounting: InstructionCounting;
  rows: ColdStartRow[];
  alarmPath: AlarmColdPathResult;
}

/**
 * The require of a bundle, alone: CPU time (every thread of the process, user and system, as
 * Lambda's CPU share throttles it) and wall time.
 */
const timeRequire = `
  const cpu = process.cpuUsage();
  const start = performance.now();
  require(process.argv[1]);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000, wallMs }));
`;

function functionFolders(): string[] {
  return readdirSync(join(root, 'functions')).filter((name) => name !== 'shared' && statSync(join(root, 'functions', name)).isDirectory());
}

interface Samples {
  cpuMs: number[];
  wallMs: number[];
  instructions: number[];
}

/**
 * Module init of every deployed bundle (dist/, from `npm run build`), each sample in a fresh
 * process, on the Node running this and on Lambda's Node. Samples go round-robin over functions
 * and runtimes, so a change in the machine's load falls on all of them alike. Then the alarm
 * handler's whole cold path (bench/alarm-cold-path.ts).
 */
export async function measureColdStart(samples = 21): Promise<ColdStartResult> {
  const runtimes = nodeRuntimes();
  const instructionCounting = probeInstructionCounting();
  const counting = instructionCounting.supported;
  const folders = functionFolders();
  const bundle = (folder: string) => join(root, 'dist', folder, 'handler.js');
  const collected = new Map<string, Samples>();
  const emptyProcessInstructions = new Map<string, number[]>();
  const key = (folder: string, runtime: NodeRuntime) => `${folder} ${runtime.version}`;
  const instructionsOf = (run: { instructions?: number }) => {
    if (run.instructions === undefined) throw new Error('perf stat stopped counting instructions mid-run');
    return run.instructions;
  };
  const sample = (folder: string, runtime: NodeRuntime) => {
    const run = runNode(runtime, ['-e', timeRequire, bundle(folder)], functionEnvironment, counting);
    return { ...(JSON.parse(run.stdout) as { cpuMs: number; wallMs: number }), instructions: counting ? instructionsOf(run) : 0 };
  };

  // One round unkept first, so every kept sample finds the files in the page cache.
  for (const folder of folders) for (const runtime of runtimes) sample(folder, runtime);
  for (let round = 0; round < samples; round += 1) {
    for (const folder of folders) {
      for (const runtime of runtimes) {
        const { cpuMs, wallMs, instructions } = sample(folder, runtime);
        const entry = collected.get(key(folder, runtime)) ?? { cpuMs: [], wallMs: [], instructions: [] };
        entry.cpuMs.push(cpuMs);
        entry.wallMs.push(wallMs);
        entry.instructions.push(instructions);
        collected.set(key(folder, runtime), entry);
      }
    }
    if (counting) {
      // Node's own start, subtracted so the count is the require's alone.
      for (const runtime of runtimes) {
        const empty = instructionsOf(runNode(runtime, ['-e', ''], functionEnvironment, true));
        emptyProcessInstructions.set(runtime.version, [...(emptyProcessInstructions.get(runtime.version) ?? []), empty]);
      }
    }
    process.stderr.write(`  cold start: init round ${round + 1}/${samples}\n`);
  }

  const lambdaRuntime = runtimes[runtimes.length - 1] as NodeRuntime;
  const rows = folders.map((folder): ColdStartRow => {
    const init = runtimes.map((runtime): RuntimeInit => {
      const entry = collected.get(key(folder, runtime)) as Samples;
      const emptyProcess = median(emptyProcessInstructions.get(runtime.version) ?? []);
      return {
        version: runtime.version,
        cpuMs: spreadOf(entry.cpuMs),
        wallMs: spreadOf(entry.wallMs),
        megaInstructions: counting ? spreadOf(entry.instructions.map((count) => (count - emptyProcess) / 1e6)) : undefined,
      };
    });
    return {
      functionName: folder,
      deployedBytes: statSync(bundle(folder)).size,
      deployedInitMs: (init.find((entry) => entry.version === lambdaRuntime.version) as RuntimeInit).cpuMs.median,
      init,
    };
  });

  const alarmPath = await measureAlarmColdPath(runtimes, samples);
  return { samples, runtimes, instructionCounting, rows, alarmPath };
}
