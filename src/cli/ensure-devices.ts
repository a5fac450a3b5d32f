import { CliError } from './command.js';
import type { HubClient } from './hub-client.js';
import { devicePath, type DeviceJson } from './resources.js';
import type { SimulatedDeviceIdentity } from '../simulator/device.js';

/** Registers each device that does not exist yet (a few requests at a time) and returns every device's key. */
export async function ensureDevices(client: HubClient, deviceIds: readonly string[], concurrency = 16): Promise<SimulatedDeviceIdentity[]> {
  const identities: SimulatedDeviceIdentity[] = new Array(deviceIds.length);
  let next = 0;
  const keyOf = (device: DeviceJson) => {
    const key = device.authentication?.symmetricKey?.primaryKey;
    if (!key) throw new CliError(`device ${device.deviceId} has no symmetric key; simulated devices authenticate with SAS keys`);
    return key;
  };
  const worker = async () => {
    while (next < deviceIds.length) {
      const index = next++;
      const deviceId = deviceIds[index]!;
      let device: DeviceJson;
      try {
        device = (await client.request<DeviceJson>('PUT', devicePath(deviceId), { body: { deviceId } })).body;
      } catch (err) {
        if (!(err instanceof CliError) || err.status !== 409) throw err;
        device = (await client.request<DeviceJson>('GET', devicePath(deviceId))).body;
      }
      identities[index] = { deviceId, key: keyOf(device) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deviceIds.length) }, worker));
  return identities;
}
