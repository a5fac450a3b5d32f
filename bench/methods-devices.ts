/**
 * The simulated device fleet of `npm run bench:methods`, run as a child process (fork with IPC):
 * N mqtt.js connections over TLS that subscribe to direct methods and answer every request at once
 * (src/simulator, shared with `iothub-jobs simulate`).
 *
 * Several fleets (one per broker under test) can be connected at once, by name. Parent → child:
 * { cmd: 'connect', name, fleet } | { cmd: 'disconnect', name }. Child → parent:
 * { event: 'connected', ms, failed, cpuMicros, timing? } | { event: 'disconnected' }. With `timeCalls`, the
 * reply's `timing` has each device's times (ms from the connect message's arrival) of its subscription
 * being acknowledged and of its first method call answered, as the calls arrive after the reply (a job
 * waiting for these devices): asked for with { cmd: 'timing', name }. The child closes every
 * connection and exits when the IPC channel closes.
 */
import { connectFleet, type Fleet as ConnectedFleet } from '../src/simulator/fleet.js';

export interface Fleet {
  port: number;
  ca: string;
  hostName: string;
  devices: Array<{ deviceId: string; key: string }>;
  /** Connections opened at once while the fleet connects. */
  connectConcurrency: number;
  /** Record each device's connect and first method call times (for { cmd: 'timing' }). */
  timeCalls?: boolean;
}

/** Per device, ms after the fleet's connect message arrived; `calledMs` has only devices called so far. */
export interface FleetTiming {
  connectedMs: Record<string, number>;
  calledMs: Record<string, number>;
}

export type ToDevices = { cmd: 'connect'; name: string; fleet: Fleet } | { cmd: 'disconnect'; name: string } | { cmd: 'timing'; name: string };
export type FromDevices =
  /** `cpuMicros`: this process's CPU time while the fleet connected. */
  { event: 'connected'; ms: number; failed: number; cpuMicros: number } | { event: 'disconnected' } | { event: 'timing'; timing: FleetTiming };

const fleets = new Map<string, ConnectedFleet>();
const timings = new Map<string, FleetTiming>();

async function connect(name: string, fleet: Fleet): Promise<FromDevices> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const timing: FleetTiming = { connectedMs: {}, calledMs: {} };
  const timed = fleet.timeCalls && {
    onConnected: (deviceId: string) => void (timing.connectedMs[deviceId] = performance.now() - started),
    behaviour: {
      onActivity: (kind: 'method' | 'reported', deviceId: string) => {
        if (kind === 'method') timing.calledMs[deviceId] ??= performance.now() - started;
      },
    },
  };
  if (timed) timings.set(name, timing);
  const connected = await connectFleet({ port: fleet.port, ca: fleet.ca, hostName: fleet.hostName }, fleet.devices, {
    concurrency: fleet.connectConcurrency,
    ...timed,
  });
  const { user, system } = process.cpuUsage(cpu);
  fleets.set(name, connected);
  return { event: 'connected', ms: connected.ms, failed: connected.failed, cpuMicros: user + system };
}

async function disconnect(name: string): Promise<FromDevices> {
  await fleets.get(name)?.close();
  fleets.delete(name);
  timings.delete(name);
  return { event: 'disconnected' };
}

process.on('message', (message: ToDevices) => {
  if (message.cmd === 'timing') return void process.send!({ event: 'timing', timing: timings.get(message.name) ?? { connectedMs: {}, calledMs: {} } });
  const work = message.cmd === 'connect' ? connect(message.name, message.fleet) : disconnect(message.name);
  work.then((reply) => process.send!(reply));
});
process.on('disconnect', () => void Promise.all([...fleets.keys()].map(disconnect)).then(() => process.exit(0)));
