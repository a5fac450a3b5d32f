/**
 * The JobResponse of a job from its definition and its view (pure): the workflow answers GET with
 * it, the API renders list rows with it from the workflow's memo, and the same view gives the same
 * JSON wherever it is rendered.
 */
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import { currentRate } from './pacing.js';
import type { BatchCounts, DeviceJobStatistics, JobDefinition, JobResponse, JobView, Rollout, RolloutView } from './types.js';

/**
 * Devices that ended, as the job counts them. Canceled devices count as failed: a JobResponse's
 * deviceJobStatistics has no canceled count
 * (https://learn.microsoft.com/rest/api/iothub/service/jobs/get-scheduled-job#devicejobstatistics).
 */
export const finishedCounts = (counts: DeviceJobCounts): BatchCounts => ({
  succeeded: counts.completed,
  failed: counts.failed + counts.canceled,
});

/** A job's statistics from its device records' counts. */
export function statisticsOf(counts: DeviceJobCounts): DeviceJobStatistics {
  const { succeeded, failed } = finishedCounts(counts);
  return {
    deviceCount: succeeded + failed + counts.running + counts.pending,
    failedCount: failed,
    succeededCount: succeeded,
    runningCount: counts.running,
    pendingCount: counts.pending,
  };
}

const devices = (n: number): string => (n === 1 ? '1 device' : `${n} devices`);

/** What an operator reads first: where the job is, in words; counts only once they are final. */
function statusMessage(job: JobDefinition, view: JobView): string {
  const { status, failureReason, statistics } = view;
  switch (status) {
    case 'queued':
      return 'Waiting for a worker to start the job';
    case 'scheduled':
      return `Scheduled to start at ${job.startTime}`;
    case 'running':
      if (view.rollout?.paused) return 'Paused: no device is started until the job is resumed';
      return statistics ? `Running on ${devices(statistics.deviceCount)}` : 'Resolving the devices that match the queryCondition';
    case 'completed':
      return statistics ? `Every device was processed: ${statistics.succeededCount} succeeded, ${statistics.failedCount} failed` : 'Every device was processed';
    case 'failed':
      return failureReason ?? 'The job failed';
    case 'cancelled':
      return statistics ? 'Cancelled: the devices not called yet were canceled' : 'Cancelled before it started';
  }
}

/** A rollout job before its workflow showed anything: its settings, not paused, the first rate. */
export function initialRolloutView(rollout: Rollout): RolloutView {
  const rate = currentRate(rollout, { notified: 0, succeeded: 0 });
  return { rollout, paused: false, ...(rate !== undefined && { currentRatePerMinute: rate }), waitingForRetryCount: 0, waitingForDeviceCount: 0 };
}

/** The rollout fields, only for a job that has rollout settings or was paused: SDK-created jobs keep Azure's JSON. */
function rolloutFields(job: JobDefinition, view: JobView): Partial<JobResponse> {
  const rollout = view.rollout ?? (job.rollout && initialRolloutView(job.rollout));
  if (!rollout) return {};
  return {
    rollout: rollout.rollout,
    paused: rollout.paused,
    ...(rollout.currentRatePerMinute !== undefined && { currentRatePerMinute: rollout.currentRatePerMinute }),
    waitingForRetryCount: rollout.waitingForRetryCount,
    waitingForDeviceCount: rollout.waitingForDeviceCount,
  };
}

export function jobResponse(job: JobDefinition, view: JobView): JobResponse {
  return {
    jobId: job.jobId,
    queryCondition: job.queryCondition,
    createdTime: job.createdTime,
    startTime: job.startTime,
    ...(view.endTime !== undefined && { endTime: view.endTime }),
    maxExecutionTimeInSeconds: view.maxExecutionTimeInSeconds ?? job.maxExecutionTimeInSeconds,
    type: job.type,
    ...(job.cloudToDeviceMethod && { cloudToDeviceMethod: job.cloudToDeviceMethod }),
    ...(job.updateTwin && { updateTwin: job.updateTwin }),
    status: view.status,
    ...(view.failureReason !== undefined && { failureReason: view.failureReason }),
    statusMessage: statusMessage(job, view),
    ...(view.statistics && { deviceJobStatistics: view.statistics }),
    ...rolloutFields(job, view),
  };
}
