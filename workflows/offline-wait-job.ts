/**
 * The job's side of its wait for offline devices (offline-wait.ts): started beside the batches when
 * a method job waits for its offline devices, stopped with the job, told when every device was
 * dispatched, and awaited before the job closes its records. Its counts merge into the job's.
 */
import { setHandler, startChild } from '@temporalio/workflow';
import type { WaitedDevices } from '../src/registry/device-waits.js';
import { formatHubTime } from './hub-time.js';
import type { JobState } from './job-state.js';
import { iotHubJobOfflineWait } from './offline-wait.js';
import { devicesDispatchedSignal, offlineWaitWorkflowId, stopWaitingSignal, waitedDevicesSignal } from './offline-wait-messages.js';
import type { DeviceJobStatistics, JobDefinition, JobTuning } from './types.js';

/** How long the job's offline devices wait for their device (seconds); undefined: they fail at once. */
export const offlineWaitOf = (job: JobDefinition): number | undefined =>
  job.operation.kind === 'method' ? job.rollout?.waitForOfflineDevicesInSeconds || undefined : undefined;

/** Until when a device a batch dispatched now finds offline waits (hub time, workflow clock). */
export const waitForDeviceUntil = (waitSeconds: number | undefined): { waitForDeviceUntil?: string } =>
  waitSeconds ? { waitForDeviceUntil: formatHubTime(new Date(Date.now() + waitSeconds * 1000)) } : {};

/** Runs `dispatch` (the job's batches) with the wait beside it when the job has one; then waits for the wait's end. */
export async function withOfflineWait(state: JobState, tuning: JobTuning, dispatch: () => Promise<void>): Promise<void> {
  const { job } = state;
  const waitSeconds = offlineWaitOf(job);
  if (waitSeconds === undefined || job.operation.kind !== 'method') return dispatch();
  setHandler(waitedDevicesSignal, (waited) => state.waited(waited));
  const wait = await startChild(iotHubJobOfflineWait, {
    workflowId: offlineWaitWorkflowId(job.jobId),
    args: [
      {
        jobId: job.jobId,
        call: job.operation.call,
        waitSeconds,
        tuning,
        maxExecutionTimeInSeconds: job.maxExecutionTimeInSeconds,
        dispatched: false,
        reports: { sent: 0, at: 0, since: Date.now() },
      },
    ],
  });
  state.onStop(() => void wait.signal(stopWaitingSignal).catch(() => undefined));
  await dispatch();
  if (!state.stopping) await wait.signal(devicesDispatchedSignal);
  state.waited(await wait.result());
}

/**
 * The job's statistics with its wait's counts: batches leave out the records that waited, the wait
 * counts them; devices waiting for their device are pending (and counted apart). Sums to deviceCount.
 */
export function withWaited(statistics: DeviceJobStatistics, waited: WaitedDevices): DeviceJobStatistics & { waitingForDevice: number } {
  const { deviceCount } = statistics;
  const succeeded = Math.min(statistics.succeededCount + waited.succeeded, deviceCount);
  const failed = Math.min(statistics.failedCount + waited.failed, deviceCount - succeeded);
  const running = Math.min(statistics.runningCount + waited.running, deviceCount - succeeded - failed);
  const pending = deviceCount - succeeded - failed - running;
  return {
    deviceCount,
    failedCount: failed,
    succeededCount: succeeded,
    runningCount: running,
    pendingCount: pending,
    waitingForDevice: Math.min(waited.waiting, pending),
  };
}
