// Bundles the fixture workflows once and caches the bundle on disk, keyed by a hash of the
// workflow sources, so test files do not each pay for webpack.
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures');
export const workflowsPath = join(fixtures, 'workflows.ts');
const cacheDir = join(here, '..', '..', '..', '.cache', 'temporal-lite-bundles');

function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(fixtures)
    .filter((n) => n.endsWith('.ts'))
    .sort())
    h.update(f).update(readFileSync(join(fixtures, f)));
  return h.digest('hex').slice(0, 16);
}

let cached: Promise<WorkflowBundleWithSourceMap> | undefined;

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cached ??= (async () => {
    const file = join(cacheDir, `${sourceHash()}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(bundle));
    renameSync(tmp, file);
    return bundle;
  })();
  return cached;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
