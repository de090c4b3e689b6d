import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cfn';

/**
 * The SDK packages each deployed bundle loads at init. Loading a client is most of a
 * function's init, so only clients every invocation needs belong here; the rest load on first
 * use (functions/shared/wiring/on-first-use.ts). A top-level import of a wiring module brings a
 * client back into init without failing anything else, hence this test on the bundles themselves.
 */
const registry = ['client-dynamodb', 'lib-dynamodb'];
/** Run hook asks a team's hook and answers Step Functions, both on first use; it keeps nothing in the registry. */
const withoutRegistry = ['run-hook'];
const loadedAtInit: Record<string, string[]> = {
  'abandon-rollout': [],
  'check-health': ['client-cloudwatch'],
  'deploy-canary': ['client-ecs'],
  'ensure-canary-node': ['client-app-mesh'],
  // ECS and Step Functions come after the route is safe; the alarm handler is nearly always cold.
  'handle-alarm-event': ['client-app-mesh'],
  'handle-deployment-event': ['client-ecs', 'client-sfn'],
  // Step Functions only to stop a superseded rollout, SSM only without an inline policy.
  'prepare-rollout': ['client-app-mesh', 'client-cloudwatch', 'client-ecs'],
  // ECS only when a rollback raced the write.
  'promote-canary': ['client-app-mesh'],
  // Every run reads executions and alarms and may restore routes; ECS only for a lost deployment event or cleanup.
  'reconcile-rollouts': ['client-app-mesh', 'client-cloudwatch', 'client-sfn'],
  'retire-stable': ['client-app-mesh', 'client-ecs'],
  // ECS only to scale the canary down after the routes are restored.
  'roll-back': ['client-app-mesh'],
  'shift-traffic': ['client-app-mesh'],
  // Step Functions only when the deployment had already ended.
  'wait-for-canary-tasks': ['client-ecs'],
  'pause-rollout': [],
  'run-hook': [],
};

const listLoadedPackages = `
  require(process.argv[1]);
  const packages = Object.keys(require.cache).map((path) => /node_modules\\/@aws-sdk\\/([^/]+)\\//.exec(path)?.[1]).filter(Boolean);
  process.stdout.write(JSON.stringify([...new Set(packages)].sort()));
`;

describe('deployed bundles', () => {
  const outdir = join(ROOT, 'dist', '.init-clients-test');
  beforeAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-bundles.mjs'), '--json', '--outdir', outdir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('covers every function of the template', () => {
    // Assess
    expect(Object.keys(loadedAtInit).sort()).toEqual(readdirSync(join(ROOT, 'functions')).filter((name) => name !== 'shared').sort());
  });

  it.each(Object.entries(loadedAtInit))('%s loads at init only the SDK clients every invocation needs', (folder, clients) => {
    // Act
    const run = spawnSync(process.execPath, ['--no-warnings', '-e', listLoadedPackages, join(outdir, folder, 'handler.js')], { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 60_000 });

    // Assess
    expect(run.stderr).toBe('');
    const loaded = (JSON.parse(run.stdout) as string[]).filter((name) => name.startsWith('client-') || name.startsWith('lib-'));
    expect(loaded).toEqual([...clients, ...(withoutRegistry.includes(folder) ? [] : registry)].sort());
  });
});
