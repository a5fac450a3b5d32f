/**
 * The JobResponse of a job from its definition and its view (pure): the workflow answers GET with
 * it, the API renders list rows with it from the workflow's memo, and the same view gives the same
 * JSON wherever it is rendered.
 */
import type { DeviceJobCounts } from '../src/registry/job-records.js';
import type { BatchCounts, DeviceJobStatistics, JobDefinition, JobResponse, JobView } from './types.js';

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
function statusMessage(job: JobDefinition, { status, failureReason, statistics }: JobView): string {
  switch (status) {
    case 'queued':
      return 'Waiting for a worker to start the job';
    case 'scheduled':
      return `Scheduled to start at ${job.startTime}`;
    case 'running':
      return statistics ? `Running on ${devices(statistics.deviceCount)}` : 'Resolving the devices that match the queryCondition';
    case 'completed':
      return statistics ? `Every device was processed: ${statistics.succeededCount} succeeded, ${statistics.failedCount} failed` : 'Every device was processed';
    case 'failed':
      return failureReason ?? 'The job failed';
    case 'cancelled':
      return statistics ? 'Cancelled: the devices not called yet were canceled' : 'Cancelled before it started';
  }
}

export function jobResponse(job: JobDefinition, view: JobView): JobResponse {
  return {
    jobId: job.jobId,
    queryCondition: job.queryCondition,
    createdTime: job.createdTime,
    startTime: job.startTime,
    ...(view.endTime !== undefined && { endTime: view.endTime }),
    maxExecutionTimeInSeconds: job.maxExecutionTimeInSeconds,
    type: job.type,
    ...(job.cloudToDeviceMethod && { cloudToDeviceMethod: job.cloudToDeviceMethod }),
    ...(job.updateTwin && { updateTwin: job.updateTwin }),
    status: view.status,
    ...(view.failureReason !== undefined && { failureReason: view.failureReason }),
    statusMessage: statusMessage(job, view),
    ...(view.statistics && { deviceJobStatistics: view.statistics }),
    ...(view.waitingForDeviceCount !== undefined && { waitingForDeviceCount: view.waitingForDeviceCount }),
  };
}
