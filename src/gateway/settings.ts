import { z } from 'zod';
import type { GatewayPartOptions } from './hub-part.js';

/**
 * The gateway's environment variables (read alongside src/config/settings.ts):
 *   HUB_MQTTS_PORT      MQTT over TLS (default 8883; 0 lets the OS pick)
 *   HUB_MQTT_WSS_PORT   MQTT over secure WebSockets at /$iothub/websocket on a port of its own (unset = off;
 *                       the REST API's HTTPS port serves that path too, as IoT Hub does on 443)
 *   HUB_DEVICE_CA_FILE  PEM of the CA certificates X.509 'certificateAuthority' devices must chain to
 *   REDIS_URL           redis://… routes methods and desired notifications between hub processes
 *   HUB_REDIS_PREFIX    Redis channel prefix, for several hubs on one Redis (default `iothub:`)
 */
const unset = (value: unknown) => (value === '' ? undefined : value);
const port = z.coerce.number().int('expected a port number 0-65535').min(0).max(65535);

const gatewaySchema = z.object({
  HUB_MQTTS_PORT: z.preprocess(unset, port.default(8883)),
  HUB_MQTT_WSS_PORT: z.preprocess(unset, port.optional()),
  REDIS_URL: z.preprocess(
    unset,
    z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// URL')
      .optional(),
  ),
  HUB_REDIS_PREFIX: z.preprocess(unset, z.string().min(1).optional()),
  HUB_DEVICE_CA_FILE: z.preprocess(unset, z.string().optional()),
});

export class GatewaySettingsError extends Error {}

/** The gateway part's options from the environment; a bad value throws naming its variable. */
export function loadGatewaySettings(env: NodeJS.ProcessEnv = process.env): GatewayPartOptions {
  const parsed = gatewaySchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message} (got '${env[String(issue.path[0])]}')`);
    throw new GatewaySettingsError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const s = parsed.data;
  return {
    mqttsPort: s.HUB_MQTTS_PORT,
    wsPort: s.HUB_MQTT_WSS_PORT,
    redisUrl: s.REDIS_URL,
    redisPrefix: s.HUB_REDIS_PREFIX,
    ...(s.HUB_DEVICE_CA_FILE === undefined ? {} : { deviceCaFile: s.HUB_DEVICE_CA_FILE }),
  };
}
