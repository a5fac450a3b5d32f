/**
 * A hub as `npm start` composes it, on OS-picked ports in a temp dir: temporal-lite in this
 * process, the gateway part, and the jobs part with both roles (routes and worker).
 */
import type device from 'azure-iot-device';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../../temporal-lite/index.js';
import { configurationsPart, type ConfigurationsPartOptions } from '../../../src/api/configurations-part.js';
import { gatewayPart, type GatewayPart } from '../../../src/gateway/hub-part.js';
import { startHub, type Hub } from '../../../src/hub.js';
import { jobsPart, type JobsPart } from '../../../src/jobs/part.js';
import type { JobsSettingsInput } from '../../../src/jobs/settings.js';
import { silentLogger } from '../../../src/logger.js';
import { sasKeysOf } from '../../../src/registry/device/keys.js';
import { openSdkDevice } from '../../helpers/gateway-hub.js';
import { STORE_VARIANTS, type StoreVariant } from '../../helpers/store-variants.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { jobsWorkflowBundle } from './bundle.js';
import { quietTemporalRuntime } from './workflow-env.js';

export interface JobsTestHub {
  hub: Hub;
  gateway: GatewayPart;
  jobs: JobsPart;
  temporal: TemporalLite;
  /** `{ port, ca }` for the service SDK helpers. */
  address: { port: number; ca: string };
  /** Registers a device and opens the official device SDK client on it. */
  openDevice(deviceId: string): Promise<device.Client>;
  /** Opens the official device SDK client on a device registered before. */
  openRegisteredDevice(deviceId: string): Promise<device.Client>;
  dispose(): Promise<void>;
}

export async function startJobsHub(
  options: {
    variant?: StoreVariant;
    settings?: JobsSettingsInput;
    configurations?: Pick<ConfigurationsPartOptions, 'timing' | 'signalIntervalMs'>;
    /** Route devices and connect events through Redis, as a cluster does. */
    redis?: { url: string; prefix: string };
  } = {},
): Promise<JobsTestHub> {
  quietTemporalRuntime();
  const dir = makeTempDir('iothub-jobs-');
  const database = (options.variant ?? STORE_VARIANTS[0]!).create();
  const temporal = await startTemporalLite({ logger: stderrLogger('error') });
  const workflowBundle = await jobsWorkflowBundle();
  let gateway: GatewayPart | undefined;
  let jobs: JobsPart | undefined;
  const clients: device.Client[] = [];
  try {
    const hub = await startHub({
      dataDir: dir.path,
      httpsPort: 0,
      databaseUrl: database.databaseUrl,
      databaseSchema: database.databaseSchema,
      log: silentLogger,
      parts: [
        async (context) => (gateway = await gatewayPart({ mqttsPort: 0, redisUrl: options.redis?.url, redisPrefix: options.redis?.prefix })(context)),
        async (context) =>
          (jobs = await jobsPart({
            temporal: { address: temporal.address },
            roles: { api: true, worker: true },
            invoker: gateway!.services.invoker,
            connectEvents: gateway!.services.connectEvents,
            workflowBundle,
            settings: options.settings,
          })(context)),
        // Automatic device configurations (their workflows run on the jobs worker), when asked for.
        ...(options.configurations ? [configurationsPart({ temporal: { address: temporal.address }, ...options.configurations })] : []),
      ],
    });
    const openRegistered = async (deviceId: string): Promise<device.Client> => {
      const registered = await hub.store.getDevice(deviceId);
      if (!registered) throw new Error(`Device '${deviceId}' is not registered`);
      const key = sasKeysOf(registered).primaryKey;
      const connectionString = `HostName=${hub.hostName};DeviceId=${deviceId};SharedAccessKey=${key};GatewayHostName=localhost:${gateway!.gateway!.port}`;
      const client = await openSdkDevice({ deviceId, key, connectionString }, hub.tls.ca);
      clients.push(client);
      return client;
    };
    return {
      hub,
      gateway: gateway!,
      jobs: jobs!,
      temporal,
      address: { port: hub.api.httpsPort, ca: hub.tls.ca },
      async openDevice(deviceId) {
        await hub.store.createDevice({ deviceId });
        return openRegistered(deviceId);
      },
      openRegisteredDevice: openRegistered,
      async dispose() {
        await Promise.all(clients.map((client) => client.close()));
        await hub.close();
        await temporal.close();
        await database.drop();
        dir.remove();
      },
    };
  } catch (err) {
    await temporal.close();
    await database.drop();
    dir.remove();
    throw err;
  }
}
