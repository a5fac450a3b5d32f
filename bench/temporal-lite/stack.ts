// The system under test: temporal-lite (in a process of its own, or in this one) with the real
// SDK worker and client in this process, configured as recommended for the embedded hub.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { startTemporalLite } from '../../temporal-lite/index.js';
import { selfMeter, type ProcessMeter } from './meters.js';
import { startServerProcess } from './server-process.js';
import { EMBEDDED_CONNECTION_OPTIONS, EMBEDDED_WORKER_OPTIONS } from '../../temporal-lite/sdk-tuning.js';

export type Placement = 'own process' | 'in process';

export interface StackOptions {
  placement: Placement;
  /** SQLite file; undefined: in memory. */
  dbFile?: string;
  workflowBundle: WorkflowBundle;
  /** Extra node arguments for a server in its own process (e.g. --cpu-prof). */
  serverNodeArgs?: string[];
}

export interface Meters {
  /** The server's process; undefined when it shares this process. */
  server?: ProcessMeter;
  /** This process: client and worker (and the server too when in process). */
  sdk: ProcessMeter;
}

export const TASK_QUEUE = 'bench';

const silent = { debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) };

/** Starts server, worker and client, runs `fn` while the worker runs, then shuts all down. */
export async function withStack<T>(opts: StackOptions, fn: (client: Client, meters: Meters) => Promise<T>): Promise<T> {
  const server =
    opts.placement === 'own process'
      ? await startServerProcess(opts.dbFile, opts.serverNodeArgs)
      : { ...(await startTemporalLite({ dbFile: opts.dbFile, logger: silent })), meter: undefined };
  try {
    const connection = await NativeConnection.connect({ address: server.address, ...EMBEDDED_CONNECTION_OPTIONS });
    try {
      const worker = await Worker.create({
        ...EMBEDDED_WORKER_OPTIONS,
        connection,
        taskQueue: TASK_QUEUE,
        workflowBundle: opts.workflowBundle,
        activities: { echo: async (n: number) => n },
        maxConcurrentActivityTaskExecutions: 500,
        maxConcurrentWorkflowTaskExecutions: 100,
        ...JSON.parse(process.env.WOPTS ?? '{}'),
      });
      // The client shares the worker's native connection: no second gRPC stack in JS.
      const client = new Client({ connection });
      return await worker.runUntil(fn(client, { server: server.meter, sdk: selfMeter() }));
    } finally {
      await connection.close();
    }
  } finally {
    await server.close();
  }
}
