/**
 * `npm run bench:methods [-- --devices 5000 --calls 20000 --rounds 3 --concurrency 200 --seconds 30 --redis]`
 *
 * Starts the hub (SQLite, gateway on an OS-picked port) and, in a second process, N simulated
 * devices on real MQTT/TLS connections (mqtt.js) that answer every direct method. Prints the fleet's
 * connect time and direct-method round trips per second through the hub's invocation path (the
 * invoker that job activities use), and the same round trips through a bare aedes broker over TLS with
 * no hub logic (the baseline: requests written straight onto each device connection, answers matched
 * by $rid), then the ratio hub / baseline. Both fleets stay connected and the measurements alternate
 * round by round, so background load hits both alike; medians are compared.
 *
 * With `--redis` (REDIS_URL set) the hub routes through Redis, and a second router in this process
 * (as in a worker without a broker) adds a measurement of calls that cross Redis both ways.
 * Loopback only; every measurement is bounded in calls and in seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDeviceServices } from '../src/gateway/device-services.js';
import { gatewayPart, type GatewayPart } from '../src/gateway/hub-part.js';
import type { MethodInvoker } from '../src/gateway/methods/invoker.js';
import { startHub } from '../src/hub.js';
import { silentLogger } from '../src/logger.js';
import { sasKeysOf } from '../src/registry/device/keys.js';
import { DeviceProcess, measureRoundTrips, median, startBareBroker, type Invoke, type Measured } from './method-round-trips.js';
import type { Fleet } from './methods-devices.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    redis: { type: 'boolean', default: false },
  },
});
const DEVICES = Number(args.devices);
const CALLS = Number(args.calls);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const MEASURE_MS = Number(args.seconds) * 1000;
const WARMUP_CALLS = Math.min(2000, CALLS);
const redisUrl = args.redis ? process.env.REDIS_URL : undefined;
if (args.redis && !redisUrl) throw new Error('--redis needs REDIS_URL');

const measure = (invoke: Invoke, deviceIds: string[], calls: number): Promise<Measured> =>
  measureRoundTrips(invoke, deviceIds, calls, { concurrency: CONCURRENCY, maxMs: MEASURE_MS });

const viaInvoker =
  (invoker: MethodInvoker): Invoke =>
  async (deviceId) => {
    const result = await invoker.invoke(deviceId, {
      methodName: 'bench',
      payload: { n: 1 },
      responseTimeoutInSeconds: 30,
      connectTimeoutInSeconds: 0,
    });
    return result.kind === 'response' && result.status === 200;
  };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iothub-bench-methods-'));
  const devices = new DeviceProcess();
  let part: GatewayPart | undefined;
  const hub = await startHub({
    dataDir,
    httpsPort: 0,
    log: silentLogger,
    parts: [async (context) => (part = await gatewayPart({ mqttsPort: 0, redisUrl })(context))],
  });
  const bare = await startBareBroker(hub.tls);
  const remote = redisUrl ? await createDeviceServices({ store: hub.store, redisUrl, log: silentLogger }) : undefined;
  try {
    const fleet: Fleet = { port: part!.gateway!.port, ca: hub.tls.ca, hostName: hub.hostName, devices: [], connectConcurrency: 200 };
    for (let i = 0; i < DEVICES; i++) {
      const device = await hub.store.createDevice({ deviceId: `bench-${i}` });
      fleet.devices.push({ deviceId: device.deviceId, key: sasKeysOf(device).primaryKey });
    }
    const deviceIds = fleet.devices.map((d) => d.deviceId);
    console.log(
      `bench:methods devices=${DEVICES} calls/round=${CALLS} rounds=${ROUNDS} concurrency=${CONCURRENCY} routing=${redisUrl ? 'redis' : 'in-process'}`,
    );

    // The first fleet also warms up the device process; the CPU this process spends per connect is the fair figure.
    for (const [name, port] of [
      ['hub', fleet.port],
      ['baseline', bare.port],
    ] as const) {
      const cpu = process.cpuUsage();
      const ms = await devices.connect(name, { ...fleet, port });
      const { user, system } = process.cpuUsage(cpu);
      console.log(
        `${name.padEnd(9)} fleet connected in ${(ms / 1000).toFixed(2)} s (${(DEVICES / (ms / 1000)).toFixed(0)} connects/s, ${((user + system) / DEVICES).toFixed(0)} µs CPU/connect)`,
      );
    }

    const contenders: Array<[string, Invoke]> = [
      ['hub', viaInvoker(part!.services.invoker)],
      ['baseline', bare.invoke],
      ...(remote ? [['hub via Redis', viaInvoker(remote.invoker)] as [string, Invoke]] : []),
    ];
    const results = new Map<string, Measured[]>(contenders.map(([name]) => [name, []]));
    for (const [, invoke] of contenders) await measure(invoke, deviceIds, WARMUP_CALLS);
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const [name, invoke] of contenders) {
        const measured = await measure(invoke, deviceIds, CALLS);
        results.get(name)!.push(measured);
        line.push(`${name} ${measured.perSecond.toFixed(0)}/s (${measured.cpuMicros.toFixed(0)} µs CPU/call)`);
      }
      console.log(`round ${round}: ${line.join(', ')}`);
    }

    const rateOf = (name: string) => median(results.get(name)!.map((m) => m.perSecond));
    const cpuOf = (name: string) => median(results.get(name)!.map((m) => m.cpuMicros));
    for (const [name] of contenders) {
      const ratio = name === 'baseline' ? '' : `, ratio to baseline ${(rateOf(name) / rateOf('baseline')).toFixed(2)}`;
      console.log(`${name.padEnd(14)} median ${rateOf(name).toFixed(0)} round trips/s, ${cpuOf(name).toFixed(0)} µs CPU/call${ratio}`);
    }
    console.log(`ratio hub/baseline = ${(rateOf('hub') / rateOf('baseline')).toFixed(2)} (target >= 0.5)`);
  } finally {
    devices.stop();
    await remote?.close();
    await bare.close();
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
