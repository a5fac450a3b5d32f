/**
 * The simulated device fleet of `npm run bench:methods`, run as a child process (fork with IPC):
 * N mqtt.js connections over TLS that subscribe to direct methods and answer every request at once
 * (src/simulator, shared with `iothub-jobs simulate`).
 *
 * Several fleets (one per broker under test) can be connected at once, by name. Parent → child:
 * { cmd: 'connect', name, fleet } | { cmd: 'disconnect', name }. Child → parent:
 * { event: 'connected', ms, failed } | { event: 'disconnected' }. The child closes every connection
 * and exits when the IPC channel closes.
 */
import { connectFleet, type Fleet as ConnectedFleet } from '../src/simulator/fleet.js';

export interface Fleet {
  port: number;
  ca: string;
  hostName: string;
  devices: Array<{ deviceId: string; key: string }>;
  /** Connections opened at once while the fleet connects. */
  connectConcurrency: number;
}

export type ToDevices = { cmd: 'connect'; name: string; fleet: Fleet } | { cmd: 'disconnect'; name: string };
export type FromDevices = { event: 'connected'; ms: number; failed: number } | { event: 'disconnected' };

const fleets = new Map<string, ConnectedFleet>();

async function connect(name: string, fleet: Fleet): Promise<FromDevices> {
  const connected = await connectFleet({ port: fleet.port, ca: fleet.ca, hostName: fleet.hostName }, fleet.devices, { concurrency: fleet.connectConcurrency });
  fleets.set(name, connected);
  return { event: 'connected', ms: connected.ms, failed: connected.failed };
}

async function disconnect(name: string): Promise<FromDevices> {
  await fleets.get(name)?.close();
  fleets.delete(name);
  return { event: 'disconnected' };
}

process.on('message', (message: ToDevices) => {
  const work = message.cmd === 'connect' ? connect(message.name, message.fleet) : disconnect(message.name);
  work.then((reply) => process.send!(reply));
});
process.on('disconnect', () => void Promise.all([...fleets.keys()].map(disconnect)).then(() => process.exit(0)));
