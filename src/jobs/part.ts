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
import { JOB_STATUSES, JOB_TYPES } from '../../workflows/types.js';
import { workerWarmUp, workerWarmUpId } from '../../workflows/worker-warm-up.js';
import { jobListFilter } from './list-filter.js';
import { listenForWaitingDevices } from './device-wake.js';
import { watchNamespace } from './namespace-watch.js';
import { schedulePurge } from './purge.js';
import { jobsRouter } from '../api/routes/jobs.js';
import { jobEventsRouter } from '../console/job-events.js';
import { JobWatcher } from '../console/job-watcher.js';
import { hooksRouter } from '../api/routes/hooks.js';
import { jobEventPublisher } from '../webhooks/publisher.js';
import { JobsService } from './service.js';
import { jobsSettings, temporalRetentionDays, type JobsSettings, type JobsSettingsInput } from './settings.js';

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
  /** The worker's identity in Temporal (the embedded temporal-lite knows it: provideTemporal). */
  workerIdentity?: string;
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
 * role mounts the routes (jobs and webhooks) and/or runs the worker (job and webhook delivery
 * workflows). Twin jobs announce desired changes through the hub's events (so a worker process needs the gateway's notifier too, e.g. gatewayPart without a
 * broker and with Redis); method jobs call `invoker`.
 */
export function jobsPart(options: JobsPartOptions): (context: HubPartContext) => Promise<JobsPart> {
  return async (context) => {
    if (options.roles.worker && !options.invoker) throw new Error("jobsPart: the worker role needs the gateway's method invoker");
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
      context.readiness.add('temporal', () => temporalAnswers(client));
      const part: JobsPart = { client, close };
      if (options.roles.api) {
        await warnOfShortRetention(client, settings.retentionDays, context.log);
        part.service = new JobsService({ client, store: context.store, settings, taskQueue, log: context.log, metrics: context.metrics });
        countJobsByStatus(context, client);
        const service = part.service;
        const watcher = new JobWatcher((jobId) => service.get(jobId));
        closers.push(async () => watcher.close());
        part.routers = [jobEventsRouter(watcher), jobsRouter(service), hooksRouter(context.store, settings.webhooks)];
      }
      if (options.roles.worker) {
        part.worker = await runWorker(options, context, client, taskQueue, settings, closers);
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

/** How often the worker's state is checked for FAILED. */
const WORKER_WATCH_MS = 1_000;
/** How long closing waits for a failed worker to stop (a running one is waited for: its graceful shutdown is 5 s). */
const WORKER_STOP_WAIT_MS = 15_000;

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
async function runWorker(
  options: JobsPartOptions,
  context: HubPartContext,
  client: Client,
  taskQueue: string,
  settings: JobsSettings,
  closers: Closer[],
): Promise<Worker> {
  const connection = await connectTemporalWorker(options.temporal);
  closers.push(() => connection.close());
  const worker = await createJobsWorker({
    connection,
    namespace: namespaceOf(options.temporal),
    taskQueue,
    identity: options.workerIdentity,
    workflowBundle: options.workflowBundle ?? (await bundleJobWorkflows({ cacheDir: options.bundleCacheDir })),
    activities: {
      store: context.store,
      invoker: options.invoker!,
      events: context.events,
      signalBatchProgress: signalBatchProgressWith(client),
      publishJobEvent: jobEventPublisher(client, context.store, taskQueue),
      webhooks: settings.webhooks,
      reconnectGraceMs: settings.reconnectGraceSeconds * 1000,
      wakeOfflineWait: wakeOfflineWaitWith(client),
      log: context.log,
      metrics: context.metrics,
      now: hubNow,
    },
  });
  let stopping = false;
  let failure: Error | undefined;
  // A worker that stops by itself (a fatal error of the SDK's core, e.g. its namespace gone) does no
  // more work: the process must not look alive, so it exits non-zero for its supervisor to restart it.
  const failed = (reason: Error) => {
    if (stopping || failure) return;
    failure = reason;
    context.fail(reason);
  };
  const running = worker.run().then(
    () => failed(new Error('The jobs worker stopped')),
    (err: unknown) => {
      context.log.error({ err }, 'The jobs worker stopped');
      failed(err instanceof Error ? err : new Error(String(err)));
    },
  );
  // The SDK marks a failed worker FAILED before run() settles, which waits for the native worker's
  // shutdown: with its server unreachable that can take long. The state says it first.
  const watch = setInterval(() => {
    if (worker.getState() === 'FAILED') {
      clearInterval(watch);
      failed(new Error('The jobs worker failed'));
    }
  }, WORKER_WATCH_MS);
  warmUp(client, worker, taskQueue, context.log);
  const stopNamespaceWatch = watchNamespace(client, failed);
  context.readiness.add('worker', async () => {
    if (failure) throw new Error(`the jobs worker failed: ${failure.message}`);
    if (worker.getState() !== 'RUNNING') throw new Error(`the jobs worker is ${worker.getState().toLowerCase()}`);
  });
  closers.push(async () => {
    stopping = true;
    clearInterval(watch);
    stopNamespaceWatch();
    if (worker.getState() === 'RUNNING' && !failure) {
      // A clean stop: its connection can close only once run() has settled (the SDK refuses sooner).
      worker.shutdown();
      await running;
      return;
    }
    // A failed worker's run() may not settle (see above): the process exits all the same.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, WORKER_STOP_WAIT_MS)))]);
    clearTimeout(timer);
  });
  if (options.connectEvents) {
    const events = options.connectEvents;
    closers.push(await listenForWaitingDevices({ events, store: context.store.deviceWaits, wake: wakeOfflineWaitWith(client), log: context.log }));
  }
  return worker;
}

/**
 * Runs a workflow that does nothing, in the background, so that the first job after start-up finds
 * the worker's workflow thread ready (workflows/worker-warm-up.ts). In a cluster another worker may
 * take it: that one is warm then, and nothing is lost. A failure only leaves the worker cold.
 */
function warmUp(client: Client, worker: Worker, taskQueue: string, log: HubPartContext['log']): void {
  client.workflow
    .execute(workerWarmUp, { taskQueue, workflowId: workerWarmUpId(worker.options.identity, Date.now()), workflowExecutionTimeout: '1 minute' })
    .catch((err: unknown) => log.debug({ err }, 'The jobs worker warm-up did not run'));
}

/** Readiness: the Temporal server answers for the namespace (the jobs' workflows live there). */
async function temporalAnswers(client: Client): Promise<void> {
  const { namespace } = client.options;
  await client.connection.withDeadline(Date.now() + 1_500, () => client.workflowService.describeNamespace({ namespace }));
}

/**
 * iothub_jobs{type,status}: the jobs Temporal's visibility holds (closed ones for the namespace's
 * retention), counted at scrape time: one count per type and status, as visibility groups by
 * ExecutionStatus only. Every api process of a cluster reports the same numbers (take max, not sum).
 */
function countJobsByStatus(context: HubPartContext, client: Client): void {
  context.metrics.gauge('iothub_jobs', "Jobs by type and status, counted in Temporal's visibility at scrape time", ['type', 'status'], async (gauge) => {
    const pairs = JOB_TYPES.flatMap((type) => JOB_STATUSES.map((status) => ({ type, status })));
    const counts = await client.withDeadline(Date.now() + 2_000, () =>
      Promise.all(pairs.map((pair) => client.workflow.count(jobListFilter({ type: pair.type, status: [pair.status] })))),
    );
    pairs.forEach((pair, index) => gauge.set(pair, counts[index]!.count));
  });
}
