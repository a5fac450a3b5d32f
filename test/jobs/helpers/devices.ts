import type { MqttClient } from 'mqtt';
import type { Hub } from '../../../src/hub.js';
import { sasKeysOf } from '../../../src/registry/device/keys.js';
import { connectDevice, type DeviceBehaviour } from '../../../src/simulator/device.js';

/** Registers devices and connects simulated ones (mqtt.js) with the given behaviour; closes them all. */
export class SimulatedDevices {
  private readonly clients: MqttClient[] = [];

  constructor(
    private readonly hub: Hub,
    private readonly mqttsPort: number,
  ) {}

  /** Registered only (offline). */
  async register(deviceIds: readonly string[]): Promise<Array<{ deviceId: string; key: string }>> {
    const identities = [];
    for (const deviceId of deviceIds) {
      const device = await this.hub.store.createDevice({ deviceId });
      identities.push({ deviceId, key: sasKeysOf(device).primaryKey });
    }
    return identities;
  }

  /** Registered and connected, answering as `behaviour` says. */
  async connect(deviceIds: readonly string[], behaviour: DeviceBehaviour = {}): Promise<void> {
    await this.connectIdentities(await this.register(deviceIds), behaviour);
  }

  /** Connects devices registered before (e.g. offline ones that come online late). */
  async connectRegistered(deviceIds: readonly string[], behaviour: DeviceBehaviour = {}): Promise<void> {
    const identities = [];
    for (const deviceId of deviceIds) identities.push({ deviceId, key: sasKeysOf((await this.hub.store.getDevice(deviceId))!).primaryKey });
    await this.connectIdentities(identities, behaviour);
  }

  private async connectIdentities(identities: ReadonlyArray<{ deviceId: string; key: string }>, behaviour: DeviceBehaviour): Promise<void> {
    const target = { port: this.mqttsPort, ca: this.hub.tls.ca, hostName: this.hub.hostName };
    for (const identity of identities) this.clients.push(await connectDevice(target, identity, behaviour));
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.endAsync(true)));
  }
}

/** A JSON method reply. */
export const reply = (status: number, payload: unknown) => ({ status, payload: Buffer.from(JSON.stringify(payload)) });
