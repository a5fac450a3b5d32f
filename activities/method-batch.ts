import { Context } from '@temporalio/activity';
import type { SeqRange } from '../src/registry/job-records.js';
import { finishedCounts } from '../workflows/job-response.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import { BatchProgressReporter, type BatchProgressLimits } from './batch-progress.js';
import type { JobActivityDeps } from './deps.js';
import { withReconnectGrace } from './reconnect-grace.js';
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
export const deviceWaitOf = (until: string | undefined, now: () => string): DeviceWait | undefined =>
  until === undefined ? undefined : { until, since: now() };

/**
 * A method job's batch: calls its devices `deviceConcurrency` at a time with the job's timeouts
 * (deviceCallsActivity: each record claimed only as its device is called, outcomes written as they
 * arrive, progress told to the workflow). After a crash a pending record was never called (a retry
 * calls it) and a running one was being called (outcome unknown: the retry fails it with
 * OUTCOME_UNKNOWN, never calls it again). A cancelled attempt (its timeout passed, the job was
 * cancelled) calls no one more, waits for the answers of the devices already called, writes them,
 * and ends. Offline devices of a job that waits for them are parked, not failed. Any device status
 * is a completed device; offline, timed-out or unknown devices fail with the gateway's error code
 * (a device offline since the hub's own restart gets a grace first: withReconnectGrace).
 */
export function methodBatchActivity(
  deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'metrics' | 'signalBatchProgress' | 'reconnectGraceMs' | 'wakeOfflineWait'>,
) {
  const { store, now, signalBatchProgress } = deps;
  const callDevices = deviceCallsActivity({ ...deps, invoker: withReconnectGrace(deps.invoker, store, deps.reconnectGraceMs ?? 0) });
  return async function processMethodBatch({ jobId, range, call, deviceConcurrency, progress, waitForDeviceUntil }: MethodBatch): Promise<BatchCounts> {
    let from = range.from;
    await callDevices({
      jobId,
      call,
      lanes: Math.min(deviceConcurrency, range.to - range.from),
      async claim(count) {
        const records = await store.claimDeviceJobs(jobId, { from, to: range.to }, now(), count);
        const last = records.at(-1);
        if (last) from = last.seq + 1;
        return records.map((record) => record.deviceId);
      },
      wait: deviceWaitOf(waitForDeviceUntil, now),
      reporter: new BatchProgressReporter(signalBatchProgress, range, progress),
      cancelled: Context.current().cancellationSignal,
    });
    // Every record this attempt claimed is written: the running ones left were an earlier attempt's.
    await store.closeRunningDeviceJobs(jobId, range, now());
    return finishedCounts(await store.countDeviceJobs(jobId, range));
  };
}
