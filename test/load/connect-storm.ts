import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SimulatedDeviceIdentity } from '../../src/simulator/device.js';
import type { Hub } from '../../src/hub.js';
import { serviceToken } from '../helpers/hub-http.js';
import type { ProbeReply, ProbeStart } from './storm-probe.js';
import type { StormFromDevices, StormToDevices } from './storm-devices.js';

/**
 * A connect storm: every device of a fleet connects at once (real MQTT over TLS, from a child
 * process) while another child polls the REST API (GET /twins/{id}) and times each answer, and this
 * process, the hub's, records its event-loop delay. Used by bench:connect-storm (10,000 devices,
 * figures) and test/load (1,000 devices, every REST call must answer).
 */
export interface StormOptions {
  hub: Hub;
  gatewayPort: number;
  devices: readonly SimulatedDeviceIdentity[];
  /** Connections being opened at once (the fleet size: all at once). */
  concurrency: number;
  /** A device whose attempt fails retries with back-off (as the SDKs do) until this long after the start. */
  retryForMs: number;
  /** A device whose twin the probe reads. */
  probeDeviceId: string;
  probeIntervalMs: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface StormFigures {
  devices: number;
  /** Devices still not connected when retrying stopped. */
  failed: number;
  /** Attempts that failed and were retried (refused, reset or timed out while the hub was busy). */
  retries: number;
  firstErrors: string[];
  /** Each device's time from the storm's start to its subscription being acknowledged. */
  connectMs: Percentiles;
  /** Until the last device was connected. */
  stormMs: number;
  /** REST answers during the storm. */
  rest: Percentiles & { statuses: Record<string, number>; errors: string[] };
  /** The hub process's event-loop delay during the storm. */
  eventLoopDelayMs: { p99: number; max: number };
  /** CPU time the hub process spent per device connected (TLS handshake, CONNECT, subscription, registry writes). */
  hubCpuMsPerDevice: number;
  /** CPU time the devices' process spent per device connected (their TLS handshakes and MQTT clients). */
  devicesCpuMsPerDevice: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** A child process speaking request/reply over IPC, ended with the caller. */
class Child<In, Out> {
  private readonly process: ChildProcess;

  constructor(module: string) {
    this.process = fork(new URL(module, import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  }

  request(message: In, timeoutMs: number): Promise<Out> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${JSON.stringify(message).slice(0, 40)}: no reply within ${timeoutMs} ms`)), timeoutMs);
      const exited = (code: number | null) => reject(new Error(`child process exited (${code})`));
      this.process.once('exit', exited);
      this.process.once('message', (reply: Out) => {
        clearTimeout(timer);
        this.process.off('exit', exited);
        resolve(reply);
      });
      this.process.send(message as object);
    });
  }

  stop(): void {
    if (this.process.connected) this.process.disconnect();
  }
}

/** The storm's devices stay connected until `closeDevices` (which times the disconnect storm too). */
export interface Storm {
  figures: StormFigures;
  closeDevices(): Promise<{ totalMs: number }>;
  stop(): void;
}

export async function runConnectStorm(options: StormOptions): Promise<Storm> {
  const { hub } = options;
  const devices = new Child<StormToDevices, StormFromDevices>('./storm-devices.ts');
  const probe = new Child<ProbeStart | { cmd: 'stop' }, ProbeReply>('./storm-probe.ts');
  try {
    await probe.request(
      {
        cmd: 'start',
        port: hub.api.httpsPort,
        ca: hub.tls.ca,
        path: `/twins/${encodeURIComponent(options.probeDeviceId)}?api-version=2021-04-12`,
        authorization: serviceToken(hub, 'iothubowner', new Date(Date.now() + 3600_000)),
        intervalMs: options.probeIntervalMs,
      },
      60_000,
    );
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpu = process.cpuUsage();
    const connected = await devices.request(
      {
        cmd: 'connect',
        target: { port: options.gatewayPort, ca: hub.tls.ca, hostName: hub.hostName },
        devices: [...options.devices],
        concurrency: options.concurrency,
        retryForMs: options.retryForMs,
      },
      options.retryForMs + 120_000,
    );
    loopDelay.disable();
    const { user, system } = process.cpuUsage(cpu);
    const stopped = await probe.request({ cmd: 'stop' }, 60_000);
    if (connected.event !== 'connected' || stopped.event !== 'stopped') throw new Error('unexpected reply from a child process');
    const probed = stopped.results;
    const figures: StormFigures = {
      devices: options.devices.length,
      failed: connected.failed,
      retries: connected.retries,
      firstErrors: connected.firstErrors,
      connectMs: percentiles(connected.connectMs),
      stormMs: connected.totalMs,
      rest: { ...percentiles(probed.latenciesMs), statuses: probed.statuses, errors: probed.errors },
      eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      hubCpuMsPerDevice: (user + system) / 1000 / Math.max(1, connected.connectMs.length),
      devicesCpuMsPerDevice: connected.cpuMicros / 1000 / Math.max(1, connected.connectMs.length),
    };
    return {
      figures,
      async closeDevices() {
        const closed = await devices.request({ cmd: 'close' }, 600_000);
        return { totalMs: closed.totalMs };
      },
      stop() {
        devices.stop();
        probe.stop();
      },
    };
  } catch (err) {
    devices.stop();
    probe.stop();
    throw err;
  }
}

/** How many devices the registry shows Connected, asked through the hub's own query language. */
export async function connectedInRegistry(hub: Hub): Promise<number> {
  const [row] = (await hub.store.query("SELECT COUNT() AS n FROM devices WHERE connectionState = 'Connected'")).items;
  if (typeof row !== 'object' || row === null || !('n' in row) || typeof row.n !== 'number') throw new Error(`unexpected COUNT() row ${JSON.stringify(row)}`);
  return row.n;
}
