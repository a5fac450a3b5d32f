import { Worker, type NativeConnection } from '@temporalio/worker';
import { configurationActivities, type ConfigurationActivityDeps } from '../../activities/configuration.js';
import { createJobActivities, type JobActivityDeps } from '../../activities/index.js';
import { webhookActivities, type WebhookActivityDeps } from '../../activities/webhooks.js';
import { bundleJobWorkflows, type WorkflowBundle } from './bundle.js';

/** The task queue of job workflows and activities. */
export const JOBS_TASK_QUEUE = 'iothub-jobs';

export interface JobsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: JobActivityDeps & ConfigurationActivityDeps & WebhookActivityDeps;
  taskQueue?: string;
  /** A prebuilt bundle (tests: bundleJobWorkflows({ cacheDir })); otherwise bundled now. */
  workflowBundle?: WorkflowBundle;
  /** Batch activities at once in this process (each runs a batch of devices). */
  maxConcurrentActivities?: number;
  /** The worker's identity in Temporal; default the SDK's (`pid@host`). */
  identity?: string;
}

/** The jobs worker: the job, shard, configuration and webhook delivery workflows and their activities on one task queue. */
export async function createJobsWorker(options: JobsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? JOBS_TASK_QUEUE,
    workflowBundle: options.workflowBundle ?? (await bundleJobWorkflows()),
    activities: { ...createJobActivities(options.activities), ...configurationActivities(options.activities), ...webhookActivities(options.activities) },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 64,
    shutdownGraceTime: '5 seconds',
    ...(options.identity !== undefined && { identity: options.identity }),
  });
}
