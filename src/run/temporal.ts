import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { startTemporalLite } from '../../temporal-lite/index.js';
import type { HubConfig } from '../config/config.js';
import { temporalRetentionDays } from '../jobs/settings.js';
import type { Logger } from '../logger.js';

/** The Temporal server the jobs use: an external one, or temporal-lite embedded in this process. */
export interface TemporalEndpoint {
  address: string;
  namespace: string;
  /** The embedded server's database file; undefined for an external server. */
  embeddedDbFile?: string;
  /** The embedded server's Web UI (http://127.0.0.1:8233), when served. */
  uiUrl?: string;
  /** The embedded server's metrics (RPCs, task queue backlog, persistence latency) as exposition text. */
  metrics?: () => Promise<string>;
  /** The identity this process's jobs worker must have for the embedded server to know it (worker role). */
  workerIdentity?: string;
  close(): Promise<void>;
}

/**
 * The jobs worker's identity next to the embedded temporal-lite: the same in every run of the
 * process (the SDK's default, `pid@host`, is not), so a restarted server recognises its attempts.
 */
const IN_PROCESS_WORKER_IDENTITY = 'iothub-jobs worker (in process)';

/**
 * Without TEMPORAL_ADDRESS: temporal-lite, durable in the data directory, keeping closed workflows
 * a day longer than the hub keeps finished jobs (HUB_JOB_RETENTION_DAYS): a job id stays taken (the
 * workflow-id policy refuses it) until the hub's store has purged the job, then both forget it; with
 * the Temporal Web UI on HUB_TEMPORAL_UI_PORT (bound like the hub's other ports). With it: waits until that server answers for the namespace (a cluster's Temporal may still
 * be starting, or its default namespace not yet registered), up to TEMPORAL_CONNECT_TIMEOUT; the
 * cluster's namespace retention is its operator's to set.
 */
export async function provideTemporal(config: HubConfig, log: Logger): Promise<TemporalEndpoint> {
  const { address, namespace, embeddedPort, uiPort, uiWriteActions, connectTimeoutMs } = config.run.temporal;
  if (address === undefined) {
    const dataDir = resolve(config.settings.dataDir);
    const host = config.settings.bindAddress;
    const ui = uiPort === undefined ? undefined : { port: uiPort, host, writeActions: uiWriteActions, defaultNamespace: namespace };
    // The worker dies with this process, so after a crash its batches are retried at start-up, not a heartbeat timeout later.
    const workerIdentity = config.run.roles.worker ? IN_PROCESS_WORKER_IDENTITY : undefined;
    const server = await startTemporalLite({
      port: embeddedPort,
      host,
      namespace,
      dataDir,
      ui,
      inProcessWorkerIdentity: workerIdentity,
      logger: log.child({ component: 'temporal-lite' }),
    });
    try {
      await setRetention(server.address, namespace, temporalRetentionDays(config.jobs.retentionDays));
    } catch (err) {
      await server.close();
      throw err;
    }
    return {
      address: server.address,
      namespace,
      embeddedDbFile: resolve(dataDir, 'temporal-lite.db'),
      uiUrl: server.uiUrl,
      metrics: () => server.metrics.text(),
      workerIdentity,
      close: () => server.close(),
    };
  }
  await waitForNamespace(address, namespace, connectTimeoutMs, log);
  return { address, namespace, close: async () => {} };
}

async function setRetention(address: string, namespace: string, days: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(`${days} days`) } });
  } finally {
    await connection.close();
  }
}

async function waitForNamespace(address: string, namespace: string, timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    let problem: string;
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      problem = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`Temporal at ${address} (namespace '${namespace}') is not available: ${problem}`);
    if (!announced) log.info({ address, namespace, problem }, `Waiting for Temporal at ${address} (namespace '${namespace}')…`);
    announced = true;
    await sleep(1000);
  }
}
