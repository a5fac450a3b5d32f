/**
 * The batch activities over a record range, at most tuning.batchConcurrency at once, from a cursor
 * the caller keeps: a shard (shard.ts), or the job itself when it is small enough to need no shard
 * (job.ts). Method batches tell their progress while devices answer (batchProgressSignal, handled
 * by the workflow running them); twin batches commit all at once. Deterministic workflow code.
 */
import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import { batchSummary } from './activity-summaries.js';
import { errorMessage } from './errors.js';
import { waitForDeviceUntil } from './offline-wait-job.js';
import { Semaphore } from './semaphore.js';
import type { BatchCounts, BatchProgress, JobOperation, JobTuning, SeqRange, ShardCounters } from './types.js';

/** What the batches work on. */
export interface BatchWork {
  jobId: string;
  range: SeqRange;
  operation: JobOperation;
  tuning: JobTuning;
  /** Offline devices wait this long for their device (a method job's rollout); absent: they fail. */
  waitForOfflineDevicesInSeconds?: number;
}

/** The first record not dispatched yet, and what the dispatched batches came to. */
export interface BatchCursor {
  next: number;
  counters: ShardCounters;
}

/** Devices finished so far (batches ended and outcomes reported by batches in flight) and in flight. */
export interface RangeProgress {
  succeeded: number;
  failed: number;
  running: number;
}

const BATCH_RETRY: RetryPolicy = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 };

/**
 * Time for one batch attempt: a method batch calls its devices deviceConcurrency at a time, so up
 * to ⌈batchSize / deviceConcurrency⌉ rounds of connect + response timeout, plus slack. Batches
 * heartbeat while they work (method batches as devices answer, twin batches while their transaction
 * runs), so an attempt whose worker died is retried within the heartbeat timeout, not at the end
 * of its start-to-close timeout (Temporal: "Activity Heartbeat Timeout", docs.temporal.io/encyclopedia/detecting-activity-failures).
 */
function batchOptions(operation: JobOperation, tuning: JobTuning): ActivityOptions {
  if (operation.kind !== 'method') return { startToCloseTimeout: '300 seconds', heartbeatTimeout: '15 seconds', retry: BATCH_RETRY };
  const perDevice = operation.call.connectTimeoutInSeconds + operation.call.responseTimeoutInSeconds;
  const rounds = Math.ceil(tuning.batchSize / tuning.deviceConcurrency);
  return { startToCloseTimeout: `${rounds * perDevice + 300} seconds`, heartbeatTimeout: '30 seconds', retry: BATCH_RETRY };
}

export class BatchRunner {
  /** Batches in flight: first record → devices, and the outcomes the batch reported so far. */
  private readonly inflight = new Map<number, { size: number; reported: BatchCounts }>();
  private readonly options: ActivityOptions;

  /** `changed` runs whenever progress() moved: a batch ended or reported. */
  constructor(
    private readonly work: BatchWork,
    readonly cursor: BatchCursor,
    private readonly changed: () => void,
  ) {
    this.options = batchOptions(work.operation, work.tuning);
  }

  progress(): RangeProgress {
    let { succeeded, failed } = this.cursor.counters;
    let running = 0;
    for (const { size, reported } of this.inflight.values()) {
      succeeded += reported.succeeded;
      failed += reported.failed;
      running += size - reported.succeeded - reported.failed;
    }
    return { succeeded, failed, running };
  }

  /** A batch's report; late ones (the batch has ended) change nothing. */
  reported({ batch, succeeded, failed }: BatchProgress): void {
    const inflight = this.inflight.get(batch);
    if (!inflight || succeeded + failed > inflight.size) return;
    inflight.reported = { succeeded, failed };
    this.changed();
  }

  /** Dispatches while `mayDispatch()` holds (it may wait, e.g. while the job is paused) and records are left, then waits for the batches in flight. */
  async run(mayDispatch: () => boolean | Promise<boolean>): Promise<void> {
    const { range, tuning } = this.work;
    const slots = new Semaphore(tuning.batchConcurrency);
    const batches: Array<Promise<void>> = [];
    while (this.cursor.next < range.to) {
      await slots.acquire();
      if (!(await mayDispatch())) {
        slots.release();
        break;
      }
      const from = this.cursor.next;
      this.cursor.next = Math.min(from + tuning.batchSize, range.to);
      batches.push(this.runBatch({ from, to: this.cursor.next }).finally(() => slots.release()));
    }
    await Promise.all(batches);
  }

  /** One batch to its end; a batch whose retries ran out counts as failed (the job closes its records). */
  private async runBatch(range: SeqRange): Promise<void> {
    const { jobId, operation, tuning } = this.work;
    const { counters } = this.cursor;
    this.inflight.set(range.from, { size: range.to - range.from, reported: { succeeded: 0, failed: 0 } });
    try {
      const { processDeviceBatch } = proxyActivities<JobActivities>({ ...this.options, summary: batchSummary(operation, range) });
      const counts = await processDeviceBatch({
        jobId,
        range,
        operation,
        deviceConcurrency: tuning.deviceConcurrency,
        progress: { updates: tuning.batchProgressUpdates, intervalMs: tuning.progressIntervalMs },
        ...waitForDeviceUntil(this.work.waitForOfflineDevicesInSeconds),
      });
      counters.succeeded += counts.succeeded;
      counters.failed += counts.failed;
    } catch (err) {
      counters.failed += range.to - range.from;
      counters.failedBatches += 1;
      counters.lastError = errorMessage(err);
    }
    this.inflight.delete(range.from);
    this.changed();
  }
}
