/**
 * The job workflow's state and its messages: what GET shows (jobResponse query), cancel (cancelJob
 * update), the shards' progress (shardProgress signal), and what lists show (the JobStatus search
 * attribute and the memo's view, kept up to date here).
 */
import { ApplicationFailure, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import {
  cancelJobUpdate,
  editJobUpdate,
  JOB_EDIT_INVALID,
  JOB_STATE_CONFLICT,
  jobResponseQuery,
  jobStatusQuery,
  NOTHING_TO_CANCEL,
  pauseJobUpdate,
  resumeJobUpdate,
  shardProgressSignal,
} from './job-messages.js';
import type { JobEvents } from './job-events.js';
import { closingOf, failureReasonOf, outcomeOf, statusOf, type JobFailure, type JobOutcome, type StopCause } from './job-outcome.js';
import type { WaitedDevices } from '../src/registry/device-waits.js';
import { ShardsProgress } from './job-progress.js';
import { withWaited } from './offline-wait-job.js';
import { jobResponse, statisticsOf } from './job-response.js';
import { abortCheck, finishedOf, finishedTogether, type FinishedDevices } from './rollout-abort.js';
import { RolloutControl, type DispatchStatus } from './rollout-control.js';
import { patchedRollout, rolloutInconsistency } from './rollout-settings.js';
import { MAX_CONTROL_REQUESTS } from './history-bounds.js';
import { JOB_STATUS_ATTRIBUTE } from './search-attributes.js';
import type {
  JobDefinition,
  JobMemo,
  JobPatch,
  JobResponse,
  JobStatus,
  JobTuning,
  JobView,
  ShardCounters,
  ShardProgress,
  UnprocessedClosing,
} from './types.js';

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
  /** `waitedListeners` hear how the waited devices finished while a rollout shard dispatches (its abort criteria weigh them). */
  private readonly waitedListeners: Array<(waited: FinishedDevices) => void> = [];
  /** A rollout shard's finished devices once it ended: from then on the job weighs the waits' outcomes against them itself. */
  private dispatchedFinished?: FinishedDevices;
  /** Rate, pause and the other rollout settings, as they are now. */
  readonly control: RolloutControl;
  /** The wall-clock deadline (a PATCH may change it); `deadlineChanged` runs when it does. */
  maxExecutionTimeInSeconds: number;
  private readonly deadlineListeners: Array<() => void> = [];

  constructor(
    readonly job: JobDefinition,
    private readonly tuning: JobTuning,
  ) {
    this.control = new RolloutControl(job.rollout);
    this.maxExecutionTimeInSeconds = job.maxExecutionTimeInSeconds;
  }

  /** Pause, resume and edit requests taken (MAX_CONTROL_REQUESTS bounds them, and so the history). */
  private controlRequests = 0;

  /** Pause, resume and edit have an effect only while the job may still start devices. */
  get controllable(): boolean {
    return !TERMINAL.has(this.status) && !this.stopping;
  }

  /** Another pause, resume or edit would pass the most a job takes. */
  get controlRequestsUsed(): boolean {
    return this.controlRequests >= (this.job.rollout ? MAX_CONTROL_REQUESTS.rollout : MAX_CONTROL_REQUESTS.plain);
  }

  pause(): void {
    this.controlRequests += 1;
    this.control.pause();
    this.showInMemo();
  }

  resume(): void {
    this.controlRequests += 1;
    this.control.resume();
    this.showInMemo();
  }

  edit(patch: JobPatch): void {
    this.controlRequests += 1;
    if (patch.rollout) this.control.edit(patch.rollout);
    if (patch.maxExecutionTimeInSeconds !== undefined) {
      this.maxExecutionTimeInSeconds = patch.maxExecutionTimeInSeconds;
      for (const listener of this.deadlineListeners) listener();
    }
    this.showInMemo();
  }

  onDeadlineChange(listener: () => void): void {
    this.deadlineListeners.push(listener);
  }

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

  /** An abort criterion was met (the rollout shard stopped starting devices): the job fails, saying why. */
  abort(detail: string): void {
    if (this.stopping) return;
    this.failure = { reason: 'aborted', detail };
    this.stopWith('aborted');
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
    if (update.rollout) this.control.dispatched(update.rollout);
    this.progressed();
  }

  /** A shard's (or the job's own batches') end: batches that ran out of retries fail the job; a rollout shard may have aborted it. */
  shardEnded(shard: number, counters: ShardCounters, rollout?: { aborted?: string; status: DispatchStatus; finished: FinishedDevices }): void {
    this.progress.end(shard, counters);
    if (counters.lastError !== undefined) this.failure = { reason: 'batchesFailed', detail: counters.lastError };
    if (rollout) {
      this.control.dispatched(rollout.status);
      this.dispatchedFinished = rollout.finished;
      if (rollout.aborted !== undefined) this.abort(rollout.aborted);
      else this.abortOnWaited();
    }
    this.progressed();
  }

  /**
   * The wait for offline devices told its counts. Devices that finished after waiting count toward
   * the abort criteria like the others: the rollout shard weighs them while it dispatches, the job
   * once it ended (devices wait on after the last one started).
   */
  waited(waited: WaitedDevices): void {
    this.waitedDevices = waited;
    if (this.dispatchedFinished) this.abortOnWaited();
    else for (const listener of this.waitedListeners) listener(finishedOf(waited));
    this.progressed();
  }

  onWaitedOutcomes(listener: (waited: FinishedDevices) => void): void {
    this.waitedListeners.push(listener);
  }

  private abortOnWaited(): void {
    if (!this.dispatchedFinished || !this.waitedDevices || !this.control.rollout.abortCriteria) return;
    const aborted = abortCheck(this.control.rollout.abortCriteria, finishedTogether(this.dispatchedFinished, this.waitedDevices));
    if (aborted !== undefined) this.abort(aborted);
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
    };
    this.setStatus(this.final.status);
  }

  view(): JobView {
    const rollout = this.control.view();
    const deadline = this.maxExecutionTimeInSeconds !== this.job.maxExecutionTimeInSeconds ? { maxExecutionTimeInSeconds: this.maxExecutionTimeInSeconds } : {};
    if (this.final) return { ...this.final, ...(rollout && { rollout: { ...rollout, paused: false } }), ...deadline };
    const statistics = this.deviceCount === undefined ? undefined : this.progress.statistics(this.deviceCount);
    let shown = { statistics, rollout };
    // The wait for offline devices counts the devices that waited (see offline-wait-job.ts).
    if (statistics && this.waitedDevices) {
      const { waitingForDevice, ...withWait } = withWaited(statistics, this.waitedDevices);
      shown = { statistics: withWait, rollout: rollout && { ...rollout, waitingForDeviceCount: waitingForDevice } };
    }
    return { status: this.status, ...(shown.statistics && { statistics: shown.statistics }), ...(shown.rollout && { rollout: shown.rollout }), ...deadline };
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
    if (finished - this.memoProgress.finished < step || finished >= stats.deviceCount || Date.now() - this.memoProgress.at < this.tuning.progressIntervalMs)
      return;
    this.memoProgress = { finished, at: Date.now() };
    this.showInMemo();
  }
}

/** Sets the job's query, update and signal handlers; a pause and a resume publish their events. */
export function handleJobMessages(state: JobState, events: JobEvents): void {
  setHandler(jobResponseQuery, () => state.response());
  setHandler(jobStatusQuery, () => state.view());
  setHandler(shardProgressSignal, (progress) => state.shardProgress(progress));
  setHandler(
    cancelJobUpdate,
    () => {
      state.cancel();
      return state.response();
    },
    {
      validator: () => {
        if (!state.cancellable)
          throw ApplicationFailure.nonRetryable(`Job '${state.job.jobId}' is ${state.view().status}: nothing to cancel`, NOTHING_TO_CANCEL);
      },
    },
  );
  const conflict = (what: string) => ApplicationFailure.nonRetryable(`Job '${state.job.jobId}' is ${state.view().status}: ${what}`, JOB_STATE_CONFLICT);
  const assertControllable = (what: string) => {
    if (!state.controllable) throw conflict(`it can no longer be ${what}`);
    if (state.controlRequestsUsed) throw conflict('it took the most pause, resume and edit requests a job takes');
  };
  setHandler(
    pauseJobUpdate,
    () => {
      state.pause();
      events.sendFromHandler('job.paused');
      return state.response();
    },
    {
      validator: () => {
        assertControllable('paused');
        if (state.control.paused) throw conflict('it is paused already');
      },
    },
  );
  setHandler(
    resumeJobUpdate,
    () => {
      state.resume();
      events.sendFromHandler('job.resumed');
      return state.response();
    },
    {
      validator: () => {
        assertControllable('resumed');
        if (!state.control.paused) throw conflict('it is not paused');
      },
    },
  );
  setHandler(
    editJobUpdate,
    (patch) => {
      state.edit(patch);
      return state.response();
    },
    {
      validator: (patch) => {
        assertControllable('changed');
        if (patch.rollout && !state.job.rollout) {
          const message = `Job '${state.job.jobId}' was created without rollout settings: only its maxExecutionTimeInSeconds can be changed`;
          throw ApplicationFailure.nonRetryable(message, JOB_EDIT_INVALID);
        }
        const inconsistency =
          patch.rollout && rolloutInconsistency(patchedRollout(state.control.rollout, patch.rollout), state.job.operation.kind === 'method');
        if (inconsistency) throw ApplicationFailure.nonRetryable(inconsistency, JOB_EDIT_INVALID);
      },
    },
  );
}
