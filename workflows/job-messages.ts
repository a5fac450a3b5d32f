/** Messages of the job workflow (iotHubJob), for the API (client) and the shards (signals). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobResponse, ShardProgress } from './types.js';

/** The job as GET /jobs/v2/{id} shows it. */
export const jobResponseQuery = defineQuery<JobResponse>('jobResponse');

/**
 * Cancels the job and answers with the JobResponse once the cancel took effect in the workflow's
 * state. Rejected by its validator (nothing recorded in history) when there is nothing to cancel:
 * the caller then reads the job as it is.
 */
export const cancelJobUpdate = defineUpdate<JobResponse>('cancelJob');

/** A shard's progress (absolute counts), sent a bounded number of times per shard. */
export const shardProgressSignal = defineSignal<[ShardProgress]>('shardProgress');
