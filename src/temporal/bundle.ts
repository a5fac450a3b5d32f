import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type { WorkflowBundleWithSourceMap as WorkflowBundle };

const here = dirname(fileURLToPath(import.meta.url));

/** workflows/index: the TypeScript source (tsx, tests) or the compiled file next to dist/src. */
export function workflowsEntry(): string {
  const base = join(here, '..', '..', 'workflows', 'index');
  const file = [`${base}.ts`, `${base}.js`].find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`The job workflows are missing: no ${base}.ts or .js`);
  return file;
}

const RELATIVE_IMPORT = /(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The files the workflow bundle is built from: the entry and every relative import it reaches. */
function workflowSources(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), specifier!);
      const found = [target.replace(/\.js$/, '.ts'), target].find((candidate) => existsSync(candidate));
      if (found) visit(found);
    }
  };
  visit(entry);
  return [...seen].sort();
}

/** Changes when a workflow source or the SDK version changes. */
function sourceHash(entry: string): string {
  const hash = createHash('sha256');
  const sdk = createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string };
  hash.update(sdk.version);
  for (const file of workflowSources(entry)) hash.update(file).update('\0').update(readFileSync(file));
  return hash.digest('hex').slice(0, 20);
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => console.error(message), log: noop };

/**
 * The job workflows bundled for the worker (webpack, a few seconds). With `cacheDir` the bundle is
 * kept on disk, keyed by a hash of the workflow sources, and reused by every later call (tests
 * share one across files; a hub may keep one in its data directory).
 */
export async function bundleJobWorkflows(options: { cacheDir?: string } = {}): Promise<WorkflowBundleWithSourceMap> {
  const workflowsPath = workflowsEntry();
  if (!options.cacheDir) return bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const file = join(options.cacheDir, `jobs-workflows-${sourceHash(workflowsPath)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  mkdirSync(options.cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(bundle));
  renameSync(partial, file);
  return bundle;
}
