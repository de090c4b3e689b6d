#!/usr/bin/env node
// Bundles every esbuild-built function of template.yaml the way `sam build` would, into
// dist/<folder>/handler.js (folder = the entry point's directory, e.g. functions/shift-traffic/).
//
// Reads the esbuild options from each function's Metadata.BuildProperties and applies the same
// defaults as SAM's builder (aws-lambda-builders, nodejs_npm_esbuild): bundle, platform node,
// target es2020, format cjs and minify unless the template says otherwise. So a bundle that
// builds, and a size that looks right, here are what SAM will produce too.
//
// Usage: node scripts/build-bundles.mjs [--template template.yaml] [--outdir dist]
//                                       [--no-write] [--json] [Name ...]
//   --template defaults to the repository's template.yaml; CodeUri and EntryPoints are
//              relative to the template's directory, as with SAM
//   --outdir   defaults to dist/ beside the template
//   Name       only these functions (logical id or folder name)
//   --no-write bundle in memory only (checks that everything builds; used by the tests)
//   --json     print the result as JSON instead of a table
// Exits 1 when an entry point is missing or esbuild fails.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { yamlParse } from 'yaml-cfn';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** yaml-cfn's errors give the line, not the file. */
function loadTemplate(path) {
  try {
    return yamlParse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error.message}`);
  }
}

function parseArgs(argv) {
  const options = { template: join(ROOT, 'template.yaml'), outdir: undefined, write: true, json: false, only: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--template' || arg === '--outdir') {
      const value = argv[(i += 1)];
      if (!value) throw new Error(`${arg} needs a value`);
      options[arg.slice(2)] = resolve(process.cwd(), value);
    } else if (arg === '--no-write') options.write = false;
    else if (arg === '--json') options.json = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else options.only.push(arg);
  }
  return options;
}

/** SAM passes every BuildProperties value as text to the esbuild CLI; accept both forms. */
function isTrue(value) {
  return value === true || String(value).toLowerCase() === 'true';
}

/** Functions of the template built with esbuild, Globals applied the way SAM does. */
function esbuildFunctions(template) {
  const globals = template.Globals?.Function ?? {};
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildMethod === 'esbuild')
    .map(([logicalId, r]) => {
      const props = r.Metadata.BuildProperties ?? {};
      const codeUri = r.Properties?.CodeUri ?? globals.CodeUri ?? '.';
      if (typeof codeUri !== 'string') throw new Error(`${logicalId}: CodeUri must be a local path`);
      const entryPoints = props.EntryPoints;
      if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
        throw new Error(`${logicalId}: Metadata.BuildProperties.EntryPoints must be a non-empty list`);
      }
      return { logicalId, codeUri, props, entryPoints, folder: basename(dirname(entryPoints[0])) };
    });
}

/** esbuild options equivalent to the CLI flags SAM's builder passes. */
function esbuildOptions(fn, baseDir, outdir) {
  const { props } = fn;
  const options = {
    absWorkingDir: resolve(baseDir, fn.codeUri),
    entryPoints: fn.entryPoints,
    bundle: true,
    platform: 'node',
    outdir,
    target: props.Target ?? 'es2020',
    format: props.Format ?? 'cjs',
    minify: props.Minify === undefined ? true : isTrue(props.Minify),
    sourcemap: isTrue(props.Sourcemap),
    external: props.External ?? [],
    logLevel: 'silent',
    metafile: true,
  };
  if (props.SourcesContent !== undefined) options.sourcesContent = isTrue(props.SourcesContent);
  if (props.MainFields !== undefined) options.mainFields = String(props.MainFields).split(',');
  if (props.Loader !== undefined) {
    options.loader = Object.fromEntries(props.Loader.map((l) => String(l).split('=')));
  }
  if (props.Banner !== undefined) {
    options.banner = Object.fromEntries(props.Banner.map((b) => {
      const eq = String(b).indexOf('=');
      return [String(b).slice(0, eq), String(b).slice(eq + 1)];
    }));
  }
  if (props.OutExtension !== undefined) {
    options.outExtension = Object.fromEntries(props.OutExtension.map((o) => String(o).split('=')));
  }
  return options;
}

async function bundle(fn, options) {
  const base = resolve(options.baseDir, fn.codeUri);
  const missing = fn.entryPoints.filter((entry) => !existsSync(join(base, entry)));
  if (missing.length > 0) {
    return { ...fn, ok: false, error: `entry point missing: ${missing.join(', ')}` };
  }
  const outdir = join(options.outdir, fn.folder);
  if (options.write) rmSync(outdir, { recursive: true, force: true });
  try {
    const result = await build({ ...esbuildOptions(fn, options.baseDir, outdir), write: options.write });
    const outputs = Object.entries(result.metafile.outputs).filter(([file]) => !file.endsWith('.map'));
    const bytes = outputs.reduce((sum, [, meta]) => sum + meta.bytes, 0);
    const warnings = result.warnings.map((w) => w.text);
    return { ...fn, ok: true, bytes, outputs: outputs.map(([file]) => relative(options.baseDir, resolve(base, file))), warnings };
  } catch (error) {
    const errors = error.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    return { ...fn, ok: false, error: errors?.join('\n') ?? String(error) };
  }
}

function printTable(results) {
  const rows = results.map((r) => [r.logicalId, r.ok ? r.outputs.join(' ') : 'FAILED', r.ok ? String(r.bytes) : '']);
  const header = ['function', 'bundle', 'bytes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    for (const w of r.warnings ?? []) console.warn(`warning ${r.logicalId}: ${w}`);
    if (!r.ok) console.error(`error ${r.logicalId}: ${r.error}`);
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const template = loadTemplate(options.template);
  options.baseDir = dirname(options.template);
  options.outdir ??= join(options.baseDir, 'dist');
  let functions = esbuildFunctions(template);
  if (options.only.length > 0) {
    const unknown = options.only.filter((n) => !functions.some((f) => f.logicalId === n || f.folder === n));
    if (unknown.length > 0) throw new Error(`no esbuild function named ${unknown.join(', ')}`);
    functions = functions.filter((f) => options.only.includes(f.logicalId) || options.only.includes(f.folder));
  }
  if (functions.length === 0) throw new Error(`${options.template}: no AWS::Serverless::Function with BuildMethod esbuild`);
  if (options.write) mkdirSync(options.outdir, { recursive: true });

  const results = await Promise.all(functions.map((fn) => bundle(fn, options)));
  if (options.json) {
    console.log(JSON.stringify(results.map(({ logicalId, folder, ok, bytes, error }) => ({ logicalId, folder, ok, bytes, error })), null, 2));
  } else {
    printTable(results);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
