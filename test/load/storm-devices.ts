/**
 * The device side of a connect storm, run as a child process (fork with IPC) so that the devices'
 * TLS and MQTT work does not share the hub's event loop. Parent → child: StormToDevices; child →
 * parent: StormFromDevices. Connections close and the process exits when the IPC channel closes.
 */
import type { MqttClient } from 'mqtt';
import { connectDevice, type GatewayTarget, type SimulatedDeviceIdentity } from '../../src/simulator/device.js';

export type StormToDevices =
  { cmd: 'connect'; target: GatewayTarget; devices: SimulatedDeviceIdentity[]; concurrency: number; retryForMs: number } | { cmd: 'close' };
export type StormFromDevices =
  /** `cpuMicros`: this process's CPU time while the devices connected. */
  | { event: 'connected'; connectMs: number[]; failed: number; retries: number; firstErrors: string[]; totalMs: number; cpuMicros: number }
  | { event: 'closed'; totalMs: number };

const clients: MqttClient[] = [];

/** Like the device SDKs, a device whose attempt failed tries again after an exponential, jittered back-off. */
const backOffMs = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);

/**
 * Starts every device's connection, `concurrency` at a time; a device that fails retries until
 * `retryForMs` after the start. Each one's time runs from the storm's start to its SUBACK.
 */
async function connect(message: Extract<StormToDevices, { cmd: 'connect' }>): Promise<StormFromDevices> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const connectMs: number[] = [];
  const firstErrors: string[] = [];
  let failed = 0;
  let retries = 0;
  let next = 0;
  const connectOne = async (device: SimulatedDeviceIdentity) => {
    for (let attempt = 0; ; attempt++) {
      try {
        clients.push(await connectDevice(message.target, device));
        connectMs.push(performance.now() - started);
        return;
      } catch (err) {
        if (firstErrors.length < 3) firstErrors.push(`${device.deviceId}: ${String(err)}`);
        const wait = backOffMs(attempt);
        if (performance.now() + wait - started > message.retryForMs) {
          failed++;
          return;
        }
        retries++;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  const worker = async () => {
    while (next < message.devices.length) await connectOne(message.devices[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(message.concurrency, message.devices.length) }, worker));
  const { user, system } = process.cpuUsage(cpu);
  return { event: 'connected', connectMs, failed, retries, firstErrors, totalMs: performance.now() - started, cpuMicros: user + system };
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
