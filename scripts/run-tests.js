#!/usr/bin/env node
// Runs every test/**/*.test.ts file with Node's built-in runner (TypeScript through tsx).
// Node 20's `--test` takes no globs, so the files are listed here. Extra arguments are
// passed through: `npm test -- test/registry` runs one folder, `-- --test-name-pattern X` filters.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => testFiles(join(path, name)));
}

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = (paths.length ? paths : ['test']).flatMap(testFiles);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// Each file gets at most this long (Node 20 applies it per file), so a hang fails one file
// instead of eating the whole CI budget.
const fileTimeoutMs = process.env.TEST_FILE_TIMEOUT_MS ?? '600000';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeoutMs}`, ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
