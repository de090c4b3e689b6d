// Bundles the operator CLI into one file, so `meshshift` runs with plain Node (no TypeScript loader).
// `node scripts/build-cli.mjs [OUTFILE]`: npm's prepare builds dist/cli/meshshift.js, so `npx meshshift`
// works right after `npm ci`; the test of the built CLI bundles it somewhere of its own.
import { build } from 'esbuild';

const outfile = process.argv[2] ?? 'dist/cli/meshshift.js';

await build({
  entryPoints: ['cli/meshshift.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
console.log(outfile);
