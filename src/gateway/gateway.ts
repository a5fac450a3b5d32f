import { Aedes, type Client } from 'aedes';
import type { HubStore } from '../registry/store.js';
import type { SharedAccessPolicy } from '../auth/policies.js';
import { isHubError } from '../errors/hub-error.js';
import { brokerHooks } from './broker-hooks.js';
import type { ConnectEvents } from './connect-events.js';
import type { TlsOptions } from 'node:tls';
import { deviceTlsOptions, listen, webSocketUpgrade, type Listeners, type TlsMaterial, type UpgradeHandler } from './listeners.js';
import { MethodDispatcher } from './methods/dispatcher.js';
import { readIdentity } from './identities.js';
import { GatewayMetrics } from './metrics.js';
import type { DeviceEndpoint, DeviceRouter } from './routing/device-router.js';
import { ActivityRecorder } from './session/activity.js';
import { DeviceConnections } from './session/connections.js';
import { createDeviceEndpoint } from './session/endpoint.js';
import { defaultLogger, type Logger } from '../logger.js';

export interface GatewayOptions {
  store: HubStore;
  /** Shared with the method invoker and the desired-properties notifier of the same process. */
  router: DeviceRouter;
  tls: TlsMaterial;
  /** Default 127.0.0.1. */
  host?: string;
  /** MQTT over TLS; default 8883, 0 lets the OS pick. */
  port?: number;
  /** MQTT over secure WebSockets at `/$iothub/websocket` on a port of its own; absent means off. */
  wsPort?: number;
  /** PEM of the CA certificates that X.509 'certificateAuthority' devices' certificates must chain to. */
  deviceCa?: string;
  /** When set, device tokens must be issued for this host (port ignored). */
  hubHostName?: string;
  /** The hub's shared access policies: DeviceConnect ones may sign device tokens (`skn=…`). */
  policies?: readonly SharedAccessPolicy[];
  /** Where a device's connect is announced once its Connected state is stored. */
  connectEvents?: Pick<ConnectEvents, 'connected'>;
  /** At most one `lastActivityTime` write per device per interval; default 5000 ms. */
  activityIntervalMs?: number;
  onError?: (err: unknown) => void;
  log?: Logger;
}

export interface Gateway {
  readonly port: number;
  readonly wsPort: number | undefined;
  /** Serves `/$iothub/websocket` upgrades of another HTTPS server (the REST API's, as IoT Hub does on 443). */
  readonly upgrade: UpgradeHandler;
  /** The TLS options such a server needs for devices (client certificates asked for, the device CAs). */
  readonly tlsOptions: TlsOptions;
  readonly metrics: GatewayMetrics;
  /** Devices with a live connection to this process. */
  readonly connectedDevices: number;
  isConnected(deviceId: string): boolean;
  /** Drops the device's connection server-side; false if it is not connected here. */
  disconnectDevice(deviceId: string): boolean;
  close(): Promise<void>;
}

/** The device gateway: IoT Hub's MQTT device protocol on aedes, over TLS (and optionally WSS). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? defaultLogger;
  const onError = options.onError ?? ((err: unknown) => log.error({ err }, 'Device gateway error'));
  const { store, router } = options;
  const metrics = new GatewayMetrics();
  // A device deleted while connected has no row left to record state or activity in.
  const onStoreError = (err: unknown) => {
    if (!(isHubError(err) && err.code === 'DeviceNotFound')) onError(err);
  };
  const activity = new ActivityRecorder(store, options.activityIntervalMs ?? 5_000, onStoreError);
  /** Per device online here: its endpoint, and its attach to the router (identity events flow after it). */
  const endpoints = new Map<string, { endpoint: DeviceEndpoint; attached: Promise<void> }>();
  // Reads the device's (or module's) identity and drops its connections here that it no longer admits.
  const verifyIdentity = (key: string): Promise<void> =>
    readIdentity(store, key).then((identity) => metrics.count('connectionsRevoked', connections.dropUnadmitted(key, identity)), onError);

  const connections: DeviceConnections = new DeviceConnections(
    store,
    {
      deviceOnline(deviceId, connectedAt) {
        const endpoint = createDeviceEndpoint(deviceId, connections, dispatcher, metrics, (id) => void verifyIdentity(id));
        endpoints.set(deviceId, { endpoint, attached: router.attach(deviceId, endpoint, connectedAt).catch(onError) });
      },
      connectionStored(deviceId) {
        options.connectEvents?.connected(deviceId);
      },
      clientReady(deviceId) {
        activity.touch(deviceId);
        dispatcher.methodsMaybeReady(deviceId);
        // The credentials were checked against the identity before this process could hear of changes
        // to it (attach); one committed in between would go unseen, so read it once more after.
        void endpoints.get(deviceId)?.attached.then(() => verifyIdentity(deviceId));
      },
      deviceOffline(deviceId) {
        const online = endpoints.get(deviceId);
        endpoints.delete(deviceId);
        if (online) router.detach(deviceId, online.endpoint).catch(onError);
      },
      tokenExpired(deviceId) {
        metrics.count('connectionsExpired');
        log.info({ deviceId }, 'Device SAS token expired: connection closed');
      },
    },
    onStoreError,
  );
  const dispatcher = new MethodDispatcher((deviceId) => connections.current(deviceId), metrics);

  const broker = new Aedes(
    brokerHooks({
      auth: { store, hubHostName: options.hubHostName, policies: options.policies, trustsDeviceCa: options.deviceCa !== undefined },
      handlers: { store, dispatcher, metrics, onError },
      connections,
      activity,
      log,
    }),
  );
  broker.addListener('error', onError);
  broker.on('clientReady', (client: Client) => connections.ready(client));
  broker.on('subscribe', (_subscriptions, client: Client) => dispatcher.methodsMaybeReady(client.id));
  await broker.listen();

  const tlsOptions = deviceTlsOptions(options.tls, options.deviceCa);
  const upgrade = webSocketUpgrade(broker);
  let listeners: Listeners;
  try {
    listeners = await listen(broker, upgrade, {
      tls: tlsOptions,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8883,
      ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await activity.close();
    throw err;
  }

  return {
    port: listeners.port,
    wsPort: listeners.wsPort,
    upgrade,
    tlsOptions,
    metrics,
    get connectedDevices() {
      return connections.count;
    },
    isConnected: (deviceId) => connections.current(deviceId) !== undefined,
    disconnectDevice: (deviceId) => connections.disconnect(deviceId),
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await listeners.close();
      dispatcher.close();
      await connections.allOffline();
      await activity.close();
    },
  };
}
