import { newDevice } from '../src/registry/device/identity.js';
import { sasKeysOf } from '../src/registry/device/keys.js';
import type { SqlHubStore } from '../src/registry/sql/sql-hub-store.js';
import { hubNow } from '../src/registry/time.js';
import { newTwin } from '../src/registry/twin/document.js';

const CHUNK = 5000;

export interface BenchDevice {
  deviceId: string;
  key: string;
}

/**
 * Registers `count` devices `${prefix}${n}` (zero-padded) as createDevice would, but many per
 * transaction, so a benchmark can set up a million devices in reasonable time; `registered` hears
 * each one (with its primary key).
 */
export async function insertDevices(store: SqlHubStore, prefix: string, count: number, registered?: (device: BenchDevice) => void): Promise<void> {
  const width = String(count - 1).length;
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
        registered?.({ deviceId: device.deviceId, key: sasKeysOf(device).primaryKey });
      }
    });
  }
}

/** As insertDevices; returns the devices with their keys (for benchmarks that connect them). */
export async function registerDevices(store: SqlHubStore, prefix: string, count: number): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  await insertDevices(store, prefix, count, (device) => devices.push(device));
  return devices;
}
