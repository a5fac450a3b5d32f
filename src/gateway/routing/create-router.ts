import type { DeviceRouter } from './device-router.js';
import { LocalDeviceRouter } from './local-router.js';
import { RedisDeviceRouter } from './redis-router.js';

/** Redis routing when a URL is given (several processes), in-process routing otherwise. */
export async function createDeviceRouter(options: { redisUrl?: string; redisPrefix?: string; onError: (err: unknown) => void }): Promise<DeviceRouter> {
  return options.redisUrl
    ? RedisDeviceRouter.connect({ url: options.redisUrl, prefix: options.redisPrefix, onError: options.onError })
    : new LocalDeviceRouter();
}
