#!/usr/bin/env node
// Builds the Web UI into build/ (vite build of this SvelteKit app), unless build/ already holds
// the output of the same inputs: this app's files, the installed packages (the lock file) and
// Node's version. The stamp file records those inputs' hash and the @temporalio/ui version, which
// temporal-lite reports as the UI's version. `--force` rebuilds anyway.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState } from '../scripts/build-stamp.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
const stampFile = join(out, 'temporal-ui.json');
const INPUTS = ['package.json', 'build.js', 'svelte.config.js', 'vite.config.js', 'tailwind.config.cjs', 'postcss.config.js', 'src'];

function uiVersion() {
  // The package exports its dist files only: its package.json is found from one of them.
  const dist = dirname(dirname(fileURLToPath(import.meta.resolve('@temporalio/ui/theme/plugin'))));
  return JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')).version;
}

const { inputs, stamp } = buildState(here, INPUTS, stampFile);
if (!process.argv.includes('--force') && stamp?.inputs === inputs && existsSync(join(out, 'index.html'))) {
  console.log(`temporal-ui: build/ is up to date (@temporalio/ui ${stamp.uiVersion})`);
  process.exit(0);
}

const started = Date.now();
console.log('temporal-ui: building the Temporal Web UI (vite build)…');
rmSync(out, { recursive: true, force: true });
const { build } = await import('vite');
await build({ root: here, configFile: join(here, 'vite.config.js') });
writeFileSync(stampFile, `${JSON.stringify({ uiVersion: uiVersion(), inputs }, null, 2)}\n`);
console.log(`temporal-ui: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
