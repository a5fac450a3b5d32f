/**
 * The job workflow's state and its messages: what GET shows (jobResponse query), cancel (cancelJob
 * update), the shards' progress (shardProgress signal), and what lists show (the JobStatus search
 * attribute and the memo's view, kept up to date here).
 */
import { ApplicationFailure, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import { cancelJobUpdate, jobResponseQuery, NOTHING_TO_CANCEL, shardProgressSignal } from './job-messages.js';
import { closingOf, failureReasonOf, outcomeOf, statusOf, type JobFailure, type JobOutcome, type StopCause } from './job-outcome.js';
import type { WaitedDevices } from '../src/registry/device-waits.js';
import { ShardsProgress } from './job-progress.js';
import { withWaited } from './offline-wait-job.js';
import { jobResponse, statisticsOf } from './job-response.js';
import { JOB_STATUS_ATTRIBUTE } from './search-attributes.js';
import type { JobDefinition, JobMemo, JobResponse, JobStatus, JobTuning, JobView, ShardCounters, ShardProgress, UnprocessedClosing } from './types.js';

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export class JobState {
  private status: JobStatus = 'queued';
  /** Set once the job stops dispatching early; a cancel replaces an expiry. */
  private stop?: StopCause;
  /** The latest reason the job could not do its work. */
  private failure?: JobFailure;
  /** Known once the targets are resolved. */
  private deviceCount?: number;
  /** The view once the job has ended. */
  private final?: JobView;
  private readonly progress = new ShardsProgress();
  private readonly stopListeners: Array<() => void> = [];
  /** Devices finished when the memo last showed progress, and when (workflow time). */
  private memoProgress = { finished: 0, at: 0 };
  /** The counts of the job's wait for offline devices, when it has one. */
  private waitedDevices?: WaitedDevices;

  constructor(
    readonly job: JobDefinition,
    private readonly tuning: JobTuning,
  ) {}

  get stopping(): boolean {
    return this.stop !== undefined;
  }

  /** Cancel has an effect only before the job ends and only once. */
  get cancellable(): boolean {
    return !TERMINAL.has(this.status) && this.stop !== 'cancelled';
  }

  setStatus(status: JobStatus): void {
    this.status = status;
    upsertSearchAttributes([{ key: JOB_STATUS_ATTRIBUTE, value: status }]);
    this.showInMemo();
  }

  /** Listed as cancelled at once (no longer counted as active), while in-flight devices finish. */
  cancel(): void {
    this.stopWith('cancelled');
    this.setStatus('cancelled');
  }

  expire(): void {
    if (!this.stopping) this.stopWith('expired');
  }

  /** `listener` runs when the job stops early (at once if it has). */
  onStop(listener: () => void): void {
    if (this.stopping) listener();
    else this.stopListeners.push(listener);
  }

  resolved(deviceCount: number): void {
    this.deviceCount = deviceCount;
    this.showInMemo();
  }

  unresolvable(detail: string): void {
    this.failure = { reason: 'unresolvable', detail };
  }

  shardProgress(update: ShardProgress): void {
    this.progress.update(update);
    this.progressed();
  }

  /** A shard's (or the job's own batches') end: batches that ran out of retries fail the job. */
  shardEnded(shard: number, counters: ShardCounters): void {
    this.progress.end(shard, counters);
    if (counters.lastError !== undefined) this.failure = { reason: 'batchesFailed', detail: counters.lastError };
    this.progressed();
  }

  /** The wait for offline devices told its counts. */
  waited(waited: WaitedDevices): void {
    this.waitedDevices = waited;
    this.progressed();
  }

  /** A shard workflow that failed: the job closes its unfinished records. */
  shardFailed(shard: number, detail: string): void {
    this.progress.end(shard, { succeeded: 0, failed: 0 });
    this.failure = { reason: 'shardFailed', shard, detail };
  }

  /** How the devices left unprocessed end, if any can be. */
  closing(at: string): UnprocessedClosing | undefined {
    return closingOf(this.job, this.stop, this.failure, at);
  }

  /** How the job ended, once `unprocessed` devices were closed. */
  outcome(unprocessed: number): JobOutcome {
    return outcomeOf(this.stop, this.failure, unprocessed);
  }

  /** The job's end, with its device records' final counts (absent when it was cancelled before it started). */
  finish(outcome: JobOutcome, counts: DeviceJobCounts | undefined, endTime: string): void {
    const failureReason = failureReasonOf(outcome, this.job);
    this.final = {
      status: statusOf(outcome),
      endTime,
      ...(failureReason !== undefined && { failureReason }),
      ...(counts && { statistics: statisticsOf(counts) }),
      // The records are closed: none waits any more.
      ...(this.waitedDevices && { waitingForDeviceCount: 0 }),
    };
    this.setStatus(this.final.status);
  }

  view(): JobView {
    if (this.final) return this.final;
    const statistics = this.deviceCount === undefined ? undefined : this.progress.statistics(this.deviceCount);
    if (statistics && this.waitedDevices) {
      const { waitingForDevice, ...withWait } = withWaited(statistics, this.waitedDevices);
      return { status: this.status, statistics: withWait, waitingForDeviceCount: waitingForDevice };
    }
    return { status: this.status, ...(statistics && { statistics }) };
  }

  response(): JobResponse {
    return jobResponse(this.job, this.view());
  }

  private stopWith(cause: StopCause): void {
    const first = !this.stopping;
    this.stop = cause;
    if (first) for (const listener of this.stopListeners.splice(0)) listener();
  }

  private showInMemo(): void {
    const memo: Partial<JobMemo> = { view: this.view() };
    upsertMemo(memo);
  }

  /**
   * Lists show a running job's progress from the memo: updated each time another
   * 1/tuning.progressUpdates of the devices finished (and not more often than progressIntervalMs).
   */
  private progressed(): void {
    const stats = this.view().statistics;
    if (!stats || this.final) return;
    const finished = stats.succeededCount + stats.failedCount;
    const step = Math.max(1, Math.ceil(stats.deviceCount / Math.max(1, this.tuning.progressUpdates)));
    if (finished - this.memoProgress.finished < step || finished >= stats.deviceCount || Date.now() - this.memoProgress.at < this.tuning.progressIntervalMs) return;
    this.memoProgress = { finished, at: Date.now() };
    this.showInMemo();
  }
}

/** Sets the job's query, update and signal handlers. */
export function handleJobMessages(state: JobState): void {
  setHandler(jobResponseQuery, () => state.response());
  setHandler(shardProgressSignal, (progress) => state.shardProgress(progress));
  setHandler(
    cancelJobUpdate,
    () => {
      state.cancel();
      return state.response();
    },
    {
      validator: () => {
        if (!state.cancellable) throw ApplicationFailure.nonRetryable(`Job '${state.job.jobId}' is ${state.view().status}: nothing to cancel`, NOTHING_TO_CANCEL);
      },
    },
  );
}
