// Bundles the operator CLI into one file, so `meshshift` runs with plain Node (no TypeScript loader).
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/meshshift.ts'],
  outfile: 'dist/cli/meshshift.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
console.log('dist/cli/meshshift.js');
