import type { Logger } from '../logger.js';
import type { HubEvents } from '../registry/events.js';
import { LocalConnectEvents, type ConnectEvents } from './connect-events.js';
import type { IdentityStore } from './identities.js';
import { createMethodInvoker, type MethodInvoker } from './methods/invoker.js';
import { createDeviceRouter } from './routing/create-router.js';
import type { DeviceRouter } from './routing/device-router.js';

/**
 * What any hub process needs to reach devices, whether or not it runs an MQTT broker itself: the
 * router (Redis when `redisUrl` is set), the direct-method invoker, and the HubEvents to hand to the
 * registry writers (REST API, twin jobs): desired patches and identity changes go to the gateway
 * holding the device.
 */
export interface DeviceServices {
  router: DeviceRouter;
  /** Devices that connected, announced by the gateway (whichever process holds them). */
  connectEvents: ConnectEvents;
  invoker: MethodInvoker;
  events: HubEvents;
  close(): Promise<void>;
}

export interface DeviceServicesOptions {
  store: Pick<IdentityStore, 'getDevice' | 'getModule'>;
  /** redis://… routes between processes; absent keeps everything in this process. */
  redisUrl?: string;
  /** Redis channel prefix (default `iothub:`), for several hubs on one Redis. */
  redisPrefix?: string;
  /** See MethodInvokerDeps.subscribeGraceMs. */
  subscribeGraceMs?: number;
  log: Logger;
}

export async function createDeviceServices(options: DeviceServicesOptions): Promise<DeviceServices> {
  const onError = (err: unknown) => options.log.error({ err }, 'Device routing failed');
  const router = await createDeviceRouter({ redisUrl: options.redisUrl, redisPrefix: options.redisPrefix, onError });
  // ioredis is loaded only for a cluster: the embedded hub's restart does not pay for it.
  const redisUrl = options.redisUrl;
  const connectEvents: ConnectEvents = redisUrl
    ? await import('./redis-connect-events.js').then(({ RedisConnectEvents }) =>
        RedisConnectEvents.connect(redisUrl, options.redisPrefix ?? 'iothub:', onError).catch(async (err: unknown) => {
          await router.close();
          throw err;
        }),
      )
    : new LocalConnectEvents();
  const failed = (what: string, deviceId: string) => (err: unknown) => options.log.error({ err, deviceId }, `${what} for '${deviceId}' failed`);
  return {
    router,
    connectEvents,
    invoker: createMethodInvoker({ store: options.store, router, subscribeGraceMs: options.subscribeGraceMs }),
    events: {
      onDesiredChange: (change) => router.notifyDesired(change).catch(failed('Desired-property notification', change.deviceId)),
      onDeviceChange: (deviceId) => router.notifyIdentityChanged(deviceId).catch(failed('Identity-change notification', deviceId)),
    },
    async close() {
      await connectEvents.close();
      await router.close();
    },
  };
}
