import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Json, ROOT, loadProjectTemplate, serverlessFunctions } from './cfn';

const SCRIPT = join(ROOT, 'scripts', 'build-bundles.mjs');
const FIXTURES = join(__dirname, 'fixtures', 'bundle');

function buildBundles(...args: string[]): { status: number | null; results: Json; stderr: string } {
  const run = spawnSync(process.execPath, [SCRIPT, '--json', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  let results: Json;
  try {
    results = JSON.parse(run.stdout);
  } catch {
    results = undefined;
  }
  return { status: run.status, results, stderr: run.stderr };
}

describe('scripts/build-bundles.mjs', () => {
  const outdir = join(ROOT, 'dist', '.build-bundles-test');
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles each esbuild function into <outdir>/<folder>/handler.js, and nothing else', () => {
    // Prepare
    rmSync(outdir, { recursive: true, force: true });

    // Act
    const { status, results, stderr } = buildBundles('--template', join(FIXTURES, 'ok.template.yaml'), '--outdir', outdir);

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(results).toEqual([{ logicalId: 'OkFunction', folder: 'ok', ok: true, bytes: expect.any(Number) }]);
    expect(existsSync(join(outdir, 'ok', 'handler.js.map'))).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(join(outdir, 'ok', 'handler.js')) as { handler: (e: { name: string }) => Promise<string> };
    return expect(bundle.handler({ name: '/a/b/c.txt' })).resolves.toBe('c.txt');
  });

  it('exits non-zero and names the function when an entry point is missing or esbuild fails', () => {
    // Prepare
    const template = join(FIXTURES, 'broken.template.yaml');

    // Act
    const { status, results } = buildBundles('--template', template, '--no-write');

    // Assess
    expect(status).toBe(1);
    expect(results).toEqual([
      expect.objectContaining({ logicalId: 'OkFunction', ok: true }),
      expect.objectContaining({ logicalId: 'MissingFunction', ok: false, error: expect.stringContaining('entry point missing') }),
      expect.objectContaining({ logicalId: 'BrokenFunction', ok: false, error: expect.stringContaining('notes.md') }),
    ]);
  });

  it('exits non-zero on an unknown function name', () => {
    // Prepare / Act
    const { status, stderr } = buildBundles('--template', join(FIXTURES, 'ok.template.yaml'), '--no-write', 'NoSuchFunction');

    // Assess
    expect(status).toBe(1);
    expect(stderr).toContain('NoSuchFunction');
  });

  it('bundles every function of template.yaml', () => {
    // Prepare
    const functionIds = serverlessFunctions(loadProjectTemplate()).map(([id]) => id);

    // Act
    const { status, results } = buildBundles('--no-write');

    // Assess
    expect(results.filter((r: Json) => !r.ok)).toEqual([]);
    expect(status).toBe(0);
    expect(results.map((r: Json) => r.logicalId).sort()).toEqual([...functionIds].sort());
  });
});
