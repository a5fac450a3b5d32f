/**
 * Upper bounds of the event count of each workflow run of a job, from the way the workflows are
 * written (job.ts, job-state.ts, shard.ts, batches.ts). A workflow task costs 3 events (scheduled,
 * started, completed) and each event that wakes a workflow costs at most one workflow task. Tests
 * compare real histories with these bounds; the benchmark shows a 1,000,000-device job stays far
 * under 10,000.
 */
import { MAX_WAIT_REPORTS } from './offline-wait.js';
import { rolloutBatchConcurrency } from './rollout-dispatch.js';
import { batchEventsOf, eventsPerBatch, inlineShard, planShards, WFT } from './sharding.js';
import type { JobTuning } from './types.js';

/**
 * Parent, independent of the shard count: started 1, first task 3, scheduled-start timer with its
 * wake-up 2 + 3; status changes (scheduled, running, cancelled, final) each a search-attribute
 * upsert and a memo upsert 4 × 2, the memo's device count 1 and its progress, at most
 * progressUpdates; deadline timer 2 + 3; five activities (the first resolve chunk, close, count and
 * record are local: a marker each, counted as generously as the resolve activity) 5 × (3 + 3); the
 * job events (job-events.ts: its two patch markers, and at most four publishes by the main line,
 * created, scheduled, started and the last one, local activities counted the same) 2 + 4 × (3 + 3);
 * one accepted cancel update 2 + 3; completion 1. A later cancel is turned down by the update's
 * validator: a Temporal server keeps nothing of it (its workflow task is speculative), temporal-lite
 * keeps the task (3 events per cancel sent while a cancelled job winds down).
 */
export const parentFixedEvents = (tuning: JobTuning): number =>
  1 + WFT + (2 + WFT) + 4 * 2 + 1 + tuning.progressUpdates + (2 + WFT) + 5 * (3 + WFT) + 2 + 4 * (3 + WFT) + (2 + WFT) + 1;

/**
 * Parent, per shard: child initiated, started (+ wake-up), completed (+ wake-up), a stop signal
 * sent to it (initiated, signaled, + wake-up), and its progress signals (1 + wake-up each).
 */
export const parentEventsPerShard = (tuning: JobTuning): number => 1 + (1 + WFT) + (1 + WFT) + (2 + WFT) + tuning.progressUpdates * (1 + WFT);

/**
 * Parent, when the job waits for offline devices: the wait's child initiated, started (+ wake-up)
 * and completed (+ wake-up), two signals to it (initiated, signaled, + wake-up each), and its
 * reports (1 + wake-up each, at most MAX_WAIT_REPORTS over the job's life), each passed on to the
 * rollout shard (initiated, signaled, + wake-up), under a patch marker 1.
 */
export const parentOfflineWaitEvents = (): number => 1 + (1 + WFT) + (1 + WFT) + 2 * (2 + WFT) + MAX_WAIT_REPORTS * (1 + WFT + 2 + WFT) + 1;

/**
 * Pause, resume and edit requests a job takes at most: each costs history events in the job (and
 * its running shards), so a bounded number keeps the history bounded. A rollout job signals one
 * shard per request, a plain job every shard running.
 */
export const MAX_CONTROL_REQUESTS = { rollout: 100, plain: 10 } as const;

/**
 * Parent events of one accepted control request: the update accepted and completed 2 + its task 3,
 * the memo 1, a deadline edit's new timer (its cancel and start) 2, a pause's or resume's event
 * published by an activity (scheduled, started, completed + wake-up; job-events.ts), and a signal
 * to each running shard (initiated, signaled + wake-up).
 */
export const controlRequestEvents = (shardsSignalled: number): number => 2 + WFT + 1 + 2 + (3 + WFT) + shardsSignalled * (2 + WFT);

/**
 * Parent: its shards, or the batches of the one shard it runs itself; a rollout job has one shard
 * (and, when it waits for offline devices, its wait).
 */
export function parentHistoryBound(deviceCount: number, tuning: JobTuning, rollout = false, waitsForDevices = false): number {
  const fixed = parentFixedEvents(tuning) + (waitsForDevices ? parentOfflineWaitEvents() : 0);
  if (rollout) return fixed + parentEventsPerShard(tuning) + MAX_CONTROL_REQUESTS.rollout * controlRequestEvents(1);
  const inline = inlineShard(deviceCount, tuning);
  if (inline) return fixed + batchEventsOf(inline.range, tuning) + MAX_CONTROL_REQUESTS.plain * controlRequestEvents(0);
  const shards = planShards(deviceCount, tuning).length;
  return fixed + shards * parentEventsPerShard(tuning) + MAX_CONTROL_REQUESTS.plain * controlRequestEvents(Math.min(shards, tuning.shardConcurrency));
}

/**
 * One run of a job's wait for offline devices (offline-wait.ts): it continues as new once its
 * history reaches shardHistoryLimit, checked before each activity; one step past it adds an
 * activity (3 + WFT), a report (2 + WFT), a timer (2 + WFT) and the signals heard meanwhile (1 +
 * WFT each: the worker's connect listener sends one per job per 100 ms, so `signalsPerStep` is the
 * longest activity's seconds × 10 per worker), plus continue-as-new 1.
 */
export const offlineWaitRunHistoryBound = (tuning: JobTuning, signalsPerStep: number): number =>
  tuning.shardHistoryLimit + WFT + (3 + WFT) + (2 + WFT) + (2 + WFT) + signalsPerStep * (1 + WFT) + 1;

/** A progress signal a shard sends its parent, in the shard's history: initiated, signaled, + wake-up. */
const PARENT_SIGNAL_EVENTS = 2 + WFT;

/**
 * One shard run: it dispatches while its history is under shardHistoryLimit (the length seen by the
 * current task, which adds its own 3); then at most batchConcurrency batches (a rollout shard's
 * rolloutBatchConcurrency) end, each with its
 * events (eventsPerBatch) and each change of progress possibly a progress signal to the parent (at
 * most progressUpdates per shard); plus the stop signal 1 + 3 (and, should it arrive while the
 * shard's closing task is in flight, that task failing: 1 + 3) and the closing event 1.
 */
export function shardRunHistoryBound(tuning: JobTuning, rollout = false, waitsForDevices = false): number {
  const progressChanges = tuning.batchConcurrency * (1 + tuning.batchProgressUpdates);
  const parentSignals = Math.min(tuning.progressUpdates, progressChanges);
  // Pause and resume signals (1 + wake-up each) may come after the limit too; a rollout shard's last tick timer 2 + 3;
  // and the outcomes of the waits the job passes on (1 + wake-up each, at most MAX_WAIT_REPORTS).
  const commands =
    (rollout ? MAX_CONTROL_REQUESTS.rollout : MAX_CONTROL_REQUESTS.plain) * (1 + WFT) +
    (rollout ? 2 + WFT : 0) +
    (waitsForDevices ? MAX_WAIT_REPORTS * (1 + WFT) : 0);
  return (
    tuning.shardHistoryLimit +
    WFT +
    (rollout ? rolloutBatchConcurrency(tuning) : tuning.batchConcurrency) * eventsPerBatch(tuning) +
    parentSignals * PARENT_SIGNAL_EVENTS +
    (1 + WFT) +
    (1 + WFT) +
    1 +
    commands
  );
}

/**
 * The largest event count any workflow run of a job of `deviceCount` devices can reach (a rollout
 * job's, with `rollout`; one that waits for offline devices, with `waitsForDevices`).
 */
export const jobHistoryBound = (deviceCount: number, tuning: JobTuning, rollout = false, waitsForDevices = false): number =>
  Math.max(parentHistoryBound(deviceCount, tuning, rollout, waitsForDevices), shardRunHistoryBound(tuning, rollout, waitsForDevices));
