/** Messages to the workflow running a job's batches (a shard, or the job itself when it has no shards). */
import { defineSignal } from '@temporalio/workflow';
import type { BatchProgress } from './types.js';

/** A method batch's progress while its devices answer, sent by the batch activity (bounded per batch). */
export const batchProgressSignal = defineSignal<[BatchProgress]>('batchProgress');
