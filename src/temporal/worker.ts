import { Worker, type NativeConnection } from '@temporalio/worker';
import { configurationActivities, type ConfigurationActivityDeps } from '../../activities/configuration.js';
import { createJobActivities, type JobActivityDeps } from '../../activities/index.js';
import { webhookActivities, type WebhookActivityDeps } from '../../activities/webhooks.js';
import { workerWarmUpActivities } from '../../activities/worker-warm-up.js';
import { prepareCodecs } from '../../temporal-lite/grpc/proto.js';
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

/** What the SDK's worker decodes from its core and encodes back for every workflow task and activity. */
const WORKER_MESSAGES = [
  'coresdk.workflow_activation.WorkflowActivation',
  'coresdk.workflow_completion.WorkflowActivationCompletion',
  'coresdk.activity_task.ActivityTask',
  'coresdk.ActivityTaskCompletion',
  'coresdk.ActivityHeartbeat',
];

/**
 * The jobs worker: the job, shard, configuration and webhook delivery workflows and their activities
 * on one task queue. Its codecs are prepared first, so that the first job after start-up does not
 * wait for them.
 */
export async function createJobsWorker(options: JobsWorkerOptions): Promise<Worker> {
  prepareCodecs(WORKER_MESSAGES);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? JOBS_TASK_QUEUE,
    workflowBundle: options.workflowBundle ?? (await bundleJobWorkflows()),
    activities: {
      ...createJobActivities(options.activities),
      ...configurationActivities(options.activities),
      ...webhookActivities(options.activities),
      ...workerWarmUpActivities,
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 64,
    shutdownGraceTime: '5 seconds',
    ...(options.identity !== undefined && { identity: options.identity }),
  });
}
