/**
 * The device side of a connect storm, run as a child process (fork with IPC) so that the devices'
 * TLS and MQTT work does not share the hub's event loop. Parent → child: StormToDevices; child →
 * parent: StormFromDevices. Connections close and the process exits when the IPC channel closes.
 */
import type { MqttClient } from 'mqtt';
import { connectDevice, type GatewayTarget, type SimulatedDeviceIdentity } from '../../src/simulator/device.js';

export type StormToDevices =
  | { cmd: 'connect'; target: GatewayTarget; devices: SimulatedDeviceIdentity[]; concurrency: number }
  | { cmd: 'close' };
export type StormFromDevices =
  | { event: 'connected'; connectMs: number[]; failed: number; firstErrors: string[]; totalMs: number }
  | { event: 'closed'; totalMs: number };

const clients: MqttClient[] = [];

/** Starts every device's connection, `concurrency` at a time; each one's time runs from the storm's start to its SUBACK. */
async function connect(message: Extract<StormToDevices, { cmd: 'connect' }>): Promise<StormFromDevices> {
  const started = performance.now();
  const connectMs: number[] = [];
  const firstErrors: string[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < message.devices.length) {
      const device = message.devices[next++]!;
      try {
        clients.push(await connectDevice(message.target, device));
        connectMs.push(performance.now() - started);
      } catch (err) {
        if (failed++ < 3) firstErrors.push(`${device.deviceId}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(message.concurrency, message.devices.length) }, worker));
  return { event: 'connected', connectMs, failed, firstErrors, totalMs: performance.now() - started };
}

async function close(): Promise<StormFromDevices> {
  const started = performance.now();
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  return { event: 'closed', totalMs: performance.now() - started };
}

process.on('message', (message: StormToDevices) => {
  void (message.cmd === 'connect' ? connect(message) : close()).then((reply) => process.send!(reply));
});
process.on('disconnect', () => void close().then(() => process.exit(0)));
