/**
 * The job activities: plain async functions over the hub store, the gateway's method invoker and
 * the desired-property notifier. `createJobActivities(deps)` is what the worker registers; the
 * workflows proxy `JobActivities` by type only.
 */
import type { SeqRange } from '../src/registry/job-records.js';
import { noFailures } from '../workflows/rollout-types.js';
import type { BatchCounts, JobOperation, RolloutBatch, RolloutBatchResult } from '../workflows/types.js';
import type { BatchProgressLimits } from './batch-progress.js';
import { bookkeepingActivities } from './bookkeeping.js';
import type { JobActivityDeps } from './deps.js';
import { methodBatchActivity } from './method-batch.js';
import { offlineWaitActivities } from './offline-wait.js';
import { resolveActivities } from './resolve.js';
import { rolloutBatchActivity } from './rollout-batch.js';
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
  const processRolloutMethodBatch = rolloutBatchActivity(deps);
  return {
    ...resolveActivities(deps),
    /**
     * One batch; returns the range's final counts. Its failed devices go to the hooks that want
     * them, before the batch ends, so they come before the job's last event.
     */
    async processDeviceBatch({ operation, ...batch }: DeviceBatch): Promise<BatchCounts> {
      const counts =
        operation.kind === 'method'
          ? await processMethodBatch({ ...batch, call: operation.call })
          : await processTwinBatch(batch.jobId, batch.range, operation.update);
      if (counts.failed > 0) {
        const jobType = operation.kind === 'method' ? 'scheduleDeviceMethod' : 'scheduleUpdateTwin';
        await deps.publishJobEvent({
          kind: 'devicesFailed',
          jobId: batch.jobId,
          jobType,
          time: new Date().toISOString(),
          range: batch.range,
          failed: counts.failed,
        });
      }
      return counts;
    },
    /**
     * One batch of a rollout job. Twin jobs have no retries (their failures are not transient) and
     * no failure types but `other`, so their batches are plain range batches.
     */
    async processRolloutBatch(batch: RolloutBatch): Promise<RolloutBatchResult> {
      const { operation, devices } = batch;
      if (operation.kind === 'method') return processRolloutMethodBatch(batch, operation.call);
      if (!('range' in devices)) return { claimed: 0, counts: { succeeded: 0, failed: 0, failures: noFailures(), retrying: 0 }, queue: { waiting: 0 } };
      const { succeeded, failed } = await processTwinBatch(batch.jobId, devices.range, operation.update);
      return {
        claimed: devices.range.to - devices.range.from,
        counts: { succeeded, failed, failures: { ...noFailures(), other: failed }, retrying: 0 },
        queue: { waiting: 0 },
      };
    },
    ...bookkeepingActivities(deps),
    ...offlineWaitActivities(deps),
  };
}

export type JobActivities = ReturnType<typeof createJobActivities>;
