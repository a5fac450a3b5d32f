/**
 * A second hub process for the multi-process gateway tests (started with fork + IPC): a hub with its
 * gateway on the data directory and Redis given in the environment (DATA_DIR, REDIS_URL,
 * REDIS_PREFIX), OS-picked ports. Sends `{ httpsPort, mqttsPort }` once listening; closes the hub and
 * exits when the parent disconnects.
 */
import type { Gateway } from '../../src/gateway/gateway.js';
import { gatewayPart } from '../../src/gateway/hub-part.js';
import { startHub } from '../../src/hub.js';
import { silentLogger } from '../../src/logger.js';

export interface GatewayProcessReady {
  httpsPort: number;
  mqttsPort: number;
}

let gateway: Gateway | undefined;
const hub = await startHub({
  dataDir: process.env.DATA_DIR!,
  bindAddress: '127.0.0.1',
  httpsPort: 0,
  log: silentLogger,
  parts: [
    async (context) => {
      const part = await gatewayPart({ mqttsPort: 0, redisUrl: process.env.REDIS_URL, redisPrefix: process.env.REDIS_PREFIX })(context);
      gateway = part.gateway;
      return part;
    },
  ],
});
const ready: GatewayProcessReady = { httpsPort: hub.api.httpsPort, mqttsPort: gateway!.port };
process.send!(ready);
process.on('disconnect', () => void hub.close().then(() => process.exit(0)));
