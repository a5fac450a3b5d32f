/**
 * `npm run bench:connect-storm [-- --devices 10000 --concurrency 10000 --interval 20 --retry-for 600 --postgres]`
 *
 * Starts the hub (SQLite, or PostgreSQL at DATABASE_URL with --postgres; gateway on an OS-picked
 * port), registers the devices in bulk through the store, then connects them all at once from a
 * second process (real MQTT over TLS, SAS tokens, each subscribing to direct methods as the SDKs do,
 * retrying a failed attempt with exponential back-off as the SDKs do, for up to `--retry-for` s)
 * while a third process polls GET /twins/{id} every `--interval` ms. Prints each device's connect
 * time (from the storm's start to its SUBACK), the storm's duration, connections per second and CPU
 * time per connect (of the hub's process and of the devices' one, which share the machine's cores),
 * the REST latencies during the storm (the hub should stay responsive: p99 under 1 s), the hub's
 * event-loop delay, and the time the registry takes to show every device Connected, then
 * Disconnected after they all close at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayPart, type GatewayPart } from '../src/gateway/hub-part.js';
import { startHub } from '../src/hub.js';
import { silentLogger } from '../src/logger.js';
import { connectedInRegistry, runConnectStorm, type Percentiles } from '../test/load/connect-storm.js';
import { registerDevices } from './register-devices.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    concurrency: { type: 'string' },
    interval: { type: 'string', default: '20' },
    'retry-for': { type: 'string', default: '600' },
    postgres: { type: 'boolean', default: false },
  },
});
const DEVICES = Number(args.devices);
const CONCURRENCY = Number(args.concurrency ?? args.devices);
const databaseUrl = args.postgres ? process.env.DATABASE_URL : undefined;
if (args.postgres && !databaseUrl) throw new Error('--postgres needs DATABASE_URL');

const ms = (value: number) => `${value.toFixed(0)} ms`;
const line = (p: Percentiles) => `p50 ${ms(p.p50)}, p90 ${ms(p.p90)}, p99 ${ms(p.p99)}, max ${ms(p.max)} (${p.count})`;

/** The kernel's count of connections dropped because a listen queue was full (Linux; undefined elsewhere). */
function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const at = names?.indexOf('ListenOverflows') ?? -1;
    return at > 0 ? Number(values?.[at]) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until `check` holds; how long it took, or a description of where things stood after `timeoutMs`. */
async function timeUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, status: () => Promise<string>): Promise<string> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) return `not within ${ms(timeoutMs)}: ${await status()}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ms(performance.now() - started);
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-storm-'));
const schema = databaseUrl ? `bench_storm_${process.pid}` : undefined;
let part: GatewayPart | undefined;
const hub = await startHub({
  dataDir,
  httpsPort: 0,
  databaseUrl,
  databaseSchema: schema,
  log: silentLogger,
  parts: [async (context) => (part = await gatewayPart({ mqttsPort: 0 })(context))],
});
const gateway = part!.gateway!;
try {
  const registering = performance.now();
  const devices = await registerDevices(hub.store, 'storm-', DEVICES);
  console.log(`registered ${DEVICES} devices in ${ms(performance.now() - registering)} (${databaseUrl ? 'PostgreSQL' : 'SQLite'})`);

  const overflowsBefore = listenOverflows();
  const storm = await runConnectStorm({
    hub,
    gatewayPort: gateway.port,
    devices,
    concurrency: CONCURRENCY,
    retryForMs: Number(args['retry-for']) * 1000,
    probeDeviceId: devices[0]!.deviceId,
    probeIntervalMs: Number(args.interval),
  });
  try {
    const { figures } = storm;
    const status = async () => `${gateway.connectedDevices} online in the gateway, ${await connectedInRegistry(hub)} Connected in the registry`;
    console.log(`connect storm: ${DEVICES} devices, ${CONCURRENCY} at once; ${figures.retries} attempts retried, ${figures.failed} devices never connected`);
    if (figures.firstErrors.length > 0) console.log(`  first errors: ${figures.firstErrors.join('; ')}`);
    console.log(`  all connected after ${ms(figures.stormMs)} (${(DEVICES / (figures.stormMs / 1000)).toFixed(0)} connections/s)`);
    console.log(
      `  CPU per connect: hub ${figures.hubCpuMsPerDevice.toFixed(2)} ms (TLS handshake, CONNECT, SUBSCRIBE, registry writes, and the REST probe's requests), devices ${figures.devicesCpuMsPerDevice.toFixed(2)} ms`,
    );
    console.log(`  connect time per device: ${line(figures.connectMs)}`);
    console.log(
      `  REST GET /twins during the storm: ${line(figures.rest)}; statuses ${JSON.stringify(figures.rest.statuses)}, errors ${figures.rest.errors.length}`,
    );
    console.log(`  REST p99 under 1 s: ${figures.rest.p99 < 1000 ? 'yes' : 'NO'}`);
    console.log(`  hub event-loop delay: p99 ${ms(figures.eventLoopDelayMs.p99)}, max ${ms(figures.eventLoopDelayMs.max)}`);
    const overflows = overflowsBefore === undefined ? undefined : listenOverflows()! - overflowsBefore;
    if (overflows !== undefined) console.log(`  connections the kernel dropped for a full listen queue (machine-wide): ${overflows}`);
    console.log(`  machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    const expected = DEVICES - figures.failed;
    const online = await timeUntil(async () => (await connectedInRegistry(hub)) === expected, 120_000, status);
    console.log(`  registry showed every connected device Connected ${online} later`);
    const closed = await storm.closeDevices();
    const offline = await timeUntil(async () => gateway.connectedDevices === 0 && (await connectedInRegistry(hub)) === 0, 120_000, status);
    console.log(`disconnect storm: closed in ${ms(closed.totalMs)}; registry showed all Disconnected ${offline} later`);
  } finally {
    storm.stop();
  }
} finally {
  await hub.close();
  if (schema) {
    const { dropSchema } = await import('../test/helpers/store-variants.js');
    await dropSchema(schema);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
