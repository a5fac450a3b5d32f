/**
 * The job activities: plain async functions over the hub store, the gateway's method invoker and
 * the desired-property notifier. `createJobActivities(deps)` is what the worker registers; the
 * workflows proxy `JobActivities` by type only.
 */
import type { SeqRange } from '../src/registry/job-records.js';
import type { BatchCounts, JobOperation } from '../workflows/types.js';
import type { BatchProgressLimits } from './batch-progress.js';
import { bookkeepingActivities } from './bookkeeping.js';
import type { JobActivityDeps } from './deps.js';
import { methodBatchActivity } from './method-batch.js';
import { offlineWaitActivities } from './offline-wait.js';
import { resolveActivities } from './resolve.js';
import { twinBatchActivity } from './twin-batch.js';

export type { JobActivityDeps } from './deps.js';

/** One batch of a job: the job's operation on the records of `range`. */
export interface DeviceBatch {
  jobId: string;
  range: SeqRange;
  operation: JobOperation;
  /** Devices a method batch calls at once. */
  deviceConcurrency: number;
  /** How often a method batch tells the workflow its progress. */
  progress: BatchProgressLimits;
  /** Set when offline devices wait for their device (MethodBatch.waitForDeviceUntil). */
  waitForDeviceUntil?: string;
}

export function createJobActivities(deps: JobActivityDeps) {
  const processMethodBatch = methodBatchActivity(deps);
  const processTwinBatch = twinBatchActivity(deps);
  return {
    ...resolveActivities(deps),
    /** One batch; returns the range's final counts. */
    async processDeviceBatch({ operation, ...batch }: DeviceBatch): Promise<BatchCounts> {
      return operation.kind === 'method' ? processMethodBatch({ ...batch, call: operation.call }) : processTwinBatch(batch.jobId, batch.range, operation.update);
    },
    ...bookkeepingActivities(deps),
    ...offlineWaitActivities(deps),
  };
}

export type JobActivities = ReturnType<typeof createJobActivities>;
