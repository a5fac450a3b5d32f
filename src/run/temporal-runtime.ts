import { createServer } from 'node:net';
import { DefaultLogger, Runtime, type LogLevel as TemporalLogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';

let metricsUrl: string | undefined;
let installed = false;

/** A port nobody listens on right now (bound to port 0, then released). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal worker runtime, installed once per process: without its own signal handlers (by
 * default it catches SIGINT/SIGTERM to stop workers, while the hub process shuts down every part
 * itself, the worker included), its warnings and errors logged through the hub's logger, and its
 * metrics (task latencies, slots, sticky cache, …) served by its Prometheus exporter on a loopback
 * port that the process's /metrics reads and appends
 * (https://docs.temporal.io/references/sdk-metrics). Returns that exporter's URL.
 */
export async function installTemporalRuntime(log: Logger): Promise<string | undefined> {
  if (installed) return metricsUrl;
  const bindAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  // The SDK's log lines (its core's too, forwarded) as the hub's: JSON when the hub logs JSON; an error under `err`.
  const logger = new DefaultLogger('WARN', ({ level, message, meta }) => {
    const { error, ...rest } = meta ?? {};
    log[LEVELS[level]]({ component: 'temporal-sdk', ...rest, ...(error === undefined ? {} : { err: error }) }, message);
  });
  Runtime.install({
    shutdownSignals: [],
    logger,
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } },
    },
  });
  installed = true;
  metricsUrl = `http://${bindAddress}/metrics`;
  return metricsUrl;
}

/** The exposition text of the runtime's exporter. */
export async function temporalSdkMetrics(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`the Temporal SDK metrics exporter answered ${response.status}`);
  return response.text();
}
