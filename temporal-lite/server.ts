// Assembles temporal-lite: storage, clock, engine, visibility, the gRPC services, and over the
// same handlers Temporal's HTTP API and the Web UI when asked for.
import * as grpc from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from './clock/virtual-clock.js';
import { Engine } from './engine/engine.js';
import { QUERY_TASK_TIMEOUT_MS } from './engine/limits.js';
import { recoverOpenRuns } from './engine/recovery.js';
import { scheduleRetention } from './engine/retention.js';
import { prepareTokenCodecs } from './engine/tokens.js';
import { unavailable } from './grpc/errors.js';
import type { HealthService, OperatorServiceHandlers, ServiceHandlers, TestServiceHandlers, WorkflowServiceHandlers } from './grpc/handlers.js';
import { prepareCodecs, prepareWorkflowServiceCodecs } from './grpc/proto.js';
import { buildService, type DecodedMessage, type HandlersByName, type ServiceOptions } from './grpc/service.js';
import type { ServedService } from './http/api-handler.js';
import type { HttpApiServer } from './http/http-api.js';
import type { ListeningServer } from './http/listen.js';
import type { WebUiServer } from './http/web-ui.js';
import { stderrLogger, type Logger } from './logger.js';
import { metricsHandler, ServerMetrics } from './metrics.js';
import { Committer } from './persistence/committer.js';
import { IN_MEMORY, openDatabase, StorageOpenError, type OpenedDatabase } from './persistence/open-database.js';
import { Store } from './persistence/store.js';
import { ScheduleRunner } from './schedules/runner.js';
import { ScheduleStore } from './schedules/store.js';
import { executionHandlers } from './service/execution-handlers.js';
import { scheduleHandlers } from './service/schedule-handlers.js';
import { namespaceHandlers } from './service/namespace-handlers.js';
import { clusterInfo, systemInfo } from './service/system-info.js';
import { taskHandlers } from './service/task-handlers.js';
import { testServiceHandlers } from './service/test-service.js';
import { visibilityCall, visibilityOperatorHandlers, visibilityWorkflowHandlers } from './service/visibility-handlers.js';
import { createVisibilityService, type VisibilityService } from './visibility/index.js';

export interface TemporalLiteOptions {
  /** TCP port; 0 or undefined lets the OS choose. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Namespaces to create besides `default`. */
  namespace?: string | string[];
  /** Virtual clock that jumps to the next timer when nothing holds it (TestService semantics). */
  timeSkipping?: boolean;
  /** With timeSkipping: start with one explicit lock, released by UnlockTimeSkipping (the test server's CLI default). */
  timeSkippingLocked?: boolean;
  /** Directory holding the SQLite file temporal-lite.db (created if missing). */
  dataDir?: string;
  /** The SQLite file itself (its directory must exist). Neither this nor dataDir: in memory. */
  dbFile?: string;
  /**
   * The identity of the workers running in this server's own process (their `identity` option): at
   * start-up, a workflow task or activity attempt such a worker had started died with the process,
   * so it times out at once (and is retried) instead of after its timeout. Unset: every worker may
   * have outlived the server, as with Temporal's.
   */
  inProcessWorkerIdentity?: string;
  /** Custom search attributes to register in every configured namespace, as NAME=Type. */
  searchAttributes?: string[];
  logger?: Logger;
  /** Empty long polls answer after this long (default 55 s; Core's deadline is 70 s). */
  pollTimeoutMs?: number;
  /** A query task no worker answers in this long fails the query with DEADLINE_EXCEEDED (default 20 s). */
  queryTaskTimeoutMs?: number;
  /** How often closed runs past their namespace retention are deleted (default hourly). */
  retentionSweepIntervalMs?: number;
  /** Port of Temporal's HTTP API (`/api/v1/...`, as the frontend's --http-port); unset: not served. 0: any free port. */
  httpPort?: number;
  /** Port serving GET /metrics in Prometheus text format (as the dev server's --metrics-port); unset: not served. */
  metricsPort?: number;
  /** The Temporal Web UI with the HTTP API under /api/v1 (as the dev server's --ui-port); unset: not served. */
  ui?: WebUiSettings;
}

export interface WebUiSettings {
  /** 0: any free port. */
  port: number;
  /** Interface to bind; default 127.0.0.1 (the UI has no authentication). */
  host?: string;
  /** The built UI; default: the temporal-ui workspace's build. */
  assetsDir?: string;
  /** Lets the UI terminate, cancel, signal, reset and update workflows; default off. */
  writeActions?: boolean;
  /** The namespace the UI opens; default `default`. */
  defaultNamespace?: string;
}

export interface TemporalLite {
  /** host:port to give the Temporal client and worker. */
  address: string;
  port: number;
  /** Port of the HTTP API, when served. */
  httpPort?: number;
  /** Port of GET /metrics, when served. */
  metricsPort?: number;
  /** The Web UI's address (http://127.0.0.1:8233), when served. */
  uiUrl?: string;
  /** RPCs, task queue backlog and persistence latency, for a Prometheus scrape (an embedding process serves them). */
  metrics: ServerMetrics;
  close(): Promise<void>;
}

/** The calls of every workflow's and activity's life (their messages' codecs are prepared at start). */
const WORKFLOW_LIFE_CALLS = [
  'StartWorkflowExecution',
  'PollWorkflowTaskQueue',
  'RespondWorkflowTaskCompleted',
  'PollActivityTaskQueue',
  'RespondActivityTaskCompleted',
  'RecordActivityTaskHeartbeat',
  'SignalWorkflowExecution',
  'GetWorkflowExecutionHistory',
  'CountWorkflowExecutions',
];

/**
 * Generates the codecs of history events and of the calls every workflow makes, which protobufjs
 * would otherwise generate during the first workflow's first task (hundreds of ms).
 */
function prepareWorkflowCodecs(): void {
  prepareCodecs(['temporal.api.history.v1.HistoryEvent']);
  prepareWorkflowServiceCodecs(WORKFLOW_LIFE_CALLS);
  prepareTokenCodecs();
}

/** Methods that name no namespace, or one that need not exist yet. */
const NAMESPACE_MANAGEMENT = new Set([
  'RegisterNamespace',
  'DescribeNamespace',
  'ListNamespaces',
  'UpdateNamespace',
  'GetSystemInfo',
  'GetClusterInfo',
  'GetSearchAttributes',
]);

export async function startTemporalLite(opts: TemporalLiteOptions = {}): Promise<TemporalLite> {
  const logger = opts.logger ?? stderrLogger();
  if (opts.dataDir) {
    try {
      mkdirSync(opts.dataDir, { recursive: true });
    } catch (err) {
      throw new StorageOpenError(`cannot create data directory ${opts.dataDir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const file = opts.dbFile ?? (opts.dataDir ? join(opts.dataDir, 'temporal-lite.db') : IN_MEMORY);
  const opened = openDatabase(file);
  try {
    return await assemble(opened, file, opts, logger);
  } catch (err) {
    opened.close();
    throw err;
  }
}

async function assemble(opened: OpenedDatabase, file: string, opts: TemporalLiteOptions, logger: Logger): Promise<TemporalLite> {
  const store = new Store(opened.db);
  const wal = opened.wal;
  // The backlog is read at scrape time, once the engine exists.
  const metrics = new ServerMetrics(() => engine.matching.backlog());
  const secondsSince = (start: number) => (performance.now() - start) / 1000;
  const committer = new Committer(
    (fn) => {
      const start = performance.now();
      try {
        store.transaction(fn);
      } finally {
        metrics.persisted('transaction', secondsSince(start));
      }
    },
    wal &&
      (async () => {
        const start = performance.now();
        try {
          await wal.sync();
        } finally {
          metrics.persisted('sync', secondsSince(start));
        }
      }),
  );
  const clock = new VirtualClock({ timeSkipping: !!opts.timeSkipping, startLocked: opts.timeSkippingLocked });
  const visibility = createVisibilityService(opened.db, { clock: () => clock.now() });
  const engine = createEngine(opts, { clock, store, committer, logger, visibility });
  store.transaction(() => ensureNamespaces(engine, visibility, opts));
  const recovered = recoverOpenRuns(engine, opts.inProcessWorkerIdentity);
  const schedules = new ScheduleRunner(engine, new ScheduleStore(opened.db, committer));
  const recoveredSchedules = schedules.recover();
  await committer.settled();
  if (recovered > 0) logger.info(`recovered ${recovered} open workflow runs from ${file}`);
  if (recoveredSchedules > 0) logger.info(`recovered ${recoveredSchedules} schedules from ${file}`);
  const stopRetention = scheduleRetention(engine, visibility, opts.retentionSweepIntervalMs ?? 3600_000);

  const services = serviceTable(engine, visibility, clock, schedules, {
    logger,
    beforeRespond: () => committer.settled(),
    answered: (method, code, seconds) => metrics.rpcAnswered(method, code, seconds),
    gate: () => (committer.failed ? unavailable(`temporal-lite storage failure: ${committer.failed.message}`) : undefined),
    // Requests naming an unknown namespace get NOT_FOUND before any handler runs.
    checkRequest: (method, request) => {
      if (!NAMESPACE_MANAGEMENT.has(method)) engine.namespaces.get(namespaceOf(request));
    },
  });
  const server = grpcServer(services);
  const host = opts.host ?? '127.0.0.1';
  let http: HttpServers = {};
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
    );
    http = await startHttpServers(opts, host, services, metrics);
  } catch (err) {
    await closeHttpServers(http);
    server.forceShutdown();
    stopRetention();
    clock.close();
    throw err;
  }

  const close = closeOnce(async () => {
    await closeHttpServers(http);
    engine.closed = true;
    stopRetention();
    engine.matching.close();
    clock.close();
    server.forceShutdown();
    try {
      committer.flushNow();
    } catch (err) {
      logger.error(`final commit failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    opened.close();
  });
  // Once listening: a process that waits for the port (the SDK's test environment gives the server
  // 5 s) does not wait for codecs that the first workflow would otherwise generate.
  setImmediate(prepareWorkflowCodecs);
  const hostForClients = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { address: `${hostForClients}:${port}`, port, httpPort: http.api?.port, metricsPort: http.metrics?.port, uiUrl: http.ui?.url, metrics, close };
}

interface HttpServers {
  api?: HttpApiServer;
  ui?: WebUiServer;
  metrics?: ListeningServer;
}

/** The HTTP API and the Web UI, as configured, over the WorkflowService and OperatorService handlers. */
async function startHttpServers(opts: TemporalLiteOptions, host: string, services: ServiceTable, metrics: ServerMetrics): Promise<HttpServers> {
  if (opts.httpPort === undefined && !opts.ui && opts.metricsPort === undefined) return {};
  // Loaded only when served: the time-skipping test server must listen within the SDK's 5 s, even on a loaded machine.
  const [{ SERVED_SERVICES }, { startHttpApi }, { listen }, { defaultUiAssetsDir, readUiAssets }, { startWebUi }] = await Promise.all([
    import('./http/routes.js'),
    import('./http/http-api.js'),
    import('./http/listen.js'),
    import('./http/ui-assets.js'),
    import('./http/web-ui.js'),
  ]);
  const served = new Map<string, ServedService>(
    services.filter(([name]) => SERVED_SERVICES.some((servedName) => servedName === name)).map(([name, handlers, options]) => [name, { handlers, options }]),
  );
  const servers: HttpServers = {};
  try {
    if (opts.httpPort !== undefined) servers.api = await startHttpApi({ host, port: opts.httpPort, services: served });
    if (opts.metricsPort !== undefined) servers.metrics = await listen(host, opts.metricsPort, metricsHandler(metrics));
    if (opts.ui) {
      const ui = opts.ui;
      servers.ui = await startWebUi({
        host: ui.host ?? '127.0.0.1',
        port: ui.port,
        assets: readUiAssets(ui.assetsDir ?? defaultUiAssetsDir()),
        defaultNamespace: ui.defaultNamespace ?? 'default',
        writeActions: !!ui.writeActions,
        services: served,
      });
    }
    return servers;
  } catch (err) {
    await closeHttpServers(servers);
    throw err;
  }
}

async function closeHttpServers(servers: HttpServers): Promise<void> {
  await Promise.all([servers.api?.close(), servers.ui?.close(), servers.metrics?.close()]);
}

/**
 * The custom search attributes Temporal's Java time-skipping test server predefines
 * (temporal-test-server's TestVisibilityStoreImpl), which tests written against it use.
 */
const TEST_SERVER_SEARCH_ATTRIBUTES = [
  'CustomKeywordField=Keyword',
  'CustomStringField=Text',
  'CustomTextField=Text',
  'CustomIntField=Int',
  'CustomDatetimeField=Datetime',
  'CustomDoubleField=Double',
  'CustomBoolField=Bool',
];

/** `default` and the configured namespaces, each with the configured search attributes (and the test server's, with time skipping). */
function ensureNamespaces(engine: Engine, visibility: VisibilityService, opts: TemporalLiteOptions): void {
  const predefined = opts.timeSkipping ? TEST_SERVER_SEARCH_ATTRIBUTES.filter((spec) => !configuredNames(opts).has(spec.split('=')[0])) : [];
  for (const namespace of ['default', ...[opts.namespace ?? []].flat()]) {
    engine.namespaces.ensure(namespace);
    visibilityCall(() => visibility.registerSearchAttributes(namespace, [...predefined, ...(opts.searchAttributes ?? [])]));
  }
}

/** Names of the search attributes the options configure (they win over the predefined ones). */
function configuredNames(opts: TemporalLiteOptions): Set<string> {
  return new Set((opts.searchAttributes ?? []).map((spec) => spec.split('=')[0].trim()));
}

function createEngine(
  opts: TemporalLiteOptions,
  parts: { clock: VirtualClock; store: Store; committer: Committer; logger: Logger; visibility: VisibilityService },
): Engine {
  return new Engine({
    ...parts,
    pollTimeoutMs: opts.pollTimeoutMs ?? 55_000,
    historyPollTimeoutMs: Math.min(opts.pollTimeoutMs ?? 20_000, 20_000),
    queryTaskTimeoutMs: opts.queryTaskTimeoutMs ?? QUERY_TASK_TIMEOUT_MS,
    validateSearchAttributes: (namespace, searchAttributes) => visibilityCall(() => parts.visibility.validateSearchAttributes(namespace, searchAttributes)),
    typeSearchAttributes: (namespace, searchAttributes) => visibilityCall(() => parts.visibility.typedSearchAttributes(namespace, searchAttributes)),
  });
}

/** `close` runs once; later calls wait for that one. */
function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/** The namespace a request names ('' if none). */
function namespaceOf(request: DecodedMessage): string {
  return typeof request.namespace === 'string' ? request.namespace : '';
}

/** Each service by full name, with its handlers and how its calls run. */
type ServiceTable = Array<[string, HandlersByName, ServiceOptions]>;

function serviceTable(
  engine: Engine,
  visibility: VisibilityService,
  clock: VirtualClock,
  schedules: ScheduleRunner,
  serviceOpts: ServiceOptions,
): ServiceTable {
  const visibilityHandlers = visibilityWorkflowHandlers(visibility, engine);
  const workflowHandlers: WorkflowServiceHandlers = {
    GetSystemInfo: () => systemInfo(),
    GetClusterInfo: () => clusterInfo(),
    ...namespaceHandlers(engine),
    ...executionHandlers(engine, (namespace, searchAttributes) => visibilityCall(() => visibility.typedSearchAttributes(namespace, searchAttributes))),
    ...taskHandlers(engine),
    ...visibilityHandlers,
    ...scheduleHandlers(engine, schedules, visibilityHandlers.CountWorkflowExecutions!),
  };
  const operatorHandlers: OperatorServiceHandlers = visibilityOperatorHandlers(visibility);
  const testHandlers: TestServiceHandlers = testServiceHandlers(clock);
  const healthHandlers: ServiceHandlers<HealthService> = { Check: () => ({ status: 'SERVING' }) };
  return [
    ['temporal.api.workflowservice.v1.WorkflowService', workflowHandlers, serviceOpts],
    ['temporal.api.operatorservice.v1.OperatorService', operatorHandlers, serviceOpts],
    ['temporal.api.testservice.v1.TestService', testHandlers, { ...serviceOpts, checkRequest: undefined }],
    ['grpc.health.v1.Health', healthHandlers, { ...serviceOpts, checkRequest: undefined }],
  ];
}

function grpcServer(services: ServiceTable): grpc.Server {
  // Not 'grpc.enable_channelz': 0: grpc-js 1.14 then leaves its sessions out of the list that
  // forceShutdown destroys, so a closed server goes on answering the clients it had.
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, 'grpc.max_receive_message_length': 128 * 1024 * 1024 });
  for (const [name, handlers, opts] of services) {
    const { definition, implementation } = buildService(name, handlers, opts);
    server.addService(definition, implementation);
  }
  return server;
}
