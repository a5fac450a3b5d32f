/** The hub's wire types the console shows (the jobs v2 JobResponse, devices.jobs rows, twins). */
import type { Rollout } from '../../../workflows/rollout-types.js';

export type { AbortCriterion, FailureTypeCriterion, Rollout, RetryCriterion } from '../../../workflows/rollout-types.js';
export { FAILURE_TYPE_CRITERIA } from '../../../workflows/rollout-types.js';

export interface DeviceJobStatistics {
  deviceCount: number;
  failedCount: number;
  succeededCount: number;
  runningCount: number;
  pendingCount: number;
}

export type JobStatus = 'queued' | 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'scheduled', 'running', 'completed', 'failed', 'cancelled'];
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
export type JobType = 'scheduleDeviceMethod' | 'scheduleUpdateTwin';

export interface Job {
  jobId: string;
  queryCondition: string;
  createdTime: string;
  startTime: string;
  endTime?: string;
  maxExecutionTimeInSeconds: number;
  type: JobType;
  cloudToDeviceMethod?: { methodName: string; payload: unknown; responseTimeoutInSeconds: number; connectTimeoutInSeconds: number };
  updateTwin?: Record<string, unknown>;
  status: JobStatus;
  failureReason?: string;
  statusMessage?: string;
  deviceJobStatistics?: DeviceJobStatistics;
  /** This hub's rollout extension: only on a job with rollout settings, or one that was paused. */
  rollout?: Rollout;
  paused?: boolean;
  currentRatePerMinute?: number;
  waitingForRetryCount?: number;
  waitingForDeviceCount?: number;
}

export type DeviceJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled';
export const DEVICE_JOB_STATUSES: readonly DeviceJobStatus[] = ['pending', 'running', 'completed', 'failed', 'canceled'];

export interface DeviceJobRecord {
  deviceId: string;
  jobId: string;
  status: DeviceJobStatus;
  startTimeUtc?: string;
  endTimeUtc?: string;
  outcome?: { deviceMethodResponse: { status: number; payload: unknown } | null };
  error?: { code: string; description: string };
}

export interface Twin {
  deviceId: string;
  status?: string;
  connectionState?: string;
  lastActivityTime?: string;
  tags?: Record<string, unknown>;
  properties?: { desired?: Record<string, unknown>; reported?: Record<string, unknown> };
  [field: string]: unknown;
}

/** Devices finished (succeeded or failed), of all. */
export const finished = (stats: DeviceJobStatistics | undefined): number => (stats ? stats.succeededCount + stats.failedCount : 0);
