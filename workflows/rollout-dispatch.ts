/**
 * The dispatcher of a rollout job (one with rate, abort criteria or retries), run by its one shard
 * workflow: it starts devices on durable timer ticks at the job's rate (or, without one, as fast as
 * the job's batch slots allow: as many as a plain job's shards have together), re-dispatches the
 * retries that are due (the queue is in the store; the workflow keeps only its size and first due
 * time), stops starting devices while paused, applies new
 * settings at the next tick, and stops itself when an abort criterion is met. In-flight batches
 * always finish. Deterministic workflow code; its state (RolloutCursor) survives continue-as-new.
 */
import { condition, patched, proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import { rolloutBatchSummary } from './activity-summaries.js';
import type { RangeProgress } from './batches.js';
import { errorMessage } from './errors.js';
import { currentRate, type RampCounts } from './pacing.js';
import type { DispatchStatus, RolloutCommand } from './rollout-control.js';
import { abortCheck, finishedTogether, type FinishedDevices } from './rollout-abort.js';
import { FAILURE_KINDS, noFailures } from './rollout-types.js';
import { Semaphore } from './semaphore.js';
import { waitForDeviceUntil } from './offline-wait-job.js';
import type { JobOperation, JobTuning, RolloutBatch, RolloutBatchResult, SeqRange } from './types.js';

/** Where a rollout stands: carried from run to run of its shard. */
export interface RolloutCursor {
  /** The first record never dispatched. */
  next: number;
  finished: FinishedDevices;
  failedBatches: number;
  lastError?: string;
  /** Batches dispatched so far (their tokens are `b<n>`). */
  batches: number;
  /** The store's retry queue as the last batch saw it (`nextAt` in workflow time). */
  retry: { waiting: number; nextAt?: number };
  /**
   * The next tick (workflow time, ms), the fraction of a device owed from the last one, and the
   * devices started in the last minute ([time, devices], at most one entry a tick).
   */
  pace: { tickAt: number; credit: number; recent: Array<[number, number]> };
  /** The devices that finished after waiting for their device, as the job last told (absent until it did). */
  waited?: FinishedDevices;
  /** Set once an abort criterion was met: why. */
  aborted?: string;
}

export const newRolloutCursor = (range: SeqRange): RolloutCursor => ({
  next: range.from,
  finished: { succeeded: 0, failed: 0, failures: noFailures() },
  failedBatches: 0,
  batches: 0,
  retry: { waiting: 0 },
  pace: { tickAt: 0, credit: 0, recent: [] },
});

const MINUTE_MS = 60_000;

/** The tick of a rate: a second, or longer when under a device a second, so that each tick starts at least one. */
export const tickMs = (ratePerMinute: number): number => Math.max(1000, Math.ceil(60_000 / ratePerMinute));

/**
 * Batches a rollout job runs at once: as many as a plain job's shards together run
 * (shardConcurrency × batchConcurrency), since its one dispatcher starts every device of the job;
 * so a job without a rate (abort criteria, retries, the offline wait alone) is as fast as a plain
 * one, and a rate bounds them further. One workflow keeps up with that many: a batch costs it a few
 * workflow tasks in its whole run.
 */
export const rolloutBatchConcurrency = (tuning: JobTuning): number => tuning.shardConcurrency * tuning.batchConcurrency;

/** Runs begun before rolloutBatchConcurrency replay with one shard's batchConcurrency. */
const JOB_WIDE_CONCURRENCY_PATCH = 'rollout-job-wide-concurrency';

const BATCH_RETRY: RetryPolicy = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 };

export interface RolloutWork {
  jobId: string;
  range: SeqRange;
  operation: JobOperation;
  tuning: JobTuning;
}

export class RolloutDispatcher {
  /** Batches in flight: token → devices. */
  private readonly inflight = new Map<string, number>();
  private retrying = false;
  private stopped = false;
  /** Something the loop waits for happened: a batch ended, a command came, the stop. */
  private woken = false;
  private commanded = false;
  private readonly batchOptions: ActivityOptions;

  /** `changed` runs whenever progress() or status() moved. */
  constructor(
    private readonly work: RolloutWork,
    readonly cursor: RolloutCursor,
    private command: RolloutCommand,
    private readonly changed: () => void,
  ) {
    const { operation, tuning } = work;
    // A method batch calls its devices deviceConcurrency at a time, each within connect + response timeout.
    const perDevice = operation.kind === 'method' ? operation.call.connectTimeoutInSeconds + operation.call.responseTimeoutInSeconds : 1;
    const rounds = Math.ceil(tuning.batchSize / tuning.deviceConcurrency) + 1;
    this.batchOptions = {
      startToCloseTimeout: `${rounds * perDevice + 300} seconds`,
      ...(operation.kind === 'method' && { heartbeatTimeout: '30 seconds' }),
      retry: BATCH_RETRY,
    };
  }

  get settings(): RolloutCommand {
    return this.command;
  }

  /** Nothing left to do: stopped, aborted, or every device final with no batch in flight. */
  get ended(): boolean {
    const { cursor } = this;
    const allFinal = cursor.next >= this.work.range.to && cursor.retry.waiting === 0 && this.inflight.size === 0;
    return this.halted || allFinal;
  }

  /** Starts no more devices: the job stopped it, or an abort criterion was met (also while paused or between ticks). */
  private get halted(): boolean {
    return this.stopped || this.cursor.aborted !== undefined;
  }

  /** New settings or pause: taken at the next tick (a pause at once). */
  receive(command: RolloutCommand): void {
    this.command = command;
    this.commanded = true;
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** The job's wait told how its devices finished: they count toward the abort criteria too. */
  heardWaited(waited: FinishedDevices): void {
    this.cursor.waited = waited;
    this.checkAbort();
    this.wake();
  }

  ramp(): RampCounts {
    const { finished, next } = this.cursor;
    return { notified: next - this.work.range.from, succeeded: finished.succeeded - finished.failures.errorStatus };
  }

  status(): DispatchStatus {
    return { ramp: this.ramp(), waitingForRetryCount: this.cursor.retry.waiting, waitingForDeviceCount: 0 };
  }

  progress(): RangeProgress {
    let running = 0;
    for (const size of this.inflight.values()) running += size;
    const { succeeded, failed } = this.cursor.finished;
    return { succeeded, failed, running };
  }

  /**
   * Dispatches until every device is final, the job stops or aborts, or `mayContinue()` says the
   * run's history is full (the caller continues as new); then waits for the batches in flight.
   */
  async run(mayContinue: () => boolean): Promise<void> {
    const { tuning } = this.work;
    const slots = new Semaphore(patched(JOB_WIDE_CONCURRENCY_PATCH) ? rolloutBatchConcurrency(tuning) : tuning.batchConcurrency);
    const batches: Array<Promise<void>> = [];
    while (!this.halted && mayContinue()) {
      if (this.command.paused) {
        await condition(() => !this.command.paused || this.halted);
        this.cursor.pace = { ...this.cursor.pace, tickAt: Date.now(), credit: 0 };
        continue;
      }
      const fresh = this.cursor.next < this.work.range.to;
      if (!fresh && !this.retryDue()) {
        if (this.inflight.size === 0 && this.cursor.retry.waiting === 0) break;
        await this.waitForChange();
        continue;
      }
      const rate = currentRate(this.command.rollout, this.ramp());
      if (rate !== undefined && !(await this.tickReached(rate))) continue;
      const allowance = rate === undefined ? this.work.tuning.batchSize : this.cursor.pace.credit + (rate * tickMs(rate)) / MINUTE_MS;
      if (rate !== undefined && !(await this.minuteHasRoom(Math.floor(allowance), rate))) continue;
      const left = await this.dispatch(Math.floor(allowance), slots, batches);
      if (rate === undefined) continue;
      const { pace } = this.cursor;
      pace.recent.push([Date.now(), Math.floor(allowance) - left]);
      // Owed only while there are devices to start: an idle job saves up no burst.
      pace.credit = left === 0 ? allowance - Math.floor(allowance) : 0;
      pace.tickAt += tickMs(rate);
    }
    await Promise.all(batches);
  }

  /** Up to `count` devices: the retries due first, then fresh records, a batch (and a slot) each; returns how many were not started. */
  private async dispatch(count: number, slots: Semaphore, batches: Array<Promise<void>>): Promise<number> {
    let left = count;
    for (const kind of ['retries', 'fresh'] as const) {
      const wanted =
        kind === 'retries' ? (this.retryDue() ? Math.min(left, this.cursor.retry.waiting) : 0) : Math.min(left, this.work.range.to - this.cursor.next);
      if (wanted <= 0) continue;
      await slots.acquire();
      if (this.halted || this.command.paused) {
        slots.release();
        break;
      }
      left -= wanted;
      let devices: RolloutBatch['devices'];
      if (kind === 'retries') {
        this.retrying = true;
        devices = { dueBefore: Date.now(), limit: wanted };
      } else {
        devices = { range: { from: this.cursor.next, to: this.cursor.next + wanted } };
        this.cursor.next += wanted;
      }
      batches.push(this.runBatch(devices, wanted).finally(() => slots.release()));
    }
    return left;
  }

  private retryDue(): boolean {
    const { retry } = this.cursor;
    return !this.retrying && retry.waiting > 0 && retry.nextAt !== undefined && retry.nextAt <= Date.now();
  }

  /**
   * Waits (a durable timer) until the tick; true once it is reached, false when a command or the
   * stop came first (the loop looks again). A tick missed by over one tick (slots were busy, the run
   * continued as new) restarts the pace from now: the job never catches up in a burst.
   */
  private async tickReached(rate: number): Promise<boolean> {
    const { pace } = this.cursor;
    if (pace.tickAt < Date.now() - tickMs(rate)) this.cursor.pace = { ...pace, tickAt: Date.now(), credit: 0 };
    const wait = this.cursor.pace.tickAt - Date.now();
    if (wait <= 0) return true;
    this.commanded = false;
    return !(await condition(() => this.commanded || this.halted, wait));
  }

  /**
   * Waits while starting `count` more devices would put over `rate` into the last minute: a tick
   * whose timer fired late (the workflow task waited) must not crowd the minute, so the next is
   * held back by as much. False when a command or the stop came first.
   */
  private async minuteHasRoom(count: number, rate: number): Promise<boolean> {
    for (;;) {
      const now = Date.now();
      const { pace } = this.cursor;
      pace.recent = pace.recent.filter(([at]) => at > now - MINUTE_MS);
      const used = pace.recent.reduce((sum, [, devices]) => sum + devices, 0);
      if (used + count <= rate || pace.recent.length === 0) return true;
      this.commanded = false;
      if (await condition(() => this.commanded || this.halted, pace.recent[0]![0] + MINUTE_MS - now)) return false;
    }
  }

  /** Until a batch ends, a command or the stop comes, or the first retry is due. */
  private async waitForChange(): Promise<void> {
    this.woken = false;
    const { retry } = this.cursor;
    const due = !this.retrying && retry.waiting > 0 && retry.nextAt !== undefined ? Math.max(1, retry.nextAt - Date.now()) : undefined;
    if (due === undefined) await condition(() => this.woken);
    else await condition(() => this.woken, due);
  }

  private wake(): void {
    this.woken = true;
  }

  private async runBatch(devices: RolloutBatch['devices'], size: number): Promise<void> {
    const { jobId, operation, tuning } = this.work;
    const { cursor } = this;
    const token = `b${cursor.batches++}`;
    this.inflight.set(token, size);
    try {
      const { processRolloutBatch } = proxyActivities<JobActivities>({ ...this.batchOptions, summary: rolloutBatchSummary(operation, devices) });
      const result = await processRolloutBatch({
        jobId,
        token,
        devices,
        operation,
        ...(this.command.rollout.retry && { retry: this.command.rollout.retry }),
        deviceConcurrency: tuning.deviceConcurrency,
        dispatchedAt: Date.now(),
        ...waitForDeviceUntil(this.command.rollout.waitForOfflineDevicesInSeconds),
      });
      this.tally(result);
    } catch (err) {
      // Its devices are closed by the job (failed), which fails for it.
      cursor.finished.failed += size;
      cursor.failedBatches += 1;
      cursor.lastError = errorMessage(err);
    }
    if ('dueBefore' in devices) this.retrying = false;
    this.inflight.delete(token);
    this.wake();
    this.changed();
  }

  private tally({ counts, queue }: RolloutBatchResult): void {
    const { finished } = this.cursor;
    finished.succeeded += counts.succeeded;
    finished.failed += counts.failed;
    for (const kind of FAILURE_KINDS) finished.failures[kind] += counts.failures[kind];
    this.cursor.retry = queue;
    this.checkAbort();
  }

  private checkAbort(): void {
    const { cursor } = this;
    cursor.aborted ??= abortCheck(this.command.rollout.abortCriteria, finishedTogether(cursor.finished, cursor.waited));
  }
}
