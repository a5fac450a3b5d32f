/**
 * The batch activities over a record range, at most tuning.batchConcurrency at once, from a cursor
 * the caller keeps: a shard (shard.ts), or the job itself when it is small enough to need no shard
 * (job.ts). Deterministic workflow code.
 */
import { ActivityFailure, condition, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import type { JobOperation, JobTuning, SeqRange, ShardCounters } from './types.js';

/** What the batches work on. */
export interface BatchWork {
  jobId: string;
  range: SeqRange;
  operation: JobOperation;
  tuning: JobTuning;
}

/** The first record not dispatched yet, and what the dispatched batches came to. */
export interface BatchCursor {
  next: number;
  counters: ShardCounters;
}

/**
 * Time for one batch attempt: a method batch calls its devices deviceConcurrency at a time, so up
 * to ⌈batchSize / deviceConcurrency⌉ rounds of connect + response timeout, plus slack (jobs started
 * before deviceConcurrency existed call the whole batch at once: one round). Method batches
 * heartbeat as devices answer, so a dead worker is noticed within the heartbeat timeout; a twin
 * batch is one transaction with nothing to report until it commits.
 */
function batchOptions(operation: JobOperation, tuning: JobTuning): ActivityOptions {
  if (operation.kind !== 'method') return { startToCloseTimeout: '300 seconds', retry: BATCH_RETRY };
  const perDevice = operation.call.connectTimeoutInSeconds + operation.call.responseTimeoutInSeconds;
  const rounds = Math.ceil(tuning.batchSize / (tuning.deviceConcurrency ?? tuning.batchSize));
  return { startToCloseTimeout: `${rounds * perDevice + 300} seconds`, heartbeatTimeout: '30 seconds', retry: BATCH_RETRY };
}

const BATCH_RETRY = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 };

export class BatchRunner {
  /** Batch start → its device count. */
  private readonly inflight = new Map<number, number>();
  private readonly processDeviceBatch: JobActivities['processDeviceBatch'];

  /** `settled` runs after each batch ends (its counts are in the cursor by then). */
  constructor(
    private readonly work: BatchWork,
    private readonly cursor: BatchCursor,
    private readonly settled: () => void,
  ) {
    this.processDeviceBatch = proxyActivities<JobActivities>(batchOptions(work.operation, work.tuning)).processDeviceBatch;
  }

  /** Devices of the batches in flight. */
  get inflightDevices(): number {
    let devices = 0;
    for (const count of this.inflight.values()) devices += count;
    return devices;
  }

  /** Dispatches while `mayDispatch()` holds and records are left, then waits for the batches in flight. */
  async run(mayDispatch: () => boolean): Promise<void> {
    const { range, tuning } = this.work;
    for (;;) {
      while (this.cursor.next < range.to && this.inflight.size < tuning.batchConcurrency && mayDispatch()) this.dispatch();
      if (this.inflight.size === 0) return;
      const before = this.inflight.size;
      await condition(() => this.inflight.size < before);
    }
  }

  private dispatch(): void {
    const { jobId, range, operation, tuning } = this.work;
    const { cursor } = this;
    const from = cursor.next;
    const to = Math.min(from + tuning.batchSize, range.to);
    cursor.next = to;
    this.inflight.set(from, to - from);
    this.processDeviceBatch({ jobId, range: { from, to }, operation, deviceConcurrency: tuning.deviceConcurrency })
      .then(
        (counts) => {
          cursor.counters.succeeded += counts.succeeded;
          cursor.counters.failed += counts.failed;
        },
        (err: unknown) => {
          // Retries are exhausted: count the batch failed; the job closes its unfinished records.
          cursor.counters.failed += to - from;
          cursor.counters.failedBatches += 1;
          cursor.counters.lastError = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        },
      )
      .finally(() => {
        this.inflight.delete(from);
        this.settled();
      });
  }
}
