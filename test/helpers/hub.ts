import type { Router } from 'express';
import { startHub, type Hub } from '../../src/hub.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { HubEvents } from '../../src/registry/events.js';
import type { StoreVariant } from './store-variants.js';
import { makeTempDir } from './temp-dir.js';

export interface TestHub extends Hub {
  /** Closes the hub, drops its PostgreSQL schema and removes its data directory. */
  dispose(): Promise<void>;
}

/** A hub on 127.0.0.1 with an OS-picked HTTPS port, in its own temp dir (and PG schema). */
export async function startTestHub(
  variant: StoreVariant,
  options: { events?: HubEvents; routers?: Router[]; log?: Logger; httpPort?: number } = {},
): Promise<TestHub> {
  const dir = makeTempDir('iothub-hub-');
  const database = variant.create();
  try {
    const hub = await startHub({
      dataDir: dir.path,
      bindAddress: '127.0.0.1',
      httpsPort: 0,
      httpPort: options.httpPort,
      databaseUrl: database.databaseUrl,
      databaseSchema: database.databaseSchema,
      events: options.events,
      routers: options.routers,
      log: options.log ?? silentLogger,
    });
    return {
      ...hub,
      async dispose() {
        await hub.close();
        await database.drop();
        dir.remove();
      },
    };
  } catch (err) {
    await database.drop();
    dir.remove();
    throw err;
  }
}
