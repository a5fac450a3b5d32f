/** How a job's records 0…N-1 split into shards and batches (pure; used by the workflows and the bounds). */
import type { JobTuning, SeqRange } from './types.js';

export interface PlannedShard {
  index: number;
  range: SeqRange;
}

/** At least tuning.shardSize devices per shard, more when that would need over maxShards shards. */
export const shardSizeFor = (deviceCount: number, tuning: JobTuning): number => Math.max(tuning.shardSize, Math.ceil(deviceCount / tuning.maxShards), 1);

export function planShards(deviceCount: number, tuning: JobTuning): PlannedShard[] {
  const size = shardSizeFor(deviceCount, tuning);
  const shards: PlannedShard[] = [];
  for (let from = 0; from < deviceCount; from += size) {
    shards.push({ index: shards.length, range: { from, to: Math.min(from + size, deviceCount) } });
  }
  return shards;
}

/** Devices a shard finishes between two progress signals: at most tuning.progressUpdates signals. */
export const progressStep = (range: SeqRange, tuning: JobTuning): number =>
  Math.max(1, Math.ceil((range.to - range.from) / Math.max(1, tuning.progressUpdates)));

export const shardWorkflowId = (jobId: string, shard: number): string => `${jobId}/shard-${shard}`;

/** A workflow task in history: scheduled, started, completed. */
export const WFT = 3;

/**
 * Events a batch adds to the history of the workflow running it: scheduled, started, completed and
 * the task it wakes; and its progress signals, each with the task it wakes.
 */
export const eventsPerBatch = (tuning: JobTuning): number => 3 + WFT + tuning.batchProgressUpdates * (1 + WFT);

/** The history events of running `range` as batches within one workflow run. */
export const batchEventsOf = (range: SeqRange, tuning: JobTuning): number => Math.ceil((range.to - range.from) / tuning.batchSize) * eventsPerBatch(tuning);

/**
 * The one shard a job runs itself, without a shard workflow: when the job fits one shard whose
 * batches stay within tuning.shardHistoryLimit (such a shard would never continue as new). Saves
 * the child's start and its workflow tasks, which dominate small jobs.
 */
export function inlineShard(deviceCount: number, tuning: JobTuning): PlannedShard | undefined {
  const shards = planShards(deviceCount, tuning);
  if (shards.length !== 1) return undefined;
  return batchEventsOf(shards[0]!.range, tuning) <= tuning.shardHistoryLimit ? shards[0] : undefined;
}
