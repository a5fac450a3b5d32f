import type { HubConfig } from '../config/config.js';
import type { Roles } from '../config/run-settings.js';
import { join } from 'node:path';
import { configurationsPart } from '../api/configurations-part.js';
import { gatewayPart, type GatewayPart } from '../gateway/hub-part.js';
import { jobsPart } from '../jobs/part.js';
import { hubOptionsFromSettings, startHub, startHubWithoutApi, type Hub, type HubOptions, type HubPart, type HubWithoutApi } from '../hub.js';
import type { Logger } from '../logger.js';
import { provideTemporal, type TemporalEndpoint } from './temporal.js';
import { HubMetrics } from '../observe/metrics.js';
import { installTemporalRuntime, temporalSdkMetrics } from './temporal-runtime.js';

/** One hub process with its roles: what it started and how to stop it. */
export interface HubNode {
  roles: Roles;
  hub: HubWithoutApi & { api?: Hub['api'] };
  /** The device gateway part (every role routes direct methods; `gateway.gateway` is the broker). */
  gateway: GatewayPart;
  /** The Temporal server in use (api and worker roles). */
  temporal?: TemporalEndpoint;
  close(): Promise<void>;
}

/** Records the Web UI's port in hub.json (`ports.temporalUi`, absent without one), where the CLI finds it. */
function temporalUiPort(temporal: TemporalEndpoint | undefined): HubPart {
  const port = temporal?.uiUrl === undefined ? undefined : Number(new URL(temporal.uiUrl).port);
  return async () => ({ ports: { temporalUi: port }, close: async () => {} });
}

/**
 * Starts a hub process from its configuration: Temporal (embedded temporal-lite or the configured
 * server) for the api and worker roles, then the hub with its parts — the gateway (the MQTT broker
 * only with the gateway role; every process routes direct methods and desired-property
 * notifications, through Redis when REDIS_URL is set) and the jobs engine (its routes with the api
 * role, the Temporal worker with the worker role) — and the REST API with the api role.
 */
export async function startHubNode(config: HubConfig, log: Logger): Promise<HubNode> {
  const { roles } = config.run;
  const metrics = new HubMetrics({ process: true });
  const temporal = roles.api || roles.worker ? await provideTemporal(config, log) : undefined;
  try {
    if (temporal?.metrics) metrics.addSource(temporal.metrics);
    if (roles.worker) {
      const sdkMetricsUrl = await installTemporalRuntime(log);
      if (sdkMetricsUrl) metrics.addSource(() => temporalSdkMetrics(sdkMetricsUrl));
    }
    let gateway: GatewayPart | undefined;
    const parts: HubPart[] = [
      async (context) => (gateway = await gatewayPart({ ...config.gateway, broker: roles.gateway })(context)),
      temporalUiPort(temporal),
    ];
    if (temporal) {
      parts.push((context) =>
        jobsPart({
          temporal: { address: temporal.address, namespace: temporal.namespace },
          roles: { api: roles.api, worker: roles.worker },
          invoker: gateway!.services.invoker,
          connectEvents: gateway!.services.connectEvents,
          settings: config.jobs,
          bundleCacheDir: config.run.cacheDir ?? join(context.dataDir, 'cache'),
          workerIdentity: temporal.workerIdentity,
        })(context),
      );
      if (roles.api) parts.push(configurationsPart({ temporal: { address: temporal.address, namespace: temporal.namespace } }));
    }
    const temporalUiUrl = config.run.temporal.uiUrl ?? temporal?.uiUrl;
    const console = temporal && temporalUiUrl ? { temporalUi: { url: temporalUiUrl, namespace: temporal.namespace } } : undefined;
    const options: HubOptions = {
      ...hubOptionsFromSettings(config.settings),
      databaseSchema: config.run.databaseSchema,
      parts,
      console,
      log,
      metrics,
      ops: config.run.ops,
    };
    const hub = roles.api ? await startHub(options) : await startHubWithoutApi(options);
    return {
      roles,
      hub,
      gateway: gateway!,
      temporal,
      async close() {
        try {
          await hub.close();
        } finally {
          await temporal?.close();
        }
      },
    };
  } catch (err) {
    await temporal?.close();
    throw err;
  }
}
