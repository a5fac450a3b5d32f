/**
 * Shared by bench:methods and bench:jobs: the simulated device fleet in a child process
 * (methods-devices.ts), the bare-broker baseline (aedes over TLS with no hub logic) and the
 * round-trip measurement.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { Fleet, FleetTiming, FromDevices, ToDevices } from './methods-devices.js';

/** One round trip to a device; true when it answered 200. */
export type Invoke = (deviceId: string) => Promise<boolean>;

export interface Measured {
  perSecond: number;
  /** CPU time of this process (the hub or the bare broker, and the caller) per round trip. */
  cpuMicros: number;
}

/** Round trips per second with at most `concurrency` in flight, over the devices in turn, within `maxMs`. */
export async function measureRoundTrips(
  invoke: Invoke,
  deviceIds: readonly string[],
  calls: number,
  options: { concurrency: number; maxMs: number },
): Promise<Measured> {
  const deadline = performance.now() + options.maxMs;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let issued = 0;
  let failed = 0;
  const worker = async () => {
    while (issued < calls && performance.now() < deadline) {
      const deviceId = deviceIds[issued++ % deviceIds.length]!;
      if (!(await invoke(deviceId))) failed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  if (failed > 0) throw new Error(`${failed} of ${issued} calls failed`);
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: issued / ((performance.now() - started) / 1000), cpuMicros: (user + system) / issued };
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The device fleets, in a separate process. */
export class DeviceProcess {
  private readonly child: ChildProcess = fork(new URL('./methods-devices.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });

  private request(message: ToDevices): Promise<FromDevices> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`device process exited (${code})`));
      this.child.once('exit', exited);
      this.child.once('message', (reply: FromDevices) => {
        this.child.off('exit', exited);
        resolve(reply);
      });
      this.child.send(message);
    });
  }

  /** Connects a fleet; returns how long it took (ms). */
  async connect(name: string, fleet: Fleet): Promise<number> {
    return (await this.connectMeasured(name, fleet)).ms;
  }

  /** Connects a fleet; returns how long it took (ms) and the device process's CPU time meanwhile (µs). */
  async connectMeasured(name: string, fleet: Fleet): Promise<{ ms: number; cpuMicros: number }> {
    const reply = await this.request({ cmd: 'connect', name, fleet });
    if (reply.event !== 'connected') throw new Error('unexpected reply from the device process');
    if (reply.failed > 0) throw new Error(`${reply.failed} of ${fleet.devices.length} devices failed to connect to ${name}`);
    return reply;
  }

  /** The connect and first-call times of a fleet connected with `timeCalls`. */
  async timing(name: string): Promise<FleetTiming> {
    const reply = await this.request({ cmd: 'timing', name });
    if (reply.event !== 'timing') throw new Error('unexpected reply from the device process');
    return reply.timing;
  }

  async disconnect(name: string): Promise<void> {
    await this.request({ cmd: 'disconnect', name });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/** The baseline: aedes over TLS with its default hooks; requests go straight onto each connection. */
export async function startBareBroker(tls: { key: string; cert: string }) {
  const broker = await Aedes.createBroker();
  const server = createServer(tls, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const waiting = new Map<string, () => void>();
  broker.on('publish', (packet, client) => {
    if (!client || !packet.topic.startsWith('$iothub/methods/res/')) return;
    waiting.get(packet.topic.slice(packet.topic.indexOf('?$rid=') + 6))?.();
  });
  const clients = (broker as unknown as { clients: Record<string, Client> }).clients;
  const payload = Buffer.from('{"n":1}');
  let nextRid = 1;
  const invoke: Invoke = (deviceId) =>
    new Promise((resolve) => {
      const rid = (nextRid++).toString(16);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        waiting.delete(rid);
        resolve(ok);
      };
      const timer = setTimeout(finish, 30_000, false);
      waiting.set(rid, () => finish(true));
      const client = clients[deviceId];
      if (!client) return finish(false);
      client.publish({ cmd: 'publish', topic: `$iothub/methods/POST/bench/?$rid=${rid}`, payload, qos: 0, dup: false, retain: false }, () => {});
    });
  return {
    port: (server.address() as { port: number }).port,
    invoke,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
