import type { DeviceJobCounts } from '../src/registry/job-records.js';
import type { JobResponse, UnprocessedClosing } from '../workflows/types.js';
import type { JobActivityDeps } from './deps.js';

/** The job workflow's store writes and reads around the device work (all idempotent). */
export function bookkeepingActivities({ store, log, metrics }: Pick<JobActivityDeps, 'store' | 'log' | 'metrics'>) {
  return {
    /** Ends the records no batch finished: canceled or failed (pending), failed (outcome unknown). */
    async closeUnprocessedDevices(closing: UnprocessedClosing): Promise<number> {
      return store.closeUnprocessedDeviceJobs(closing.jobId, { pending: closing.pending }, closing.at);
    },
    /** A finished job's device records per status (its final statistics). */
    async countDeviceJobs(jobId: string): Promise<DeviceJobCounts> {
      return store.countDeviceJobs(jobId);
    },
    /** Keeps the final JobResponse for the retention period: the read model of closed jobs (GET). */
    async recordFinishedJob(input: { response: JobResponse; finishedAt: string }): Promise<void> {
      const { jobId, type, status, deviceJobStatistics } = input.response;
      await store.saveFinishedJob(jobId, input.response, input.finishedAt);
      metrics?.jobsFinished.inc({ type, status });
      log.info({ jobId, type, status, ...deviceJobStatistics }, 'Job finished');
    },
  };
}
