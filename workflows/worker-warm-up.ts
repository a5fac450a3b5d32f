import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { WorkerWarmUpActivities } from '../activities/worker-warm-up.js';

const activity = proxyActivities<WorkerWarmUpActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });
const localActivity = proxyLocalActivities<WorkerWarmUpActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

/**
 * A workflow that does little: a jobs worker runs one as it starts, so that its workflow thread
 * has set up its codecs and its sandbox has run workflow code before the first job's first task,
 * which would otherwise wait for them (the SDK sets them up on a thread's first workflow task).
 * It runs one local activity and one activity, as a job's first task does (its events, its first
 * snapshot chunk, its first batch): their paths in the worker and the server are set up too.
 */
export async function workerWarmUp(): Promise<void> {
  await localActivity.warmUpStep();
  await activity.warmUpStep();
}

/** Its workflow id: one per worker start (Temporal keeps each for the namespace's retention). */
export const workerWarmUpId = (identity: string, startedAt: number): string => `iothub-worker-warm-up/${identity}/${startedAt}`;
