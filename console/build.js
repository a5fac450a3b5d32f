#!/usr/bin/env node
// Builds the console into dist/ (vite build), unless dist/ already holds the output of the same
// inputs (this app's files, the lock file, Node's version), so `npm ci` then `npm test` or
// `npm start` build it once. Prints the size of its scripts gzipped (budget: 150 kB). `--force`
// rebuilds anyway.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildState, filesBelow } from '../scripts/build-stamp.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const stampFile = join(out, 'build.json');
const INPUTS = ['package.json', 'build.js', 'vite.config.js', 'svelte.config.js', 'index.html', 'src'];
const JS_BUDGET = 150 * 1024;

const { inputs, stamp } = buildState(here, INPUTS, stampFile);
if (!process.argv.includes('--force') && stamp?.inputs === inputs && existsSync(join(out, 'index.html'))) {
  console.log(`console: dist/ is up to date (scripts ${(stamp.jsGzipBytes / 1024).toFixed(1)} kB gzipped)`);
  process.exit(0);
}

const started = Date.now();
const { build } = await import('vite');
await build({ root: here, configFile: join(here, 'vite.config.js') });
const jsGzipBytes = filesBelow(out)
  .filter((file) => file.endsWith('.js'))
  .reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
writeFileSync(stampFile, `${JSON.stringify({ inputs, jsGzipBytes }, null, 2)}\n`);
console.log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s, scripts ${(jsGzipBytes / 1024).toFixed(1)} kB gzipped`);
if (jsGzipBytes > JS_BUDGET) {
  console.error(`console: the scripts exceed the budget of ${JS_BUDGET / 1024} kB gzipped`);
  process.exit(1);
}
