/** How a job's records 0…N-1 split into shards and batches (pure; used by the workflows and the bounds). */
import type { JobTuning, SeqRange } from './types.js';

export interface PlannedShard {
  index: number;
  range: SeqRange;
}

/** At least tuning.shardSize devices per shard, more when that would need over maxShards shards. */
export const shardSizeFor = (deviceCount: number, tuning: JobTuning): number =>
  Math.max(tuning.shardSize, Math.ceil(deviceCount / tuning.maxShards), 1);

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
