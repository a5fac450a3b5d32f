/**
 * A shard of a job: runs batch activities over its record range with bounded concurrency, tells
 * the parent its progress a bounded number of times, stops dispatching on `stop`, and continues
 * as new (carrying its cursor and counters) before its history passes tuning.shardHistoryLimit.
 */
import {
  ActivityFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import { shardProgressSignal } from './job-messages.js';
import { stopShardSignal } from './shard-messages.js';
import { progressStep } from './sharding.js';
import type { JobOperation, ShardInput, ShardResult } from './types.js';

/**
 * Time for one batch attempt: every device's connect + response timeout (devices run concurrently),
 * plus slack. Method batches heartbeat as devices answer, so a dead worker is noticed within the
 * heartbeat timeout; a twin batch is one transaction with nothing to report until it commits.
 */
function batchOptions(operation: JobOperation): ActivityOptions {
  const perDevice = operation.kind === 'method' ? operation.call.connectTimeoutInSeconds + operation.call.responseTimeoutInSeconds : 0;
  return {
    startToCloseTimeout: `${perDevice + 300} seconds`,
    ...(operation.kind === 'method' && { heartbeatTimeout: '30 seconds' }),
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
  };
}

export async function iotHubJobShard(input: ShardInput): Promise<ShardResult> {
  const { jobId, range, tuning } = input;
  let stopped = false;
  setHandler(stopShardSignal, () => void (stopped = true));
  const { processDeviceBatch } = proxyActivities<JobActivities>(batchOptions(input.operation));
  const step = progressStep(range, tuning);
  const counters = { ...input.counters };
  let next = input.next;
  let reported = input.reported;
  let reportedAt = input.reportedAt;
  const inflight = new Map<number, number>(); // batch start → devices
  // The last progress signal: awaited before the shard ends, so its delivery never races the end.
  let signalled: Promise<unknown> = Promise.resolve();

  const inflightDevices = () => [...inflight.values()].reduce((sum, n) => sum + n, 0);
  const reportProgress = () => {
    const finished = counters.succeeded + counters.failed;
    if (finished - reported < step || finished >= range.to - range.from || Date.now() - reportedAt < tuning.progressIntervalMs) return;
    reported = finished;
    reportedAt = Date.now();
    const progress = { shard: input.shard, succeeded: counters.succeeded, failed: counters.failed, running: inflightDevices() };
    signalled = getExternalWorkflowHandle(jobId) // the parent's id is the job id
      .signal(shardProgressSignal, progress)
      .catch(() => undefined); // the parent is gone: nobody to tell
  };
  const historyFull = () => workflowInfo().historyLength >= tuning.shardHistoryLimit;
  const mayDispatch = () => !stopped && next < range.to && inflight.size < tuning.batchConcurrency && !historyFull();

  const dispatch = (from: number) => {
    const to = Math.min(from + tuning.batchSize, range.to);
    inflight.set(from, to - from);
    processDeviceBatch({ jobId, range: { from, to }, operation: input.operation })
      .then(
        (counts) => {
          counters.succeeded += counts.succeeded;
          counters.failed += counts.failed;
        },
        (err: unknown) => {
          // Retries are exhausted: count the batch failed; the parent closes its unfinished records.
          counters.failed += to - from;
          counters.failedBatches += 1;
          counters.lastError = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        },
      )
      .finally(() => {
        inflight.delete(from);
        reportProgress();
      });
    return to;
  };

  for (;;) {
    while (mayDispatch()) next = dispatch(next);
    if (inflight.size === 0) break;
    const before = inflight.size;
    await condition(() => inflight.size < before);
  }
  await signalled;
  if (!stopped && next < range.to) {
    return continueAsNew<typeof iotHubJobShard>({ ...input, next, counters, reported, reportedAt });
  }
  return { ...counters, undispatched: range.to - next };
}
