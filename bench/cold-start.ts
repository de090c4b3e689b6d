import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { median, round } from './stats';

export interface ColdStartRow {
  functionName: string;
  /** As template.yaml builds it (SDK from the runtime), loaded with the template's NODE_OPTIONS. */
  deployedBytes: number;
  deployedInitMs: number;
  /** The same bundle with the SDK inside it. */
  sdkBundledBytes: number;
  sdkBundledInitMs: number;
  unbundledInitMs: number;
}

const root = join(__dirname, '..');
const environment = {
  ...process.env,
  REGISTRY_TABLE_NAME: 'meshshift-registry',
  STATE_MACHINE_ARN: 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout',
  MESH_NAME: 'colorapp',
  CLUSTER_NAME: 'default',
  POLICY_PARAMETER_PREFIX: '/meshshift/',
  AWS_REGION: 'us-west-2',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Module init time: a fresh Node process timing only the `require` of the handler module. */
function initMs(modulePath: string, nodeOptions: string[]): number {
  const script = `const start = process.hrtime.bigint(); require(${JSON.stringify(modulePath)}); process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));`;
  return Number(execFileSync(process.execPath, ['--no-warnings', ...nodeOptions, '-e', script], { env: environment, cwd: root, encoding: 'utf8' }));
}

function medianInit(modulePath: string, samples: number, nodeOptions: string[] = []): number {
  initMs(modulePath, nodeOptions);
  return round(median(Array.from({ length: samples }, () => initMs(modulePath, nodeOptions))));
}

function functionFolders(): string[] {
  return readdirSync(join(root, 'functions')).filter((name) => name !== 'shared' && statSync(join(root, 'functions', name)).isDirectory());
}

/**
 * For each function: the bundle as template.yaml's esbuild settings make it (dist/, from
 * `npm run build`, SDK left to the runtime, loaded with --enable-source-maps as the template's
 * NODE_OPTIONS say), the same with the SDK bundled in, and the handler unbundled (TypeScript
 * compiled file by file, dependencies loaded from node_modules).
 */
export async function measureColdStart(samples = 21): Promise<ColdStartRow[]> {
  const work = join(root, '.bench');
  const sources: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) sources.push(path);
    }
  };
  walk(join(root, 'functions'));
  await build({ entryPoints: sources, outdir: join(work, 'unbundled', 'functions'), outbase: join(root, 'functions'), platform: 'node', format: 'cjs', target: 'es2022', bundle: false, logLevel: 'error' });

  const rows: ColdStartRow[] = [];
  for (const folder of functionFolders()) {
    const deployed = join(root, 'dist', folder, 'handler.js');
    const sdkBundled = join(work, 'sdk-bundled', folder, 'handler.js');
    mkdirSync(join(work, 'sdk-bundled', folder), { recursive: true });
    await build({
      entryPoints: [join(root, 'functions', folder, 'handler.ts')],
      outfile: sdkBundled,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      minify: true,
      logLevel: 'error',
    });
    rows.push({
      functionName: folder,
      deployedBytes: statSync(deployed).size,
      deployedInitMs: medianInit(deployed, samples, ['--enable-source-maps']),
      sdkBundledBytes: statSync(sdkBundled).size,
      sdkBundledInitMs: medianInit(sdkBundled, samples),
      unbundledInitMs: medianInit(join(work, 'unbundled', 'functions', folder, 'handler.js'), samples),
    });
    process.stderr.write(`  cold start: ${relative(root, deployed)} measured\n`);
  }
  return rows;
}
