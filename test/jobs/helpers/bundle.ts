import { fileURLToPath } from 'node:url';
import { bundleJobWorkflows, type WorkflowBundle } from '../../../src/temporal/bundle.js';

/** Shared by every test file: built once per source change, cached on disk. */
const CACHE_DIR = fileURLToPath(new URL('../../../.cache', import.meta.url));

let bundle: Promise<WorkflowBundle> | undefined;

export function jobsWorkflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleJobWorkflows({ cacheDir: CACHE_DIR });
  return bundle;
}
