/** The job workflow's state and the JobResponse it shows (pure, deterministic). */
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import type { DeviceJobStatistics, JobDefinition, JobResponse, JobStatus, ShardProgress, ShardResult } from './types.js';

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

/** A job's statistics from its device records' counts (canceled devices count as failed, spec §2.2). */
export function statisticsOf(counts: DeviceJobCounts): DeviceJobStatistics {
  return {
    deviceCount: counts.pending + counts.running + counts.completed + counts.failed + counts.canceled,
    failedCount: counts.failed + counts.canceled,
    succeededCount: counts.completed,
    runningCount: counts.running,
    pendingCount: counts.pending,
  };
}

export class JobState {
  status: JobStatus = 'queued';
  endTime?: string;
  failureReason?: string;
  cancelRequested = false;
  /** Known once the targets are resolved. */
  deviceCount?: number;
  /** Final statistics, from the store's authoritative counts. */
  private final?: DeviceJobStatistics;
  /** Latest progress of running shards; finished shards are summed into `done`. */
  private readonly progress = new Map<number, ShardProgress>();
  private readonly finishedShards = new Set<number>();
  private readonly done = { succeeded: 0, failed: 0 };

  constructor(readonly job: JobDefinition) {}

  get terminal(): boolean {
    return TERMINAL.has(this.status);
  }

  /** Cancel has an effect only before the job ends and only once. */
  get cancellable(): boolean {
    return !this.terminal && !this.cancelRequested;
  }

  requestCancel(): void {
    this.cancelRequested = true;
    this.status = 'cancelled';
  }

  shardProgress(update: ShardProgress): void {
    if (!this.finishedShards.has(update.shard)) this.progress.set(update.shard, update);
  }

  shardFinished(shard: number, result: Pick<ShardResult, 'succeeded' | 'failed'>): void {
    this.finishedShards.add(shard);
    this.progress.delete(shard);
    this.done.succeeded += result.succeeded;
    this.done.failed += result.failed;
  }

  finish(status: JobStatus, counts: DeviceJobCounts | undefined, endTime: string, failureReason?: string): void {
    this.status = status;
    this.endTime = endTime;
    this.failureReason = failureReason;
    if (counts) {
      this.final = statisticsOf(counts);
      this.deviceCount = this.final.deviceCount;
    }
  }

  /** Always sums to deviceCount: in-flight counts are capped by what is left. */
  statistics(): DeviceJobStatistics | undefined {
    if (this.final) return this.final;
    if (this.deviceCount === undefined) return undefined;
    let { succeeded, failed } = this.done;
    let running = 0;
    for (const p of this.progress.values()) {
      succeeded += p.succeeded;
      failed += p.failed;
      running += p.running;
    }
    const deviceCount = this.deviceCount;
    succeeded = Math.min(succeeded, deviceCount);
    failed = Math.min(failed, deviceCount - succeeded);
    running = Math.min(running, deviceCount - succeeded - failed);
    return { deviceCount, failedCount: failed, succeededCount: succeeded, runningCount: running, pendingCount: deviceCount - succeeded - failed - running };
  }

  /**
   * What an operator reads first: where the job is, in words. Counts only once they are final: a
   * running job's statistics may be replaced by its records' live counts (JobsService).
   */
  private statusMessage(stats: DeviceJobStatistics | undefined): string {
    switch (this.status) {
      case 'queued':
        return 'Waiting for a worker to start the job';
      case 'scheduled':
        return `Scheduled to start at ${this.job.startTime}`;
      case 'running':
        return stats ? `Running on ${devices(stats.deviceCount)}` : 'Resolving the devices that match the queryCondition';
      case 'completed':
        return stats ? `Every device was processed: ${stats.succeededCount} succeeded, ${stats.failedCount} failed` : 'Every device was processed';
      case 'failed':
        return this.failureReason ?? 'The job failed';
      case 'cancelled':
        return stats ? 'Cancelled: the devices not called yet were canceled' : 'Cancelled before it started';
    }
  }

  response(): JobResponse {
    const { job } = this;
    const statistics = this.statistics();
    return {
      jobId: job.jobId,
      queryCondition: job.queryCondition,
      createdTime: job.createdTime,
      startTime: job.startTime,
      ...(this.endTime !== undefined && { endTime: this.endTime }),
      maxExecutionTimeInSeconds: job.maxExecutionTimeInSeconds,
      type: job.type,
      ...(job.cloudToDeviceMethod && { cloudToDeviceMethod: job.cloudToDeviceMethod }),
      ...(job.updateTwin && { updateTwin: job.updateTwin }),
      status: this.status,
      ...(this.failureReason !== undefined && { failureReason: this.failureReason }),
      statusMessage: this.statusMessage(statistics),
      ...(statistics && { deviceJobStatistics: statistics }),
    };
  }
}

const devices = (n: number): string => (n === 1 ? '1 device' : `${n} devices`);
