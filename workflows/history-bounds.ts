/**
 * Upper bounds of the event count of each workflow run of a job, from the way the workflows are
 * written (job.ts, shard.ts). A workflow task costs 3 events (scheduled, started, completed) and
 * each event that wakes a workflow costs at most one workflow task. Tests compare real histories
 * with these bounds; the benchmark shows a 1,000,000-device job stays far under 10,000.
 */
import { batchEventsOf, inlineShard, planShards } from './sharding.js';
import type { JobTuning } from './types.js';

const WFT = 3;

/**
 * Parent, independent of the shard count: started 1, first task 3, scheduled-start timer with its
 * wake-up 2 + 3, status upserts 4 (scheduled, running, cancelled, final), the version marker 1,
 * deadline timer 2 + 3, five activities (the first resolve chunk, close, count and record are
 * local: a marker each, counted as generously as the resolve activity) 5 × (3 + 3), one accepted
 * cancel update 2 + 3, completion 1. (The update's validator turns down later cancels; the API
 * does not send them.)
 */
export const PARENT_FIXED_EVENTS = 1 + WFT + (2 + WFT) + 4 + 1 + (2 + WFT) + 5 * (3 + WFT) + (2 + WFT) + 1;

/**
 * Parent, per shard: child initiated, started (+ wake-up), completed (+ wake-up), a stop signal
 * sent to it (initiated, signaled, + wake-up), and its progress signals (1 + wake-up each).
 */
export const parentEventsPerShard = (tuning: JobTuning): number =>
  1 + (1 + WFT) + (1 + WFT) + (2 + WFT) + tuning.progressUpdates * (1 + WFT);

/** Parent: its shards, or the batches of the one shard it runs itself. */
export function parentHistoryBound(deviceCount: number, tuning: JobTuning): number {
  const inline = inlineShard(deviceCount, tuning);
  if (inline) return PARENT_FIXED_EVENTS + batchEventsOf(inline.range, tuning);
  return PARENT_FIXED_EVENTS + planShards(deviceCount, tuning).length * parentEventsPerShard(tuning);
}

/**
 * One shard run: it dispatches while its history is under shardHistoryLimit (the length seen by the
 * current task, which adds its own 3); then at most batchConcurrency batches complete, each with
 * scheduled/started/completed + wake-up 6 and one progress signal (initiated, signaled + wake-up) 5;
 * plus the stop signal 1 + 3 (and, should it arrive while the shard's closing task is in flight,
 * that task failing: 1 + 3) and the closing event 1.
 */
export const shardRunHistoryBound = (tuning: JobTuning): number =>
  tuning.shardHistoryLimit + WFT + tuning.batchConcurrency * (3 + WFT + 2 + WFT) + (1 + WFT) + (1 + WFT) + 1;

/** The largest event count any workflow run of a job of `deviceCount` devices can reach. */
export const jobHistoryBound = (deviceCount: number, tuning: JobTuning): number =>
  Math.max(parentHistoryBound(deviceCount, tuning), shardRunHistoryBound(tuning));
