/**
 * A shard of a job: runs batch activities over its record range with bounded concurrency, hears
 * their progress while they run (batchProgress), tells the parent its own a bounded number of
 * times, stops dispatching on `stop`, and continues as new (carrying its cursor and counters)
 * before its history passes tuning.shardHistoryLimit.
 */
import { continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { batchProgressSignal } from './batch-messages.js';
import { BatchRunner } from './batches.js';
import { shardProgressSignal } from './job-messages.js';
import { stopShardSignal } from './shard-messages.js';
import { progressStep } from './sharding.js';
import type { ShardInput, ShardResult } from './types.js';

export async function iotHubJobShard(input: ShardInput): Promise<ShardResult> {
  const { range, tuning } = input;
  let stopped = false;
  setHandler(stopShardSignal, () => void (stopped = true));
  const parent = new ParentReporter(input);
  const batches: BatchRunner = new BatchRunner(input, { next: input.next, counters: { ...input.counters } }, () => parent.report(batches));
  setHandler(batchProgressSignal, (progress) => batches.reported(progress));

  await batches.run(() => !stopped && workflowInfo().historyLength < tuning.shardHistoryLimit);
  await parent.delivered();
  const { next, counters } = batches.cursor;
  if (!stopped && next < range.to) {
    return continueAsNew<typeof iotHubJobShard>({ ...input, next, counters, reported: parent.reported, reportedAt: parent.reportedAt });
  }
  return { ...counters, undispatched: range.to - next };
}

/**
 * The shard's progress signals to its parent (the job workflow, whose id is the job id): one per
 * progressStep devices finished and not more often than progressIntervalMs, so at most
 * tuning.progressUpdates per shard; none for the last devices, whose counts the shard's result carries.
 */
class ParentReporter {
  reported: number;
  reportedAt: number;
  private readonly step: number;
  /** The last signal, awaited before the shard ends so that its delivery never races the end. */
  private signalled: Promise<unknown> = Promise.resolve();

  constructor(private readonly input: ShardInput) {
    this.reported = input.reported;
    this.reportedAt = input.reportedAt;
    this.step = progressStep(input.range, input.tuning);
  }

  report(batches: BatchRunner): void {
    const { shard, range, tuning, jobId } = this.input;
    const { succeeded, failed, running } = batches.progress();
    const finished = succeeded + failed;
    if (finished - this.reported < this.step || finished >= range.to - range.from || Date.now() - this.reportedAt < tuning.progressIntervalMs) return;
    this.reported = finished;
    this.reportedAt = Date.now();
    this.signalled = getExternalWorkflowHandle(jobId)
      .signal(shardProgressSignal, { shard, succeeded, failed, running })
      .catch(() => undefined); // the parent is gone: nobody to tell
  }

  delivered(): Promise<unknown> {
    return this.signalled;
  }
}
