/** A job's progress as its shards tell it (pure, deterministic). */
import type { BatchCounts, DeviceJobStatistics, ShardProgress } from './types.js';

/** The latest progress of running shards; ended shards are summed into `done`. */
export class ShardsProgress {
  private readonly running = new Map<number, ShardProgress>();
  private readonly ended = new Set<number>();
  private readonly done = { succeeded: 0, failed: 0 };

  update(progress: ShardProgress): void {
    if (!this.ended.has(progress.shard)) this.running.set(progress.shard, progress);
  }

  end(shard: number, counts: BatchCounts): void {
    this.ended.add(shard);
    this.running.delete(shard);
    this.done.succeeded += counts.succeeded;
    this.done.failed += counts.failed;
  }

  /** Always sums to deviceCount: in-flight counts are capped by what is left. */
  statistics(deviceCount: number): DeviceJobStatistics {
    let { succeeded, failed } = this.done;
    let running = 0;
    for (const progress of this.running.values()) {
      succeeded += progress.succeeded;
      failed += progress.failed;
      running += progress.running;
    }
    succeeded = Math.min(succeeded, deviceCount);
    failed = Math.min(failed, deviceCount - succeeded);
    running = Math.min(running, deviceCount - succeeded - failed);
    return { deviceCount, failedCount: failed, succeededCount: succeeded, runningCount: running, pendingCount: deviceCount - succeeded - failed - running };
  }
}
