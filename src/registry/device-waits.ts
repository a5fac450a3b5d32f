import type { FailureCounts } from '../../workflows/rollout-types.js';
import type { DeviceJobError } from './job-records.js';

/**
 * Method-job records waiting for their device (rollout.waitForOfflineDevicesInSeconds): a device
 * found offline is not failed but waits, durably, until its wait ends. Its record reads
 * `status: 'scheduled'` with `waitForDeviceUntil` (hub time) in `devices.jobs`; the store tells a
 * waiting record (the device is offline) from a woken one (the device connected, the job is to call
 * it). A connect finds the records waiting for its device with one indexed lookup (by device id), a
 * job its own records by job id, so nothing scans the fleet or polls devices. A record that waited
 * is counted as the wait's (WaitedDevices), not as its batch's.
 */
export interface DeviceWaitStore {
  /**
   * Records of `deviceIds` that this job is calling (running) and found offline: they wait until
   * `until` (a record that waited before keeps its first end). Then, in a later transaction, those
   * whose device the store shows Connected since `connectedSince` (when the calls began) are woken:
   * a device that connected before its record waited (its connect event found nothing to wake) is
   * not missed, and a Connected state older than the call (left by a process that died) is not
   * taken for a connect. Returns how many of each.
   */
  waitForDevices(jobId: string, deviceIds: readonly string[], until: string, at: string, connectedSince: string): Promise<{ waiting: number; woken: number }>;
  /** The devices connected: their waiting records (of any job) are woken. Returns the jobs concerned. */
  wakeWaitingDevices(deviceIds: readonly string[]): Promise<string[]>;
  /**
   * Wakes the waiting records (of one job, or of all) whose device the store shows Connected: after
   * a restart, connects that happened while nobody listened. Returns the jobs concerned.
   */
  wakeConnectedDevices(jobId?: string): Promise<string[]>;
  /** Up to `limit` woken records of the job become running (to be called); returns their devices. */
  claimWokenDevices(jobId: string, limit: number, at: string): Promise<string[]>;
  /**
   * Records claimed after their device connected and still running fail with `error` (the worker
   * calling them died: the outcome is unknown, the device is not called again); returns how many.
   */
  endInterruptedCalls(jobId: string, error: DeviceJobError, at: string): Promise<number>;
  /** Waiting records whose wait ended by `now` (hub time) fail with `error`; returns how many. */
  endWaits(jobId: string, now: string, error: DeviceJobError, at: string): Promise<number>;
  /** The job's records that waited, by where they are now. */
  waitedDevices(jobId: string): Promise<WaitedDevices>;
}

export interface WaitedDevices {
  /** Waiting for their device, or woken and about to be called. */
  waiting: number;
  /** Being called after their device connected. */
  running: number;
  succeeded: number;
  /** Failed (the wait ended, or the call failed) or canceled. */
  failed: number;
  /**
   * The finished ones by how they failed, as a rollout batch counts its devices (a completed device
   * that answered outside 200–299 is errorStatus; one whose wait ended is offline): the abort
   * criteria weigh them with the batches' devices.
   */
  failures: FailureCounts;
  /** The earliest end of a wait still running (hub time). */
  nextWaitEnd?: string;
}
