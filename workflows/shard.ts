/**
 * A shard of a job: runs batch activities over its record range with bounded concurrency, tells
 * the parent its progress a bounded number of times, stops dispatching on `stop`, and continues
 * as new (carrying its cursor and counters) before its history passes tuning.shardHistoryLimit.
 */
import { continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { BatchRunner } from './batches.js';
import { shardProgressSignal } from './job-messages.js';
import { stopShardSignal } from './shard-messages.js';
import { progressStep } from './sharding.js';
import type { ShardInput, ShardResult } from './types.js';

export async function iotHubJobShard(input: ShardInput): Promise<ShardResult> {
  const { jobId, range, tuning } = input;
  let stopped = false;
  setHandler(stopShardSignal, () => void (stopped = true));
  const step = progressStep(range, tuning);
  const cursor = { next: input.next, counters: { ...input.counters } };
  let reported = input.reported;
  let reportedAt = input.reportedAt;
  // The last progress signal: awaited before the shard ends, so its delivery never races the end.
  let signalled: Promise<unknown> = Promise.resolve();

  const reportProgress = () => {
    const { counters } = cursor;
    const finished = counters.succeeded + counters.failed;
    if (finished - reported < step || finished >= range.to - range.from || Date.now() - reportedAt < tuning.progressIntervalMs) return;
    reported = finished;
    reportedAt = Date.now();
    const progress = { shard: input.shard, succeeded: counters.succeeded, failed: counters.failed, running: batches.inflightDevices };
    signalled = getExternalWorkflowHandle(jobId) // the parent's id is the job id
      .signal(shardProgressSignal, progress)
      .catch(() => undefined); // the parent is gone: nobody to tell
  };
  const batches = new BatchRunner(input, cursor, reportProgress);
  const historyFull = () => workflowInfo().historyLength >= tuning.shardHistoryLimit;

  await batches.run(() => !stopped && !historyFull());
  await signalled;
  if (!stopped && cursor.next < range.to) {
    return continueAsNew<typeof iotHubJobShard>({ ...input, next: cursor.next, counters: cursor.counters, reported, reportedAt });
  }
  return { ...cursor.counters, undispatched: range.to - cursor.next };
}
