/**
 * The activities of a job's wait for offline devices (workflows/offline-wait.ts): call the devices
 * whose records were woken (they connected), look for waiting devices that are connected (after a
 * restart), end the waits that ran out. All over the store's records, so the workflow holds
 * nothing per device.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WaitedDevices } from '../src/registry/device-waits.js';
import { OUTCOME_UNKNOWN } from '../src/registry/job-records.js';
import { devicesWaitingSignal, offlineWaitWorkflowId } from '../workflows/offline-wait-messages.js';
import type { JobMethodCall } from '../workflows/types.js';
import type { JobActivityDeps } from './deps.js';
import { deviceCallsActivity } from './device-calls.js';

/** Wakes a job's wait for offline devices (a signal without payload); a job without one is ignored. */
export type WakeOfflineWait = (jobId: string) => Promise<void>;

export const wakeOfflineWaitWith =
  (client: Client): WakeOfflineWait =>
  async (jobId) => {
    try {
      await client.workflow.getHandle(offlineWaitWorkflowId(jobId)).signal(devicesWaitingSignal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  };

export interface WokenDevicesCall {
  jobId: string;
  call: JobMethodCall;
  /** Devices called at once. */
  deviceConcurrency: number;
  /** Devices called by this activity at most (the workflow runs another while more are woken). */
  limit: number;
  /** A device offline again waits on, until the end of its first wait; this only types the call. */
  waitForDeviceUntil: string;
}

const waitEnded = (seconds: number) => ({
  code: 'DeviceNotOnline',
  description: `The device did not connect within waitForOfflineDevicesInSeconds (${seconds})`,
});

export function offlineWaitActivities(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'wakeOfflineWait'>) {
  const callDevices = deviceCallsActivity(deps);
  const waits = deps.store.deviceWaits;
  return {
    /**
     * Calls the job's woken records (up to `limit`), each claimed as its device is called; a device
     * offline again waits on. Records an earlier call left running were being called when its worker
     * died: they fail with OUTCOME_UNKNOWN, uncalled (one call at most per device and job). `more`: the limit stopped it with woken records left.
     */
    async callWokenDevices({ jobId, call, deviceConcurrency, limit, waitForDeviceUntil }: WokenDevicesCall): Promise<{ waited: WaitedDevices; more: boolean }> {
      await waits.endInterruptedCalls(jobId, OUTCOME_UNKNOWN, deps.now());
      let claimed = 0;
      let more = false;
      await callDevices({
        jobId,
        call,
        lanes: Math.max(1, Math.min(deviceConcurrency, limit)),
        async claim(count) {
          const allowed = Math.min(count, limit - claimed);
          // The limit cuts this claim short: woken records may be left for the next activity.
          if (allowed < count) more = true;
          const devices = allowed > 0 ? await waits.claimWokenDevices(jobId, allowed, deps.now()) : [];
          claimed += devices.length;
          return devices;
        },
        wait: { until: waitForDeviceUntil, since: deps.now() },
      });
      return { waited: await waits.waitedDevices(jobId), more };
    },
    /** Wakes the job's waiting records whose device is connected (connects nobody heard); its counts. */
    async lookForConnectedDevices(jobId: string): Promise<WaitedDevices> {
      await waits.wakeConnectedDevices(jobId);
      return waits.waitedDevices(jobId);
    },
    /** Fails the records whose wait ended by `now` (hub time, the workflow's clock); the counts after. */
    async endDeviceWaits({ jobId, now, waitSeconds }: { jobId: string; now: string; waitSeconds: number }): Promise<WaitedDevices> {
      await waits.endWaits(jobId, now, waitEnded(waitSeconds), deps.now());
      return waits.waitedDevices(jobId);
    },
  };
}
