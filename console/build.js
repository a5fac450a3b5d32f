#!/usr/bin/env node
// Builds the console into dist/ (vite build), unless dist/ already holds the output of the same
// inputs (this app's files, the lock file, Node's version), so `npm ci` then `npm test` or
// `npm start` build it once. Prints the size of its scripts gzipped (budget: 150 kB). `--force`
// rebuilds anyway.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const stampFile = join(out, 'build.json');
const INPUTS = ['package.json', 'build.js', 'vite.config.js', 'svelte.config.js', 'index.html', 'src'];
const JS_BUDGET = 150 * 1024;

const files = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => files(join(path, name)))
    : [path];

function inputsHash() {
  const hash = createHash('sha256').update(process.version);
  for (const file of INPUTS.flatMap((input) => files(join(here, input)))) hash.update(relative(here, file)).update(readFileSync(file));
  const lock = join(here, '..', 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return undefined;
  }
}

const inputs = inputsHash();
const stamp = readStamp();
if (!process.argv.includes('--force') && stamp?.inputs === inputs && existsSync(join(out, 'index.html'))) {
  console.log(`console: dist/ is up to date (scripts ${(stamp.jsGzipBytes / 1024).toFixed(1)} kB gzipped)`);
  process.exit(0);
}

const started = Date.now();
const { build } = await import('vite');
await build({ root: here, configFile: join(here, 'vite.config.js') });
const jsGzipBytes = files(out)
  .filter((file) => file.endsWith('.js'))
  .reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
writeFileSync(stampFile, `${JSON.stringify({ inputs, jsGzipBytes }, null, 2)}\n`);
console.log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s, scripts ${(jsGzipBytes / 1024).toFixed(1)} kB gzipped`);
if (jsGzipBytes > JS_BUDGET) {
  console.error(`console: the scripts exceed the budget of ${JS_BUDGET / 1024} kB gzipped`);
  process.exit(1);
}
