/**
 * A shard of a job: runs batch activities over its record range with bounded concurrency, hears
 * their progress while they run (batchProgress), tells the parent its own a bounded number of
 * times, stops dispatching on `stop` (and while the job is paused), and continues as new (carrying
 * its cursor and counters) before its history passes tuning.shardHistoryLimit. A rollout job's one
 * shard runs the rollout dispatcher (rollout-dispatch.ts) instead of plain batches.
 */
import { condition, continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { batchProgressSignal } from './batch-messages.js';
import { BatchRunner, type RangeProgress } from './batches.js';
import { shardProgressSignal } from './job-messages.js';
import type { DispatchStatus } from './rollout-control.js';
import { RolloutDispatcher } from './rollout-dispatch.js';
import { rolloutCommandSignal, stopShardSignal, waitedOutcomesSignal } from './shard-messages.js';
import { progressStep } from './sharding.js';
import type { ShardInput, ShardResult } from './types.js';

export async function iotHubJobShard(input: ShardInput): Promise<ShardResult> {
  if (input.rollout) return rolloutShard(input, input.rollout);
  const { range, tuning } = input;
  let stopped = false;
  let paused = false;
  setHandler(stopShardSignal, () => void (stopped = true));
  setHandler(rolloutCommandSignal, (command) => void (paused = command.paused));
  const parent = new ParentReporter(input);
  const batches: BatchRunner = new BatchRunner(input, { next: input.next, counters: { ...input.counters } }, () => parent.report(batches.progress()));
  setHandler(batchProgressSignal, (progress) => batches.reported(progress));

  const mayDispatch = async () => {
    await condition(() => !paused || stopped);
    return !stopped && workflowInfo().historyLength < tuning.shardHistoryLimit;
  };
  await batches.run(mayDispatch);
  await parent.delivered();
  const { next, counters } = batches.cursor;
  if (!stopped && next < range.to) {
    return continueAsNew<typeof iotHubJobShard>({ ...input, next, counters, reported: parent.reported, reportedAt: parent.reportedAt });
  }
  return { ...counters, undispatched: range.to - next };
}

/** A rollout job's shard: the dispatcher until every device is final (or the job stops or aborts), continuing as new on the way. */
async function rolloutShard(input: ShardInput, carried: NonNullable<ShardInput['rollout']>): Promise<ShardResult> {
  const { range, tuning } = input;
  const parent = new ParentReporter(input);
  const dispatcher: RolloutDispatcher = new RolloutDispatcher(input, carried.cursor, carried.command, () =>
    parent.report(dispatcher.progress(), dispatcher.status()),
  );
  setHandler(stopShardSignal, () => dispatcher.stop());
  setHandler(rolloutCommandSignal, (command) => dispatcher.receive(command));
  setHandler(waitedOutcomesSignal, (waited) => dispatcher.heardWaited(waited));

  await dispatcher.run(() => workflowInfo().historyLength < tuning.shardHistoryLimit);
  await parent.delivered();
  const { cursor } = dispatcher;
  const { succeeded, failed } = cursor.finished;
  if (!dispatcher.ended) {
    return continueAsNew<typeof iotHubJobShard>({
      ...input,
      rollout: { cursor, command: dispatcher.settings },
      reported: parent.reported,
      reportedAt: parent.reportedAt,
    });
  }
  return {
    succeeded,
    failed,
    failedBatches: cursor.failedBatches,
    ...(cursor.lastError !== undefined && { lastError: cursor.lastError }),
    undispatched: range.to - cursor.next,
    rollout: cursor,
  };
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

  report({ succeeded, failed, running }: RangeProgress, rollout?: DispatchStatus): void {
    const { shard, range, tuning, jobId } = this.input;
    const finished = succeeded + failed;
    if (finished - this.reported < this.step || finished >= range.to - range.from || Date.now() - this.reportedAt < tuning.progressIntervalMs) return;
    this.reported = finished;
    this.reportedAt = Date.now();
    this.signalled = getExternalWorkflowHandle(jobId)
      .signal(shardProgressSignal, { shard, succeeded, failed, running, ...(rollout && { rollout }) })
      .catch(() => undefined); // the parent is gone: nobody to tell
  }

  delivered(): Promise<unknown> {
    return this.signalled;
  }
}
