import type { SeqRange } from '../src/registry/job-records.js';
import { finishedCounts } from '../workflows/job-response.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import { BatchProgressReporter, type BatchProgressLimits } from './batch-progress.js';
import type { JobActivityDeps } from './deps.js';
import { deviceCallsActivity, type DeviceWait } from './device-calls.js';

export interface MethodBatch {
  jobId: string;
  range: SeqRange;
  call: JobMethodCall;
  /** Devices called at once. */
  deviceConcurrency: number;
  progress: BatchProgressLimits;
  /**
   * Set when the job waits for offline devices (rollout.waitForOfflineDevicesInSeconds): until when
   * (hub time, in workflow time from the batch's dispatch), instead of failing them.
   */
  waitForDeviceUntil?: string;
}

/** The wait of the devices found offline by calls that begin now (hub time). */
export const deviceWaitOf = (until: string | undefined, now: () => string): DeviceWait | undefined => until === undefined ? undefined : { until, since: now() };

/**
 * A method job's batch: calls the devices of its record range (deviceCalls), claiming the pending
 * records a window at a time as the lanes need them; claiming a window at a time keeps the devices
 * an interrupted attempt leaves with an unknown outcome to one window's worth. Any device status is
 * a completed device; offline, timed-out or unknown devices fail with the gateway's error code,
 * unless the job waits for offline devices. Returns the range's final counts (records that waited
 * are the wait's).
 */
export function methodBatchActivity(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'signalBatchProgress' | 'wakeOfflineWait'>) {
  const callDevices = deviceCallsActivity(deps);
  return async function processMethodBatch({ jobId, range, call, deviceConcurrency, progress, waitForDeviceUntil }: MethodBatch): Promise<BatchCounts> {
    let claimedTo = range.from;
    await callDevices({
      jobId,
      call,
      lanes: Math.max(1, Math.min(deviceConcurrency, range.to - range.from)),
      async claim(size) {
        if (claimedTo >= range.to) return undefined;
        const to = Math.min(claimedTo + size, range.to);
        const claim = await deps.store.claimDeviceJobs(jobId, { from: claimedTo, to }, deps.now());
        claimedTo = to;
        return claim;
      },
      wait: deviceWaitOf(waitForDeviceUntil, deps.now),
      reporter: new BatchProgressReporter(deps.signalBatchProgress, range, progress),
    });
    return finishedCounts(await deps.store.countDeviceJobs(jobId, range));
  };
}
