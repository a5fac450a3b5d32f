/**
 * The contract between the jobs API (src/jobs/), the workflows and the activities: what a job is,
 * how it is tuned, and the JobResponse it answers with
 * (https://learn.microsoft.com/rest/api/iothub/service/jobs/get-scheduled-job). Types and pure data
 * only: this file is bundled into the deterministic workflow code.
 */
import type { DeviceJobError, JobType, SeqRange } from '../src/registry/job-records.js';
import type { TwinServiceUpdate } from '../src/registry/model.js';
import type { DispatchStatus, RolloutCommand } from './rollout-control.js';
import type { RolloutCursor } from './rollout-dispatch.js';
import type { FailureCounts, Rollout, RolloutPatch, RolloutRetry, RolloutView } from './rollout-types.js';

export type { JobType, SeqRange };
export type * from './rollout-types.js';

export const JOB_WORKFLOW = 'iotHubJob';
export const SHARD_WORKFLOW = 'iotHubJobShard';

/** Job statuses on the wire (the v2 jobs' JobResponse.status values). */
export type JobStatus = 'queued' | 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'scheduled', 'running', 'completed', 'failed', 'cancelled'];
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'scheduled', 'running'];
export const JOB_TYPES: readonly JobType[] = ['scheduleDeviceMethod', 'scheduleUpdateTwin'];

/** A direct-method call as a job carries it (defaults applied, validated). */
export interface JobMethodCall {
  methodName: string;
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

/** What a job does to each device. */
export type JobOperation = { kind: 'method'; call: JobMethodCall } | { kind: 'twin'; update: TwinServiceUpdate };

/** An accepted job request (validated and normalised by the API). Times are hub time strings. */
export interface JobDefinition {
  jobId: string;
  type: JobType;
  queryCondition: string;
  createdTime: string;
  /** When to start; equals createdTime when the request asked for now (or the past). */
  startTime: string;
  maxExecutionTimeInSeconds: number;
  operation: JobOperation;
  /** Echoed in the JobResponse as the request sent them. */
  cloudToDeviceMethod?: JobMethodCall;
  updateTwin?: Record<string, unknown>;
  /** Rollout settings as created (PATCH changes the workflow's effective ones); absent for Azure's plain jobs. */
  rollout?: Rollout;
}

/**
 * How a job spreads its devices: shards (child workflows) of consecutive records, each running
 * batches (activities) with bounded concurrency; a job that fits one shard runs its batches itself.
 * Fixed per job at submission (deterministic).
 */
export interface JobTuning {
  /** Devices per shard at least; more when the job would otherwise need over `maxShards`. */
  shardSize: number;
  maxShards: number;
  /** Shards running at once. */
  shardConcurrency: number;
  /** Devices per activity. */
  batchSize: number;
  /** Batches running at once per shard. */
  batchConcurrency: number;
  /** Devices of a method batch called at once (a twin batch is one transaction and ignores it). */
  deviceConcurrency: number;
  /**
   * Progress signals a shard sends its parent, and memo updates the job makes for its list row, at
   * most (spread over the devices).
   */
  progressUpdates: number;
  /**
   * Progress signals a batch sends the workflow running it while its devices answer, at most (method
   * batches; a twin batch commits at once, so 0).
   */
  batchProgressUpdates: number;
  /** Progress is told no more often than this (ms), so short jobs and batches spend nothing on it. */
  progressIntervalMs: number;
  /** A shard continues as new once its history reaches this many events. */
  shardHistoryLimit: number;
  /** Devices resolved per snapshot transaction. */
  snapshotChunk: number;
}

export interface DeviceJobStatistics {
  deviceCount: number;
  failedCount: number;
  succeededCount: number;
  runningCount: number;
  pendingCount: number;
}

/** The JobResponse of GET/PUT/cancel/list, fields in the order of the service model (JobResponse in azure-iothub). */
export interface JobResponse {
  jobId: string;
  queryCondition: string;
  createdTime: string;
  startTime: string;
  endTime?: string;
  maxExecutionTimeInSeconds: number;
  type: JobType;
  cloudToDeviceMethod?: JobMethodCall;
  updateTwin?: Record<string, unknown>;
  status: JobStatus;
  failureReason?: string;
  statusMessage?: string;
  deviceJobStatistics?: DeviceJobStatistics;
  /** Only for a job with rollout settings, or one that was paused (SDK-created jobs show none of these). */
  rollout?: RolloutView['rollout'];
  paused?: boolean;
  currentRatePerMinute?: number;
  waitingForRetryCount?: number;
  waitingForDeviceCount?: number;
}

/** What PATCH /jobs/v2/{jobId} may change: the rollout settings (for the devices not started yet) and the wall-clock deadline. */
export interface JobPatch {
  rollout?: RolloutPatch;
  maxExecutionTimeInSeconds?: number;
}

export interface JobWorkflowInput {
  job: JobDefinition;
  tuning: JobTuning;
}

/**
 * What of a job changes as it runs: the part of its JobResponse the workflow owns (the rest is its
 * JobDefinition). Kept in the workflow's memo too, so lists show a job without asking its workflow.
 */
export interface JobView {
  status: JobStatus;
  endTime?: string;
  failureReason?: string;
  statistics?: DeviceJobStatistics;
  /** For a job with rollout settings or one that was paused. */
  rollout?: RolloutView;
  /** When a PATCH changed it. */
  maxExecutionTimeInSeconds?: number;
}

/** A job workflow's memo: its definition (set at start) and its view (upserted as it changes). */
export interface JobMemo {
  job: JobDefinition;
  view?: JobView;
}

/** Progress of one batch while its devices answer: the outcomes written so far (absolute). */
export interface BatchProgress {
  /** The batch's first record (it identifies the batch within its job). */
  batch: number;
  succeeded: number;
  failed: number;
}

/** Progress of one shard: devices finished so far and in flight (absolute, not deltas). */
export interface ShardProgress {
  shard: number;
  succeeded: number;
  failed: number;
  running: number;
  /** A rollout shard's pace and waiting devices. */
  rollout?: DispatchStatus;
}

export interface ShardCounters {
  succeeded: number;
  failed: number;
  /** Batches whose activity gave up (their devices are closed by the parent). */
  failedBatches: number;
  lastError?: string;
}

export interface ShardInput {
  jobId: string;
  shard: number;
  range: SeqRange;
  operation: JobOperation;
  tuning: JobTuning;
  /** Offline devices wait this long for their device (a method job's rollout); absent: they fail. */
  waitForOfflineDevicesInSeconds?: number;
  /** Where a continued run resumes: the first record not dispatched yet, and the counters so far. */
  next: number;
  counters: ShardCounters;
  /** Devices finished when the last progress signal was sent, and when (workflow time, ms). */
  reported: number;
  reportedAt: number;
  /** A rollout job's one shard: where its dispatcher stands, and the job's settings and pause. */
  rollout?: { cursor: RolloutCursor; command: RolloutCommand };
}

export interface ShardResult extends ShardCounters {
  /** Records of the range never dispatched (the shard was stopped). */
  undispatched: number;
  /** A rollout shard's end: its dispatcher's state (abort included). */
  rollout?: RolloutCursor;
}

/** What a batch activity returns: the final records of its range, whoever wrote them. */
export interface BatchCounts {
  succeeded: number;
  failed: number;
}

/** How the job's unprocessed records end (closeUnprocessed activity). */
export interface UnprocessedClosing {
  jobId: string;
  pending: { status: 'canceled' } | { status: 'failed'; error: DeviceJobError };
  at: string;
}

/** A rollout job's batch (processRolloutBatch): a seq range's first attempts, or the retries due. */
export interface RolloutBatch {
  jobId: string;
  /** Unique within the job: the store marks the batch's devices with it. */
  token: string;
  /** `dueBefore` in workflow time (ms). */
  devices: { range: SeqRange } | { dueBefore: number; limit: number };
  operation: JobOperation;
  retry?: RolloutRetry;
  deviceConcurrency: number;
  /** Workflow time (ms) when the batch was dispatched: retry times follow the workflow's clock. */
  dispatchedAt: number;
  /** Set when offline devices wait for their device (MethodBatch.waitForDeviceUntil): they are parked, not failed or retried. */
  waitForDeviceUntil?: string;
}

export interface RolloutBatchResult {
  /** Devices the batch claimed (attempted). */
  claimed: number;
  /** The batch's devices as they are now: finished (by failure type) or waiting for a retry. */
  counts: { succeeded: number; failed: number; failures: FailureCounts; retrying: number };
  /** The job's retry queue after the batch (`nextAt` in workflow time, ms). */
  queue: { waiting: number; nextAt?: number };
}
