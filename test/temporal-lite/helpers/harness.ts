// A temporal-lite server in this process (or a running Temporal server), with the real SDK
// client and workers against it.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from '../../../temporal-lite/index.js';
import * as activities from '../fixtures/activities.js';
import { workflowBundle } from './bundle.js';

let runtimeInstalled = false;
/** Keeps the SDK quiet: the tests assert outcomes, they do not read logs. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

/** A client and a worker connection to a server, in one namespace. */
export interface ClientEnv {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  namespace: string;
  close(): Promise<void>;
}

/** The same, with the temporal-lite server it started. */
export interface Env extends ClientEnv {
  server: TemporalLite;
}

/** Connects the SDK's client and worker connection to the server at `address`. */
export async function connectEnv(address: string, namespace: string): Promise<ClientEnv> {
  quietRuntime();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    connection,
    nativeConnection,
    namespace,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export async function startEnv(opts: TemporalLiteOptions = {}): Promise<Env> {
  const server = await startTemporalLite({ logger: silentLogger, ...opts });
  const env = await connectEnv(server.address, 'default');
  return {
    ...env,
    server,
    async close() {
      await env.close();
      await server.close();
    },
  };
}

export const silentLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** Starts a worker with the fixture workflows and activities; `cached: false` → maxCachedWorkflows 0. */
export async function startWorker(env: ClientEnv, taskQueue: string, cached: boolean, extra: Partial<WorkerOptions> = {}): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: extra.namespace ?? env.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    maxCachedWorkflows: cached ? 100 : 0,
    shutdownGraceTime: '200ms',
    ...extra,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** Event types of a history, without the EVENT_TYPE_ prefix. */
export function eventTypes(history: proto.temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).map((e) => {
    const name = typeof e.eventType === 'number' ? eventTypeName(e.eventType) : String(e.eventType);
    return name.replace(/^EVENT_TYPE_/, '');
  });
}

const eventTypeNames: Record<number, string> = Object.fromEntries(Object.entries(proto.temporal.api.enums.v1.EventType).map(([k, v]) => [v as number, k]));
function eventTypeName(n: number): string {
  return eventTypeNames[n] ?? String(n);
}

export async function historyTypes(handle: WorkflowHandle): Promise<string[]> {
  return eventTypes(await handle.fetchHistory());
}

/**
 * Replays, with the fixture workflows, the history of every run a visibility filter lists (each
 * continue-as-new, retry and terminated run, and children), except runs of `skip`'s workflow ids;
 * fails on nondeterminism.
 */
export async function assertReplays(client: Client, filter: string, skip: ReadonlySet<string> = new Set()): Promise<void> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query: filter })) if (!skip.has(run.workflowId)) runs.push(run);
  assert.ok(runs.length > 0, `no runs match ${filter}`);
  const histories = await Promise.all(
    runs.map(async ({ workflowId, runId }) => ({ workflowId, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() })),
  );
  const bundle = await workflowBundle();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    assert.equal(result.error, undefined, `replay of ${result.workflowId} failed: ${result.error?.message}`);
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls TestService/UnlockTimeSkippingWithSleep over a plain gRPC channel (the SDK exposes it only inside @temporalio/testing). */
export async function skipTime(address: string, ms: number): Promise<void> {
  const { credentials, Client: GrpcClient } = await import('@grpc/grpc-js');
  const t = proto.temporal.api.testservice.v1;
  const client = new GrpcClient(address, credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(
        '/temporal.api.testservice.v1.TestService/UnlockTimeSkippingWithSleep',
        (req: proto.temporal.api.testservice.v1.ISleepRequest) => Buffer.from(t.SleepRequest.encode(req).finish()),
        (buf: Buffer) => t.SleepResponse.decode(buf),
        t.SleepRequest.fromObject({ duration: { seconds: Math.floor(ms / 1000) } }),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  } finally {
    client.close();
  }
}
