/**
 * The job activities: plain async functions over the hub store, the gateway's method invoker and
 * the desired-property notifier. `createJobActivities(deps)` is what the worker registers; the
 * workflows proxy `JobActivities` by type only.
 */
import type { SeqRange } from '../src/registry/job-records.js';
import type { BatchCounts, JobOperation } from '../workflows/types.js';
import { bookkeepingActivities } from './bookkeeping.js';
import type { JobActivityDeps } from './deps.js';
import { methodBatchActivity } from './method-batch.js';
import { resolveActivities } from './resolve.js';
import { twinBatchActivity } from './twin-batch.js';

export type { JobActivityDeps } from './deps.js';

export function createJobActivities(deps: JobActivityDeps) {
  const processMethodBatch = methodBatchActivity(deps);
  const processTwinBatch = twinBatchActivity(deps);
  return {
    ...resolveActivities(deps),
    /**
     * One batch of a shard: the job's operation on the records of `range`; returns the range's final
     * counts. `deviceConcurrency` (method jobs) is absent from batches of jobs started before it.
     */
    async processDeviceBatch(input: { jobId: string; range: SeqRange; operation: JobOperation; deviceConcurrency?: number }): Promise<BatchCounts> {
      const { jobId, range, operation } = input;
      return operation.kind === 'method'
        ? processMethodBatch(jobId, range, operation.call, input.deviceConcurrency ?? range.to - range.from)
        : processTwinBatch(jobId, range, operation.update);
    },
    ...bookkeepingActivities(deps),
  };
}

export type JobActivities = ReturnType<typeof createJobActivities>;
