/** Messages of the job workflow (iotHubJob), for the API (client) and the shards (signals). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobPatch, JobResponse, JobView, ShardProgress } from './types.js';

/** The job as GET /jobs/v2/{id} shows it while its workflow runs. */
export const jobResponseQuery = defineQuery<JobResponse>('jobResponse');

/** Where the job is, in short (status, statistics, failureReason): for the Temporal Web UI's Queries tab and `temporal workflow query`. */
export const jobStatusQuery = defineQuery<JobView>('status');

/**
 * Cancels the job and answers with the JobResponse once the cancel took effect in the workflow's
 * state. Rejected by its validator (type NothingToCancel) when the job is cancelled already or has
 * ended: the caller then reads the job as it is.
 */
export const cancelJobUpdate = defineUpdate<JobResponse>('cancelJob');

/** The update's rejection when there is nothing to cancel. */
export const NOTHING_TO_CANCEL = 'NothingToCancel';

/**
 * Pause: no device is started until resume (in-flight ones finish); answers with the JobResponse
 * once the workflow holds the pause. Rejected (JobRunPreconditionFailed) when the job has ended, is
 * being cancelled or is paused already.
 */
export const pauseJobUpdate = defineUpdate<JobResponse>('pauseJob');

/** Resume a paused job where it stopped. Rejected (JobRunPreconditionFailed) when the job is not paused. */
export const resumeJobUpdate = defineUpdate<JobResponse>('resumeJob');

/**
 * PATCH: new rollout settings for the devices not started yet, and/or a new wall-clock deadline.
 * Rejected when the job has ended (JobRunPreconditionFailed) or the settings it would end up with
 * break a rule between fields (ArgumentInvalid).
 */
export const editJobUpdate = defineUpdate<JobResponse, [JobPatch]>('editJob');

/** Rejection types of the pause, resume and edit validators: IoT Hub error codes the API answers with. */
export const JOB_STATE_CONFLICT = 'JobRunPreconditionFailed';
export const JOB_EDIT_INVALID = 'ArgumentInvalid';

/** A shard's progress (absolute counts), sent a bounded number of times per shard. */
export const shardProgressSignal = defineSignal<[ShardProgress]>('shardProgress');
