import { newDevice } from '../src/registry/device/identity.js';
import { sasKeysOf } from '../src/registry/device/keys.js';
import type { SqlHubStore } from '../src/registry/sql/sql-hub-store.js';
import { hubNow } from '../src/registry/time.js';
import { newTwin } from '../src/registry/twin/document.js';

const CHUNK = 5000;

/**
 * Registers `count` devices `${prefix}${n}` (zero-padded) as createDevice would, but many per
 * transaction, so a benchmark can set up a million devices in reasonable time. Returns their keys.
 */
export async function registerDevices(store: SqlHubStore, prefix: string, count: number): Promise<Array<{ deviceId: string; key: string }>> {
  const width = String(count - 1).length;
  const identities: Array<{ deviceId: string; key: string }> = [];
  for (let from = 0; from < count; from += CHUNK) {
    await store.db.transaction(async (tx) => {
      const now = hubNow();
      for (let i = from; i < Math.min(from + CHUNK, count); i++) {
        const device = newDevice({ deviceId: `${prefix}${String(i).padStart(width, '0')}` });
        await tx.execute('INSERT INTO devices (device_id, row_version, device, twin) VALUES ($1, 1, $2, $3)', [
          device.deviceId,
          JSON.stringify(device),
          JSON.stringify(newTwin(device, now)),
        ]);
        identities.push({ deviceId: device.deviceId, key: sasKeysOf(device).primaryKey });
      }
    });
  }
  return identities;
}
