import type { MqttClient } from 'mqtt';
import { connectDevice, type DeviceBehaviour, type GatewayTarget, type SimulatedDeviceIdentity } from './device.js';

/** A connected fleet of simulated devices (`iothub-jobs simulate`, bench:methods, bench:jobs). */
export interface Fleet {
  clients: MqttClient[];
  /** Devices that could not connect. */
  failed: number;
  /** How long connecting the fleet took. */
  ms: number;
  close(): Promise<void>;
}

export interface FleetOptions {
  /** Connections opened at once while the fleet connects. */
  concurrency: number;
  behaviour?: DeviceBehaviour;
  /** Called as each device has connected and subscribed. */
  onConnected?: (deviceId: string) => void;
  /** Called with the first few connect errors (the rest are only counted). */
  onConnectError?: (deviceId: string, err: Error) => void;
}

/** Connects every device, `concurrency` at a time; a device that fails is counted, not retried. */
export async function connectFleet(target: GatewayTarget, devices: readonly SimulatedDeviceIdentity[], options: FleetOptions): Promise<Fleet> {
  const started = performance.now();
  const clients: MqttClient[] = [];
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < devices.length) {
      const device = devices[next++]!;
      try {
        clients.push(await connectDevice(target, device, options.behaviour));
        options.onConnected?.(device.deviceId);
      } catch (err) {
        if (failed++ < 3) options.onConnectError?.(device.deviceId, err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    clients,
    failed,
    ms: performance.now() - started,
    close: async () => void (await Promise.all(clients.map((client) => client.endAsync(true)))),
  };
}
