/**
 * The job workflow (id = jobId), top-down: wait durably until startTime, resolve the queryCondition
 * once into a snapshot of device records, run the shards (child workflows over record ranges, at
 * most shardConcurrency at once; a job that fits one shard runs its batches itself), close the job.
 * A cancel (update) or the end of maxExecutionTimeInSeconds stops the dispatching, and closing
 * ends what was left. The job stores its final JobResponse (the read model of closed jobs) and
 * completes with it, also when cancelled or failed. History bounded: history-bounds.ts.
 */
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import { batchProgressSignal } from './batch-messages.js';
import { BatchRunner } from './batches.js';
import { errorMessage } from './errors.js';
import { formatHubTime } from './hub-time.js';
import { JobEvents, lastEventOf } from './job-events.js';
import type { JobOutcome } from './job-outcome.js';
import { handleJobMessages, JobState } from './job-state.js';
import { offlineWaitOf, withOfflineWait } from './offline-wait-job.js';
import { Semaphore } from './semaphore.js';
import type { RolloutCommand } from './rollout-control.js';
import { newRolloutCursor, type RolloutCursor } from './rollout-dispatch.js';
import { rolloutCommandSignal, stopShardSignal, waitedOutcomesSignal } from './shard-messages.js';
import { inlineShard, planShards, shardWorkflowId, type PlannedShard } from './sharding.js';
import { iotHubJobShard } from './shard.js';
import type { JobResponse, JobTuning, JobWorkflowInput, ShardInput } from './types.js';

const RESOLVE_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '30 seconds',
  maximumAttempts: 5,
  nonRetryableErrorTypes: ['ArgumentInvalid'],
};

const { resolveJobTargets } = proxyActivities<JobActivities>({
  summary: "find the devices the job's query selects",
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

const withWaitSeconds = (seconds: number | undefined) => (seconds === undefined ? {} : { waitForOfflineDevicesInSeconds: seconds });

type ShardHandle = ChildWorkflowHandle<typeof iotHubJobShard>;

/** The patch (a history marker) under which the job tells its rollout shard how the waited devices finished. */
const WAITED_OUTCOMES_PATCH = 'rollout-waited-outcomes';

export async function iotHubJob({ job, tuning }: JobWorkflowInput): Promise<JobResponse> {
  const state = new JobState(job, tuning);
  const events = new JobEvents(state);
  handleJobMessages(state, events);
  await events.send('job.created');
  if (!(await startTimeReached(state, events))) return closeJob(state, events, { kind: 'cancelled' });
  state.setStatus('running');
  await events.send('job.started');
  await withDeadline(state, async () => {
    const deviceCount = await resolveTargets(state, tuning);
    if (deviceCount !== undefined && deviceCount > 0) await withOfflineWait(state, tuning, () => runShards(state, deviceCount, tuning));
  });
  const unprocessed = await closeUnprocessed(state);
  return closeJob(state, events, state.outcome(unprocessed), await countDeviceJobs(job.jobId));
}

/** Waits durably until startTime; false when the job was cancelled before. */
async function startTimeReached(state: JobState, events: JobEvents): Promise<boolean> {
  const startAt = Date.parse(state.job.startTime);
  if (startAt > Date.now()) {
    state.setStatus('scheduled');
    await events.send('job.scheduled');
    await condition(() => state.stopping, startAt - Date.now());
  }
  return !state.stopping;
}

/**
 * Runs `work`; should maxExecutionTimeInSeconds (counted from the start, a PATCH may change it) run
 * out first, the job stops (expired) and `work` winds down.
 */
async function withDeadline(state: JobState, work: () => Promise<void>): Promise<void> {
  const startedAt = Date.now();
  let done = false;
  let changed = false;
  state.onDeadlineChange(() => void (changed = true));
  const expiry = (async () => {
    while (!done) {
      changed = false;
      const left = startedAt + state.maxExecutionTimeInSeconds * 1000 - Date.now();
      if (left <= 0) return state.expire();
      await condition(() => done || changed, left);
    }
  })();
  await work();
  done = true;
  await expiry;
}

/** The snapshot of the devices matching the queryCondition: their count, or none when it cannot be made. */
async function resolveTargets(state: JobState, tuning: JobTuning): Promise<number | undefined> {
  const { job } = state;
  const input = { jobId: job.jobId, jobType: job.type, queryCondition: job.queryCondition, createdTime: job.createdTime, chunk: tuning.snapshotChunk };
  try {
    const first = await resolveFirstJobTargets(input);
    const deviceCount = first.complete ? first.total : await resolveJobTargets(input);
    state.resolved(deviceCount);
    return deviceCount;
  } catch (err) {
    state.unresolvable(errorMessage(err));
    return undefined;
  }
}

/** Each shard to its end, at most shardConcurrency at once, until the job stops; a lone shard's batches run here. */
async function runShards(state: JobState, deviceCount: number, tuning: JobTuning): Promise<void> {
  if (state.job.rollout) return runRolloutShard(state, deviceCount, tuning);
  const inline = inlineShard(deviceCount, tuning);
  if (inline) return runBatchesHere(state, inline, tuning);
  const running = runningShards(state);
  const slots = new Semaphore(tuning.shardConcurrency);
  const runShard = (shard: PlannedShard) =>
    slots.run(async () => {
      await unpaused(state);
      if (!state.stopping) await runShardToEnd(state, shard, tuning, running);
    });
  await Promise.all(planShards(deviceCount, tuning).map(runShard));
}

/** The shards running, which hear the job's stop and its pause and settings. */
function runningShards(state: JobState): Set<ShardHandle> {
  const running = new Set<ShardHandle>();
  state.onStop(() => {
    for (const shard of running) stopShard(shard);
  });
  state.control.onChange((command) => {
    for (const shard of running) commandShard(shard, command);
  });
  state.onWaitedOutcomes((waited) => {
    // Jobs started before the waits' outcomes counted toward abort criteria replay without it.
    if (!patched(WAITED_OUTCOMES_PATCH)) return;
    for (const shard of running) void shard.signal(waitedOutcomesSignal, waited).catch(() => undefined); // it may have ended
  });
  return running;
}

/** While the job is paused (and not stopping). */
const unpaused = (state: JobState): Promise<void> => condition(() => !state.control.paused || state.stopping);

/**
 * A rollout job runs one shard over all its devices, so that one dispatcher owns the rate, the
 * retries and the abort decision (with as many batches at once as a plain job's shards together:
 * rolloutBatchConcurrency); the job forwards pause, new settings and the waits' outcomes to it.
 */
async function runRolloutShard(state: JobState, deviceCount: number, tuning: JobTuning): Promise<void> {
  const range = { from: 0, to: deviceCount };
  const running = runningShards(state);
  const rollout = { cursor: newRolloutCursor(range), command: state.control.command() };
  await runShardToEnd(state, { index: 0, range }, tuning, running, rollout);
}

async function runShardToEnd(
  state: JobState,
  { index, range }: PlannedShard,
  tuning: JobTuning,
  running: Set<ShardHandle>,
  rollout?: ShardInput['rollout'],
): Promise<void> {
  const { job } = state;
  try {
    const handle = await startChild(iotHubJobShard, {
      workflowId: shardWorkflowId(job.jobId, index),
      args: [
        {
          jobId: job.jobId,
          shard: index,
          range,
          operation: job.operation,
          tuning,
          ...withWaitSeconds(offlineWaitOf(job)),
          next: range.from,
          counters: { succeeded: 0, failed: 0, failedBatches: 0 },
          reported: 0,
          reportedAt: Date.now(),
          ...(rollout && { rollout }),
        },
      ],
    });
    running.add(handle);
    if (state.stopping)
      stopShard(handle); // the stop came while the shard started
    else if (state.control.command().paused !== (rollout?.command.paused ?? false)) commandShard(handle, state.control.command()); // so did a pause
    try {
      const result = await handle.result();
      const { rollout: cursor } = result;
      state.shardEnded(index, result, cursor && { aborted: cursor.aborted, status: rolloutStatusOf(cursor), finished: cursor.finished });
    } finally {
      running.delete(handle);
    }
  } catch (err) {
    state.shardFailed(index, errorMessage(err)); // never by design
  }
}

/** A finished rollout shard's last word: nothing waits any more. */
const rolloutStatusOf = (cursor: RolloutCursor) => ({
  ramp: { notified: cursor.next, succeeded: cursor.finished.succeeded - cursor.finished.failures.errorStatus },
  waitingForRetryCount: cursor.retry.waiting,
  waitingForDeviceCount: 0,
});

const stopShard = (handle: ShardHandle): void => void handle.signal(stopShardSignal).catch(() => undefined); // it may have ended
const commandShard = (handle: ShardHandle, command: RolloutCommand): void => void handle.signal(rolloutCommandSignal, command).catch(() => undefined);

/** The only shard's batches, run by the job itself: their progress goes straight into the state. */
async function runBatchesHere(state: JobState, { index, range }: PlannedShard, tuning: JobTuning): Promise<void> {
  const { job } = state;
  const cursor = { next: range.from, counters: { succeeded: 0, failed: 0, failedBatches: 0 } };
  const work = { jobId: job.jobId, range, operation: job.operation, tuning, ...withWaitSeconds(offlineWaitOf(job)) };
  const batches: BatchRunner = new BatchRunner(work, cursor, () => state.shardProgress({ shard: index, ...batches.progress() }));
  setHandler(batchProgressSignal, (progress) => batches.reported(progress));
  await batches.run(async () => {
    await unpaused(state);
    return !state.stopping;
  });
  state.shardEnded(index, cursor.counters);
}

/** Ends the records no batch finished (none unless the job stopped early or failed); returns how many. */
async function closeUnprocessed(state: JobState): Promise<number> {
  const closing = state.closing(now());
  return closing ? closeUnprocessedDevices(closing) : 0;
}

/**
 * Stores the final JobResponse for GET (the read model of closed jobs), publishes the job's last
 * event (job.completed, job.failed or job.cancelled) and completes with it.
 */
async function closeJob(state: JobState, events: JobEvents, outcome: JobOutcome, counts?: DeviceJobCounts): Promise<JobResponse> {
  const endTime = now();
  state.finish(outcome, counts, endTime);
  const response = state.response();
  await recordFinishedJob({ response, finishedAt: endTime });
  await events.send(lastEventOf(outcome));
  return response;
}
