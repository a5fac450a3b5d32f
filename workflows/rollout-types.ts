/**
 * A job's rollout settings (the optional `rollout` object of PUT/PATCH /jobs/v2/{jobId}): rate,
 * ramp, abort criteria, per-device retries and the wait for offline devices. Modelled on AWS IoT
 * Jobs' jobExecutionsRolloutConfig, abortConfig and jobExecutionsRetryConfig
 * (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-configurations-details.html), with
 * statistics counting devices, not attempts. Types and pure data only (bundled into workflows).
 */

/** How a finished device failed: offline (never connected in time), timedOut (no answer in time), errorStatus (a method status outside 200–299). */
export type DeviceFailureType = 'offline' | 'timedOut' | 'errorStatus';
/** A criterion's failure type: one of them, or `all` (any failure, including the hub's own errors). */
export type FailureTypeCriterion = DeviceFailureType | 'all';
export const FAILURE_TYPE_CRITERIA: readonly FailureTypeCriterion[] = ['offline', 'timedOut', 'errorStatus', 'all'];

/** Start at baseRatePerMinute; multiply by incrementFactor each time that many more devices were notified (started) or succeeded. */
export interface ExponentialRate {
  baseRatePerMinute: number;
  incrementFactor: number;
  rateIncreaseCriteria: { numberOfNotifiedDevices: number } | { numberOfSucceededDevices: number };
}

export interface AbortCriterion {
  failureType: FailureTypeCriterion;
  /** The share (0–100) of finished devices with that failure that aborts the job. */
  thresholdPercentage: number;
  /** Finished devices needed before the criterion is looked at. */
  minNumberOfExecutedDevices: number;
  action: 'cancel';
}

export interface RetryCriterion {
  failureType: FailureTypeCriterion;
  /** Retries after the first attempt (0–10). */
  numberOfRetries: number;
}

export interface RetryBackoff {
  initialIntervalInSeconds: number;
  backoffCoefficient: number;
  maximumIntervalInSeconds: number;
}

export interface RolloutRetry {
  criteria: RetryCriterion[];
  backoff: RetryBackoff;
}

export interface Rollout {
  /** Devices started per minute at most (1–100,000), for the whole job; the ceiling of exponentialRate. */
  maxDevicesPerMinute?: number;
  exponentialRate?: ExponentialRate;
  abortCriteria?: AbortCriterion[];
  retry?: RolloutRetry;
  /** A method job's offline device waits this long for the device to connect (up to 30 days) before it fails as offline. */
  waitForOfflineDevicesInSeconds?: number;
}

/** A PATCH's rollout: each field given replaces the job's, null removes it, an absent one stays. */
export type RolloutPatch = { [K in keyof Rollout]?: Rollout[K] | null };

/** Finished devices by how they failed (succeeded devices that answered outside 200–299 count as errorStatus). */
export type FailureCounts = Record<DeviceFailureType | 'other', number>;
export const FAILURE_KINDS: ReadonlyArray<keyof FailureCounts> = ['offline', 'timedOut', 'errorStatus', 'other'];
export const noFailures = (): FailureCounts => ({ offline: 0, timedOut: 0, errorStatus: 0, other: 0 });

/** What the JobResponse adds for a job with rollout settings (or one that was paused). */
export interface RolloutView {
  /** The effective settings (after PATCHes). */
  rollout: Rollout;
  paused: boolean;
  /** Devices per minute the job starts now (absent when the job has no rate). */
  currentRatePerMinute?: number;
  /** Devices whose attempt failed and that wait for their next one (counted pending). */
  waitingForRetryCount: number;
  /** Devices waiting to connect (waitForOfflineDevicesInSeconds; counted pending). */
  waitingForDeviceCount: number;
}
