/** Messages of the job workflow (iotHubJob), for the API (client) and the shards (signals). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobResponse, JobView, ShardProgress } from './types.js';

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

/** A shard's progress (absolute counts), sent a bounded number of times per shard. */
export const shardProgressSignal = defineSignal<[ShardProgress]>('shardProgress');
