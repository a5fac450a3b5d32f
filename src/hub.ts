import { join, resolve } from 'node:path';
import type { Express, Router } from 'express';
import { createApiApp } from './api/app.js';
import { startApiServers, type ApiWebSocket } from './api/server.js';
import { serviceConnectionString, type SharedAccessPolicy } from './auth/policies.js';
import { ensureHubFile, updateHubFile } from './config/hub-file.js';
import type { HubSettings } from './config/settings.js';
import type { ConsoleSettings } from './console/static.js';
import { defaultLogger, type Logger } from './logger.js';
import { HubMetrics } from './observe/metrics.js';
import { opsRouter, type OpsDependencies } from './observe/ops-routes.js';
import { startOpsServer } from './observe/ops-server.js';
import { Readiness } from './observe/readiness.js';
import type { HubEvents } from './registry/events.js';
import { openHubStore } from './registry/open-store.js';
import type { SqlHubStore } from './registry/sql/sql-hub-store.js';
import { ensureTlsMaterial, type TlsMaterial, type TlsOptions } from './tls/material.js';

/** What a part of the hub (device gateway, jobs engine, …) gets when the hub starts it. */
export interface HubPartContext {
  store: SqlHubStore;
  tls: TlsMaterial;
  policies: readonly SharedAccessPolicy[];
  hostName: string;
  bindAddress: string;
  dataDir: string;
  log: Logger;
  /** Announces desired-property and identity changes to every part's notifier (for writers such as twin jobs). */
  events: HubEvents;
  /** The process's metrics (served at /metrics): parts count into them or register scrape-time readers. */
  metrics: HubMetrics;
  /** What /readyz asks: a part adds a check for each dependency it cannot work without. */
  readiness: Readiness;
  /**
   * A part that can no longer do its work (the jobs worker stopped) says so: `Hub.failed` resolves
   * with the reason, and the hub process shuts down and exits non-zero for its supervisor to restart it.
   */
  fail(reason: Error): void;
}

/** A started part: REST routers to mount, a notifier of desired/identity changes (HubEvents), ports to record in hub.json. */
export interface HubPartHandle {
  routers?: readonly Router[];
  /** WebSocket upgrades to take on the REST API's HTTPS port, and the TLS options that port needs for them. */
  webSocket?: ApiWebSocket;
  events?: HubEvents;
  /** e.g. `{ mqtts: 8883 }`, written to hub.json next to the API's ports; undefined removes one (off). */
  ports?: Record<string, number | undefined>;
  close(): Promise<void>;
}

/** Parts start in order after the store and before the REST API, and close in reverse after it. */
export type HubPart = (context: HubPartContext) => Promise<HubPartHandle>;

export interface HubOptions {
  /** Keys (hub.json), TLS material (tls/) and the SQLite database (hub.db) live here. */
  dataDir: string;
  /** The name clients use (`HostName=` of connection strings, SAS `sr`); default localhost. */
  hostName?: string;
  /** Address the servers bind; default 127.0.0.1. */
  bindAddress?: string;
  /** HTTPS port of the REST API; default 8443, 0 picks a free port. */
  httpsPort?: number;
  /** Plain HTTP port; undefined = off, 0 picks a free port. */
  httpPort?: number;
  /** postgres://… selects PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** PostgreSQL schema for the hub's tables. */
  databaseSchema?: string;
  /** Operator-provided server certificate; otherwise one is generated into `<dataDir>/tls`. */
  tls?: TlsOptions['given'];
  /** The gateway, the jobs engine, … (see HubPart). */
  parts?: readonly HubPart[];
  /** An extra desired-property notifier (tests). */
  events?: HubEvents;
  /** Extra REST routers (see createApiApp). */
  routers?: readonly Router[];
  /** The console's link to the jobs' workflows (see createApiApp). */
  console?: Pick<ConsoleSettings, 'temporalUi'>;
  log?: Logger;
  /** The process's metrics; default a registry of the hub's own without process metrics. */
  metrics?: HubMetrics;
  /**
   * Where /healthz, /readyz and /metrics are served: undefined puts them on the REST API's ports
   * (or, without the API, on `httpPort`); a port serves them there alone. `metricsPolicy` makes
   * /metrics need a SAS token of that shared access policy.
   */
  ops?: { port?: number; metricsPolicy?: string };
}

export interface Hub {
  hostName: string;
  dataDir: string;
  store: SqlHubStore;
  policies: readonly SharedAccessPolicy[];
  tls: TlsMaterial;
  api: { app: Express; httpsPort: number; httpPort?: number };
  metrics: HubMetrics;
  readiness: Readiness;
  /** The port serving /healthz, /readyz and /metrics when not the API's (undefined: the API's, or none). */
  opsPort?: number;
  /** Resolves when a part reported it can no longer work (HubPartContext.fail); never rejects. */
  failed: Promise<Error>;
  /** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` for a policy (default iothubowner). */
  connectionString(policyName?: string): string;
  close(): Promise<void>;
}

/** Maps environment settings (src/config/settings.ts) to startHub options; HTTP port 0 means off there. */
export function hubOptionsFromSettings(settings: HubSettings): HubOptions {
  return {
    dataDir: settings.dataDir,
    hostName: settings.hostName,
    bindAddress: settings.bindAddress,
    httpsPort: settings.httpsPort,
    httpPort: settings.httpPort === 0 ? undefined : settings.httpPort,
    databaseUrl: settings.databaseUrl,
    tls: settings.tls,
  };
}

/** One notifier that tells all of them (parts may register theirs after earlier writers got it). */
function fanOut(notifiers: HubEvents[]): HubEvents {
  return {
    async onDesiredChange(change) {
      await Promise.all(notifiers.map((notifier) => notifier.onDesiredChange(change)));
    },
    async onDeviceChange(deviceId, device) {
      await Promise.all(notifiers.map((notifier) => notifier.onDeviceChange?.(deviceId, device)));
    },
    onTwinsChanged() {
      for (const notifier of notifiers) notifier.onTwinsChanged?.();
    },
  };
}

/** A hub process that serves no REST API (cluster roles worker / gateway): everything else as Hub. */
export type HubWithoutApi = Omit<Hub, 'api'>;

/**
 * Starts the hub: hub.json (policy keys), TLS material, the store (schema migrated), the parts, and
 * the REST API; records the ports in hub.json. On failure everything already started is closed.
 */
export const startHub = (options: HubOptions): Promise<Hub> => launchHub(options, true) as Promise<Hub>;

/** As startHub, without the REST API servers (its ports in hub.json are left to the API processes). */
export const startHubWithoutApi = (options: HubOptions): Promise<HubWithoutApi> => launchHub(options, false);

async function launchHub(options: HubOptions, serveApi: boolean): Promise<HubWithoutApi & { api?: Hub['api'] }> {
  const dataDir = resolve(options.dataDir);
  const hostName = (options.hostName ?? 'localhost').toLowerCase();
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const log = options.log ?? defaultLogger;
  const metrics = options.metrics ?? new HubMetrics();
  const readiness = new Readiness();
  let fail!: (reason: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const closers: Array<() => Promise<void>> = [];
  // Closes in reverse start order, once.
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const { sharedAccessPolicies: policies } = ensureHubFile(dataDir, hostName);
    const tls = ensureTlsMaterial({ dir: join(dataDir, 'tls'), hostNames: [hostName], given: options.tls });

    const store = await openHubStore({ dataDir, databaseUrl: options.databaseUrl, databaseSchema: options.databaseSchema, metrics });
    closers.push(() => store.close());
    readiness.add('store', async () => void (await store.db.query('SELECT 1')));

    const notifiers: HubEvents[] = options.events ? [options.events] : [];
    const events = fanOut(notifiers);
    const routers: Router[] = [];
    let webSocket: ApiWebSocket | undefined;
    const ports: Record<string, number | undefined> = {};
    for (const part of options.parts ?? []) {
      const handle = await part({ store, tls, policies, hostName, bindAddress, dataDir, log, events, metrics, readiness, fail });
      closers.push(() => handle.close());
      if (handle.events) notifiers.push(handle.events);
      routers.push(...(handle.routers ?? []));
      webSocket ??= handle.webSocket;
      Object.assign(ports, handle.ports);
    }

    const ops: OpsDependencies = { metrics, readiness, metricsPolicy: options.ops?.metricsPolicy, hostName, policies };
    // On the API's ports unless given a port of their own; a process without the API serves them on its HTTP port.
    const opsPort = options.ops?.port ?? (serveApi ? undefined : options.httpPort);
    let servedOpsPort: number | undefined;
    if (opsPort !== undefined) {
      const server = await startOpsServer({ ...ops, log }, bindAddress, opsPort);
      closers.push(() => server.close());
      servedOpsPort = server.port;
    }

    let api: Hub['api'] | undefined;
    if (serveApi) {
      const opsRoutes = opsPort === undefined ? opsRouter(ops) : undefined;
      const app = createApiApp({
        store,
        hostName,
        policies,
        events,
        routers: [...routers, ...(options.routers ?? [])],
        console: options.console,
        log,
        observe: { metrics, ops: opsRoutes },
      });
      const servers = await startApiServers(app, { host: bindAddress, httpsPort: options.httpsPort ?? 8443, httpPort: options.httpPort, tls, webSocket });
      closers.push(() => servers.close());
      api = { app, httpsPort: servers.httpsPort, httpPort: servers.httpPort };
      Object.assign(ports, { https: api.httpsPort, http: api.httpPort });
    }

    updateHubFile(dataDir, { hostName, caFile: tls.caFile, ports });

    return {
      hostName,
      dataDir,
      store,
      policies,
      tls,
      api,
      metrics,
      readiness,
      opsPort: servedOpsPort,
      failed,
      connectionString(policyName = 'iothubowner') {
        const policy = policies.find((candidate) => candidate.keyName === policyName);
        if (!policy) throw new Error(`No shared access policy '${policyName}'`);
        return serviceConnectionString(hostName, policy);
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
