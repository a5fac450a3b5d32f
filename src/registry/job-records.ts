import type { DesiredPropertiesPatch, TwinServiceUpdate } from './model.js';

/**
 * Per-device job records (`devices.jobs`: Azure docs, "Schedule jobs on multiple devices") and finished jobs, as the jobs engine (src/jobs/,
 * activities/) writes them. A job's targets are a snapshot: one record per matching device, numbered
 * 0…N-1 (`seq`, in device id order) so shards and batches address them as ranges. Records move
 * pending → running → completed | failed, or pending → canceled | failed when the job stops early.
 * Every write only touches records that are not final yet, so a retried write changes nothing twice.
 */
export type JobType = 'scheduleDeviceMethod' | 'scheduleUpdateTwin';

/**
 * The engine's record states. A record waiting for its device reads `scheduled` (a value of the
 * SDKs' enums) and counts as pending (src/registry/device-waits.ts).
 */
export type DeviceJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled';

export interface DeviceJobError {
  code: string;
  description: string;
}

/** One `devices.jobs` row as queries return it (optional fields absent, not null). */
export interface DeviceJobRecord {
  deviceId: string;
  jobId: string;
  jobType: JobType;
  status: DeviceJobStatus;
  startTimeUtc?: string;
  endTimeUtc?: string;
  createdDateTimeUtc: string;
  lastUpdatedDateTimeUtc: string;
  outcome?: { deviceMethodResponse: { status: number; payload: unknown } | null };
  error?: DeviceJobError;
}

/** Records `from` (inclusive) to `to` (exclusive) by `seq`. */
export interface SeqRange {
  from: number;
  to: number;
}

export type DeviceJobCounts = Record<DeviceJobStatus, number>;

/**
 * The record of a method call whose outcome nobody knows: the device was called (its record was
 * running) when the process calling it died. It is never called again; an answer that still
 * arrives (the calling attempt outlived its timeout) replaces this record.
 */
export const OUTCOME_UNKNOWN: DeviceJobError = {
  code: 'MethodOutcomeUnknown',
  description: 'The hub stopped while this device was being called; whether the method ran is unknown, so the device was not called again',
};

/** What happened to one device of a method job. */
export type DeviceJobOutcome =
  | { deviceId: string; status: 'completed'; methodResponse: { status: number; payload: unknown } }
  | { deviceId: string; status: 'failed'; error: DeviceJobError };

/** A record claimed for a call. */
export interface ClaimedRecord {
  deviceId: string;
  seq: number;
}

export interface JobSnapshotRequest {
  jobId: string;
  jobType: JobType;
  /** The job's queryCondition (a WHERE body or `*`), already validated by the API. */
  queryCondition: string;
  /** Hub time (e.g. `2024-05-10T07:11:30.9707312Z`) for createdDateTimeUtc. */
  createdTime: string;
}

export interface TwinJobBatchResult {
  succeeded: number;
  failed: number;
  /** Desired-property patches to announce to connected devices (after commit). */
  desiredChanges: DesiredPropertiesPatch[];
}

export interface JobRecordStore {
  /**
   * Adds the next (up to `limit`) devices matching the condition, after the last one recorded, as
   * pending records with consecutive seq numbers, in one transaction. Call until `added < limit`;
   * safe to repeat after a crash (it continues from what the store holds). `total` = records so far.
   */
  snapshotJobDevices(job: JobSnapshotRequest, limit: number): Promise<{ added: number; total: number }>;
  /**
   * Marks the first `limit` pending records of a range running (startTimeUtc = `at`), right before
   * their devices are called, and returns them (so a running record is a device being called).
   */
  claimDeviceJobs(jobId: string, range: SeqRange, at: string, limit: number): Promise<ClaimedRecord[]>;
  /**
   * Fails with OUTCOME_UNKNOWN the records of a range still running: an earlier attempt was calling
   * them when it died. Returns how many.
   */
  closeRunningDeviceJobs(jobId: string, range: SeqRange, at: string): Promise<number>;
  /**
   * Writes final outcomes of records still pending or running, or recorded OUTCOME_UNKNOWN (the
   * real answer replaces "unknown"); returns how many it wrote.
   */
  finishDeviceJobs(jobId: string, outcomes: readonly DeviceJobOutcome[], at: string): Promise<number>;
  /**
   * A twin job's work on the pending records of a range, in one transaction: the forced update
   * (merge of tags/desired, versions per the twin model) on each device's twin and the record's
   * outcome together. Devices gone since the snapshot, or whose twin would break a limit, fail.
   */
  applyTwinJobBatch(jobId: string, range: SeqRange, update: TwinServiceUpdate, at: string): Promise<TwinJobBatchResult>;
  /**
   * Ends a job's unprocessed records: pending ones get `pending.status` (canceled, or failed with
   * an error), running ones fail with OUTCOME_UNKNOWN. Returns how many.
   */
  closeUnprocessedDeviceJobs(
    jobId: string,
    close: { pending: { status: 'canceled' } | { status: 'failed'; error: DeviceJobError } },
    at: string,
  ): Promise<number>;
  /** Records per status, of the whole job or of a range. */
  countDeviceJobs(jobId: string, range?: SeqRange): Promise<DeviceJobCounts>;
  /** Keeps a finished job's final JobResponse (replacing an earlier one); `finishedAt` in hub time. */
  saveFinishedJob(jobId: string, response: object, finishedAt: string): Promise<void>;
  getFinishedJob(jobId: string): Promise<object | undefined>;
  /** Deletes jobs finished before `finishedBefore` (hub time) with all their device records. */
  purgeFinishedJobs(finishedBefore: string): Promise<{ jobs: number; records: number }>;
}

export const emptyDeviceJobCounts = (): DeviceJobCounts => ({ pending: 0, running: 0, completed: 0, failed: 0, canceled: 0 });
