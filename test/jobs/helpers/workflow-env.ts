/**
 * The jobs engine under @temporalio/testing time skipping (temporal-lite's bin, existing-path): a hub
 * with its gateway (SQLite), the jobs worker on the test environment's connection, and the jobs API
 * service on its time-skipping client. Job times follow the environment's clock.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { signalBatchProgressWith } from '../../../activities/batch-progress.js';
import { wakeOfflineWaitWith } from '../../../activities/offline-wait.js';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { JobsService } from '../../../src/jobs/service.js';
import { JobsService as Service } from '../../../src/jobs/service.js';
import { jobsSettings, type JobsSettingsInput } from '../../../src/jobs/settings.js';
import { listenForWaitingDevices } from '../../../src/jobs/device-wake.js';
import { silentLogger } from '../../../src/logger.js';
import { hubNow } from '../../../src/registry/time.js';
import { ensureJobSearchAttributes } from '../../../src/temporal/search-attributes.js';
import { createJobsWorker, JOBS_TASK_QUEUE } from '../../../src/temporal/worker.js';
import { jobEventPublisher } from '../../../src/webhooks/publisher.js';
import { binPath } from '../../temporal-lite/helpers/bin.js';
import { startGatewayHub, type GatewayTestHub } from '../../helpers/gateway-hub.js';
import { jobsWorkflowBundle } from './bundle.js';
import { SimulatedDevices } from './devices.js';

let runtimeInstalled = false;
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

export interface JobsTestEngine {
  env: TestWorkflowEnvironment;
  hub: GatewayTestHub;
  service: JobsService;
  devices: SimulatedDevices;
  /** PUT /jobs/v2/{id} with createdTime from the environment's (skipped) clock. */
  createJob(jobId: string, body: Record<string, unknown>): ReturnType<JobsService['create']>;
  dispose(): Promise<void>;
}

export async function startJobsTestEngine(settings: JobsSettingsInput = {}): Promise<JobsTestEngine> {
  quietTemporalRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: binPath() } } });
  const hub = await startGatewayHub();
  await ensureJobSearchAttributes(env.connection, 'default');
  const worker: Worker = await createJobsWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    workflowBundle: await jobsWorkflowBundle(),
    activities: {
      store: hub.hub.store,
      invoker: hub.part.services.invoker,
      events: hub.part.events,
      signalBatchProgress: signalBatchProgressWith(env.client),
      publishJobEvent: jobEventPublisher(env.client, hub.hub.store, JOBS_TASK_QUEUE),
      webhooks: jobsSettings(settings).webhooks,
      wakeOfflineWait: wakeOfflineWaitWith(env.client),
      log: silentLogger,
      now: hubNow,
    },
  });
  const running = worker.run();
  // Connects wake the jobs waiting for devices, as the jobs part's worker role does.
  const stopWaking = await listenForWaitingDevices({
    events: hub.part.services.connectEvents,
    store: hub.hub.store.deviceWaits,
    wake: wakeOfflineWaitWith(env.client),
    log: silentLogger,
  });
  let clockOffsetMs = 0;
  const service = new Service({
    client: env.client,
    store: hub.hub.store,
    settings: jobsSettings(settings),
    taskQueue: JOBS_TASK_QUEUE,
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  const devices = new SimulatedDevices(hub.hub, hub.gateway.port);
  return {
    env,
    hub,
    service,
    devices,
    async createJob(jobId, body) {
      clockOffsetMs = (await env.currentTimeMs()) - Date.now();
      return service.create(jobId, { jobId, ...body });
    },
    async dispose() {
      await devices.close();
      await stopWaking();
      worker.shutdown();
      await running;
      await hub.dispose();
      await env.teardown();
    },
  };
}
