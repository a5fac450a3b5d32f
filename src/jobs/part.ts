import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { signalBatchProgressWith } from '../../activities/batch-progress.js';
import { wakeOfflineWaitWith } from '../../activities/offline-wait.js';
import type { ConnectEvents } from '../gateway/connect-events.js';
import type { MethodInvoker } from '../gateway/methods/invoker.js';
import type { HubPartContext, HubPartHandle } from '../hub.js';
import { hubNow } from '../registry/time.js';
import type { WorkflowBundle } from '../temporal/bundle.js';
import { bundleJobWorkflows } from '../temporal/bundle.js';
import { connectTemporalClient, connectTemporalWorker, namespaceOf, type TemporalTarget } from '../temporal/connection.js';
import { ensureJobSearchAttributes } from '../temporal/search-attributes.js';
import { createJobsWorker, JOBS_TASK_QUEUE } from '../temporal/worker.js';
import { listenForWaitingDevices } from './device-wake.js';
import { schedulePurge } from './purge.js';
import { jobsRouter } from '../api/routes/jobs.js';
import { JobsService } from './service.js';
import { jobsSettings, temporalRetentionDays, type JobsSettingsInput } from './settings.js';

export interface JobsPartOptions {
  temporal: TemporalTarget;
  /** `api`: the /jobs/v2 routes; `worker`: runs job workflows and activities (and the purge). */
  roles: { api?: boolean; worker?: boolean };
  /** The gateway's direct-method invoker (gatewayPart(...).services.invoker); needed by workers. */
  invoker?: MethodInvoker;
  /** The gateway's connect events (gatewayPart(...).services.connectEvents): workers wake the jobs waiting for devices. */
  connectEvents?: ConnectEvents;
  settings?: JobsSettingsInput;
  /** A prebuilt workflow bundle (tests); otherwise bundled at start, cached in `bundleCacheDir` if given. */
  workflowBundle?: WorkflowBundle;
  bundleCacheDir?: string;
  taskQueue?: string;
}

export interface JobsPart extends HubPartHandle {
  client: Client;
  /** With the api role. */
  service?: JobsService;
  /** With the worker role. */
  worker?: Worker;
}

/**
 * The jobs engine as a part of startHub. Registers the search attributes (idempotent), then per
 * role mounts the routes and/or runs the worker. Twin jobs announce desired changes through the
 * hub's events (so a worker process needs the gateway's notifier too, e.g. gatewayPart without a
 * broker and with Redis); method jobs call `invoker`.
 */
export function jobsPart(options: JobsPartOptions): (context: HubPartContext) => Promise<JobsPart> {
  return async (context) => {
    if (options.roles.worker && !options.invoker) throw new Error('jobsPart: the worker role needs the gateway\'s method invoker');
    const settings = jobsSettings(options.settings);
    const taskQueue = options.taskQueue ?? JOBS_TASK_QUEUE;
    const closers: Closer[] = [];
    const close = async () => {
      for (const closer of closers.splice(0).reverse()) await closer();
    };
    try {
      const { client, connection } = await connectTemporalClient(options.temporal);
      closers.push(() => connection.close());
      await ensureJobSearchAttributes(connection, namespaceOf(options.temporal));
      const part: JobsPart = { client, close };
      if (options.roles.api) {
        await warnOfShortRetention(client, settings.retentionDays, context.log);
        part.service = new JobsService({ client, store: context.store, settings, taskQueue });
        part.routers = [jobsRouter(part.service)];
      }
      if (options.roles.worker) {
        part.worker = await runWorker(options, context, client, taskQueue, closers);
        closers.push(schedulePurge(context.store, { retentionDays: settings.retentionDays, intervalMs: settings.purgeIntervalMs, log: context.log }));
      }
      return part;
    } catch (err) {
      await close();
      throw err;
    }
  };
}

type Closer = () => Promise<void>;

/**
 * A cluster's namespace retention is its operator's: should Temporal forget closed jobs before the
 * store purges them, an id could be reused while the old job's records are still stored.
 */
async function warnOfShortRetention(client: Client, storeRetentionDays: number, log: HubPartContext['log']): Promise<void> {
  const { config } = await client.workflowService.describeNamespace({ namespace: client.options.namespace });
  const retentionDays = Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
  const needed = temporalRetentionDays(storeRetentionDays);
  if (retentionDays < needed) {
    log.warn(
      `Temporal namespace '${client.options.namespace}' keeps closed workflows ${retentionDays} days, the hub keeps finished jobs ${storeRetentionDays}: set the namespace retention to at least ${needed} days so a job id cannot be reused while its records are kept`,
    );
  }
}

/** The worker role: job workflows and activities on the task queue, stopped by the closers it adds. */
async function runWorker(options: JobsPartOptions, context: HubPartContext, client: Client, taskQueue: string, closers: Closer[]): Promise<Worker> {
  const connection = await connectTemporalWorker(options.temporal);
  closers.push(() => connection.close());
  const worker = await createJobsWorker({
    connection,
    namespace: namespaceOf(options.temporal),
    taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleJobWorkflows({ cacheDir: options.bundleCacheDir })),
    activities: {
      store: context.store,
      invoker: options.invoker!,
      events: context.events,
      signalBatchProgress: signalBatchProgressWith(client),
      wakeOfflineWait: wakeOfflineWaitWith(client),
      log: context.log,
      now: hubNow,
    },
  });
  const running = worker.run().catch((err: unknown) => context.log.error('The jobs worker stopped', err));
  closers.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  if (options.connectEvents) {
    const events = options.connectEvents;
    closers.push(await listenForWaitingDevices({ events, store: context.store.deviceWaits, wake: wakeOfflineWaitWith(client), log: context.log }));
  }
  return worker;
}
