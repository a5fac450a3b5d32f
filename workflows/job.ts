/**
 * The job workflow (id = jobId): waits durably until startTime, resolves the queryCondition once
 * into a snapshot of device records, runs shards (child workflows) over record ranges with bounded
 * concurrency, or the batches of its only shard itself, stops them on cancel or when
 * maxExecutionTimeInSeconds runs out, closes what was left, and completes with its final
 * JobResponse (always normally, also when cancelled or failed, so a finished job is read from its
 * result without a worker). Its history is bounded by the shard count, which is capped, or by the
 * batches of one shard (history-bounds.ts).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import { formatHubTime } from '../src/registry/time.js';
import { BatchRunner, type BatchCursor } from './batches.js';
import { cancelJobUpdate, jobResponseQuery, shardProgressSignal } from './job-messages.js';
import { JobState } from './job-state.js';
import { JOB_STATUS_ATTRIBUTE } from './search-attributes.js';
import { stopShardSignal } from './shard-messages.js';
import { inlineShard, planShards, shardWorkflowId, type PlannedShard } from './sharding.js';
import { iotHubJobShard } from './shard.js';
import type { JobResponse, JobStatus, JobWorkflowInput, ShardCounters, UnprocessedClosing } from './types.js';

const RESOLVE_RETRY = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['ArgumentInvalid'] };

const { resolveJobTargets } = proxyActivities<JobActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: RESOLVE_RETRY,
});

/** The first snapshot chunk, within the workflow task that starts the job: most jobs need no other. */
const { resolveFirstJobTargets } = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '5 minutes', retry: RESOLVE_RETRY });

/**
 * Bookkeeping in the hub store: short statements, so local activities (run by the worker within
 * the workflow task: no task-queue round trips); retried until the store answers.
 */
const { closeUnprocessedDevices, countDeviceJobs, recordFinishedJob } = proxyLocalActivities<JobActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const now = (): string => formatHubTime(new Date());

/**
 * Jobs started since the first snapshot chunk is a local activity and a job fitting one shard runs
 * its batches itself; histories recorded before replay the earlier path.
 */
const FEWER_TASKS_PATCH = 'local-first-resolve-inline-shard';

const errorText = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);

export async function iotHubJob({ job, tuning }: JobWorkflowInput): Promise<JobResponse> {
  const state = new JobState(job);
  setHandler(jobResponseQuery, () => state.response());
  setHandler(shardProgressSignal, (progress) => state.shardProgress(progress));
  const setStatus = (status: JobStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: JOB_STATUS_ATTRIBUTE, value: status }]);
  };
  setHandler(
    cancelJobUpdate,
    () => {
      state.requestCancel();
      // Listed as cancelled at once (no longer counted as active), while in-flight devices finish.
      setStatus('cancelled');
      return state.response();
    },
    {
      validator: () => {
        if (!state.cancellable) throw ApplicationFailure.nonRetryable(`Job '${job.jobId}' is ${state.status}: nothing to cancel`, 'NothingToCancel');
      },
    },
  );
  const finish = async (status: JobStatus, counts?: DeviceJobCounts, failureReason?: string) => {
    state.finish(status, counts, now(), failureReason);
    upsertSearchAttributes([{ key: JOB_STATUS_ATTRIBUTE, value: status }]);
    const response = state.response();
    await recordFinishedJob({ response, finishedAt: state.endTime! });
    return response;
  };

  const startAt = Date.parse(job.startTime);
  if (startAt > Date.now()) {
    setStatus('scheduled');
    await condition(() => state.cancelRequested, startAt - Date.now());
  }
  if (state.cancelRequested) return finish('cancelled');

  setStatus('running');
  const deadline = Date.now() + job.maxExecutionTimeInSeconds * 1000;
  let expired = false;
  const deadlineTimer = new CancellationScope();
  const deadlinePassed = deadlineTimer
    .run(() => sleep(deadline - Date.now()))
    .then(
      () => void (expired = true),
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  const stopRequested = () => state.cancelRequested || expired;

  let processingError: string | undefined;
  const fewerTasks = patched(FEWER_TASKS_PATCH);
  const resolveInput = { jobId: job.jobId, jobType: job.type, queryCondition: job.queryCondition, createdTime: job.createdTime, chunk: tuning.snapshotChunk };
  try {
    const first = fewerTasks ? await resolveFirstJobTargets(resolveInput) : { total: 0, complete: false };
    state.deviceCount = first.complete ? first.total : await resolveJobTargets(resolveInput);
  } catch (err) {
    processingError = `The devices matching the queryCondition could not be determined: ${errorText(err)}`;
  }

  // Shards start together (one workflow task), up to shardConcurrency at a time.
  const handles = new Map<number, ChildWorkflowHandle<typeof iotHubJobShard>>();
  let active = 0;
  let stopping = false;
  let failedBatches = 0;
  const shardEnded = (shard: number, result: ShardCounters) => {
    state.shardFinished(shard, result);
    failedBatches += result.failedBatches;
    if (result.lastError !== undefined) processingError = `Some devices could not be processed: ${result.lastError}`;
  };
  const stop = (handle: ChildWorkflowHandle<typeof iotHubJobShard>) => handle.signal(stopShardSignal).catch(() => undefined);
  const runShard = async (shard: PlannedShard) => {
    try {
      const handle = await startChild(iotHubJobShard, {
        workflowId: shardWorkflowId(job.jobId, shard.index),
        args: [{ jobId: job.jobId, shard: shard.index, range: shard.range, operation: job.operation, tuning, next: shard.range.from, counters: { succeeded: 0, failed: 0, failedBatches: 0 }, reported: 0, reportedAt: Date.now() }],
      });
      handles.set(shard.index, handle);
      if (stopping) void stop(handle); // started after the others were told
      shardEnded(shard.index, await handle.result());
    } catch (err) {
      // A shard never fails by design; if one did, its unfinished records are closed below.
      failedBatches += 1;
      processingError = `Shard ${shard.index} failed: ${errorText(err)}`;
      state.shardFinished(shard.index, { succeeded: 0, failed: 0 });
    } finally {
      handles.delete(shard.index);
      active -= 1;
    }
  };
  /** The only shard's batches, run here: progress goes straight into the state. */
  const runInline = async ({ index, range }: PlannedShard) => {
    const cursor: BatchCursor = { next: range.from, counters: { succeeded: 0, failed: 0, failedBatches: 0 } };
    const batches: BatchRunner = new BatchRunner({ jobId: job.jobId, range, operation: job.operation, tuning }, cursor, () =>
      state.shardProgress({ shard: index, succeeded: cursor.counters.succeeded, failed: cursor.counters.failed, running: batches.inflightDevices }),
    );
    await batches.run(() => !stopRequested());
    shardEnded(index, cursor.counters);
  };
  const inline = fewerTasks && processingError === undefined ? inlineShard(state.deviceCount ?? 0, tuning) : undefined;
  if (inline) await runInline(inline);
  for (const shard of processingError === undefined && !inline ? planShards(state.deviceCount ?? 0, tuning) : []) {
    await condition(() => active < tuning.shardConcurrency || stopRequested());
    if (stopRequested()) break;
    active += 1;
    void runShard(shard);
  }
  await condition(() => active === 0 || stopRequested());
  if (active > 0) {
    stopping = true;
    for (const handle of handles.values()) void stop(handle);
    await condition(() => active === 0);
  }
  deadlineTimer.cancel();
  await deadlinePassed;

  const closing: UnprocessedClosing = {
    jobId: job.jobId,
    pending: state.cancelRequested
      ? { status: 'canceled' }
      : {
          status: 'failed',
          error: expired
            ? { code: 'JobExpired', description: `The job's maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds}) ran out before this device was processed` }
            : { code: 'ServerError', description: processingError ?? 'The device was not processed' },
        },
    interruptedError: {
      code: 'ServerError',
      description: 'The worker processing this device stopped before its outcome was recorded; the device was not called again',
    },
    at: now(),
  };
  const unprocessed = await closeUnprocessedDevices(closing);
  const counts = await countDeviceJobs(job.jobId);
  if (state.cancelRequested) return finish('cancelled', counts);
  if (unprocessed === 0 && failedBatches === 0 && processingError === undefined) return finish('completed', counts);
  const reason = expired
    ? `The job did not finish within maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds}): ${unprocessed} devices were not processed`
    : (processingError ?? `${unprocessed} devices were not processed`);
  return finish('failed', counts, reason);
}
