import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, percentile, round } from './stats';

export const root = join(__dirname, '..');

/** The Node version Lambda runs (template.yaml: nodejs22.x). */
const lambdaNodeMajor = 22;

export interface NodeRuntime {
  version: string;
  path: string;
}

export interface Spread {
  min: number;
  median: number;
  p90: number;
}

export function spreadOf(samples: number[], digits = 1): Spread {
  return { min: round(Math.min(...samples), digits), median: round(median(samples), digits), p90: round(percentile(samples, 0.9), digits) };
}

/**
 * The Node running the benchmark, and Lambda's major version from the npm package that ships
 * the official binary, installed on demand into .bench/ (not a project dependency).
 */
export function nodeRuntimes(): NodeRuntime[] {
  const current = { version: process.version, path: process.execPath };
  if (current.version.startsWith(`v${lambdaNodeMajor}.`)) return [current];
  const packageName = `node-${process.platform}-${process.arch}`;
  const prefix = join(root, '.bench', `node${lambdaNodeMajor}`);
  const binary = join(prefix, 'node_modules', packageName, 'bin', 'node');
  if (!existsSync(binary)) {
    process.stderr.write(`  installing ${packageName}@${lambdaNodeMajor} into ${prefix}\n`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `${packageName}@${lambdaNodeMajor}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return [current, { version: execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim(), path: binary }];
}

/** Settings the handlers read at load, as template.yaml gives them (NODE_OPTIONS included). */
export const functionEnvironment: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  REGISTRY_TABLE_NAME: 'meshshift-bench-registry',
  STATE_MACHINE_ARN: 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout',
  MESH_NAME: 'colorapp',
  MESH_OWNER: '111122223333',
  CLUSTER_NAME: 'default',
  POLICY_PARAMETER_PREFIX: '/meshshift/',
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'meshshift',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // --no-warnings: the SDK warns about Node 20 on stderr, which Lambda's Node 22 never sees.
  NODE_OPTIONS: '--enable-source-maps --no-warnings',
};

/** The hardware event counted, in user space only: the kernel's share is not our code's. */
const instructionsEvent = 'instructions:u';

export type InstructionCounting = { supported: true } | { supported: false; reason: string };

/** Whether `perf stat` can count instructions here (virtual machines often expose no counters). */
export function probeInstructionCounting(): InstructionCounting {
  const probe = spawnSync('perf', ['stat', '-x,', '-e', instructionsEvent, 'true'], { encoding: 'utf8' });
  if (probe.error) return { supported: false, reason: `perf could not run (${probe.error.message})` };
  const count = parsePerfCount(probe.stderr);
  if (count === undefined) {
    const said = /<not (supported|counted)>/.exec(probe.stderr)?.[0] ?? probe.stderr.trim().split('\n').pop() ?? `exit code ${probe.status}`;
    return { supported: false, reason: `\`perf stat -e ${instructionsEvent}\` says ${said}` };
  }
  return { supported: true };
}

/** The event's count from `perf stat -x,` output (value first, event name third). */
function parsePerfCount(stderr: string): number | undefined {
  const line = stderr.split('\n').find((candidate) => candidate.split(',')[2] === instructionsEvent);
  const value = Number(line?.split(',')[0]);
  return line && Number.isFinite(value) ? value : undefined;
}

/**
 * Runs `node args` once, counting the whole process's user-space instructions when asked;
 * returns its stdout and the count.
 */
export function runNode(runtime: NodeRuntime, args: string[], environment: Record<string, string>, countInstructions: boolean): { stdout: string; instructions?: number } {
  const [command, commandArgs] = countInstructions
    ? ['perf', ['stat', '-x,', '-e', instructionsEvent, '--', runtime.path, ...args]]
    : [runtime.path, args];
  const run = spawnSync(command, commandArgs, { cwd: root, env: environment, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${runtime.path} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return { stdout: run.stdout, instructions: countInstructions ? parsePerfCount(run.stderr) : undefined };
}
