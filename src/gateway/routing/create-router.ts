import type { DeviceRouter } from './device-router.js';
import { LocalDeviceRouter } from './local-router.js';

/** Redis routing when a URL is given (several processes), in-process routing otherwise. */
export async function createDeviceRouter(options: { redisUrl?: string; redisPrefix?: string; onError: (err: unknown) => void }): Promise<DeviceRouter> {
  // ioredis is loaded only when routing through Redis (a faster start for the embedded hub).
  return options.redisUrl
    ? (await import('./redis-router.js')).RedisDeviceRouter.connect({ url: options.redisUrl, prefix: options.redisPrefix, onError: options.onError })
    : new LocalDeviceRouter();
}
