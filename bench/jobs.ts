/**
 * `npm run bench:jobs [-- --devices 5000 --twin-devices 100000 --history-devices 1000000 --rate-devices 6000 --rate 3000 --rounds 5 --concurrency 200]`
 *
 * The jobs engine end to end in one process as `npm start` runs it (temporal-lite with its data on
 * disk, the jobs worker, the gateway, SQLite), with simulated devices in a second process:
 *
 *  (a) direct-method jobs over N connected devices: devices/s from the job's start to its end, and
 *      the ratio to the bare-broker round trips (aedes over TLS, no hub logic) measured right before
 *      and after each job (median of the rounds' ratios); and in each round a rollout job with
 *      abortCriteria only over the same devices, against the plain job (median of the ratios); the
 *      first job after start-up (how soon after its creation its first device is called, its rate
 *      against the warm jobs'); and a scheduled job's lateness (first device call after startTime);
 *  (b) twin-update jobs over M registered devices: devices/s, and the ratio to a bare loop updating
 *      the same rows (read, parse, change, write; 1000 rows per transaction) measured before and
 *      after the rounds; on SQLite, and on PostgreSQL too when DATABASE_URL is set (the bare loop
 *      there: SELECT … FOR UPDATE and one unnest UPDATE per 1000 rows, with `pg`);
 *  (c) a twin job over a million devices: the largest event count of any of its workflow runs (the
 *      job, every shard and every continued run), against the bound of workflows/history-bounds.ts;
 *      and the peak RSS of this process over the whole run;
 *  (d) rate accuracy: a twin job with rollout.maxDevicesPerMinute 3,000 over 6,000 devices: the
 *      busiest and the quietest 60 s window of device start times (devices.jobs startTimeUtc) within
 *      the job, against the rate (target within ±3%). (e) is (a)'s ratio: plain jobs take the same
 *      path as before rollouts existed, so it must stay where it was.
 *  (f) a method job waiting for W offline devices (--waiting-devices), C of which connect at once
 *      (--connecting-devices): the time to their last call, the RSS with W waiting (offline-wait.ts).
 *
 * A part with 0 devices is skipped: `-- --devices 0 --twin-devices 0 --history-devices 0 --rate-devices 0` runs (f) alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { gatewayPart, type GatewayPart } from '../src/gateway/hub-part.js';
import { startHub, type Hub } from '../src/hub.js';
import { jobsPart, type JobsPart } from '../src/jobs/part.js';
import { DEFAULT_JOBS_SETTINGS } from '../src/jobs/settings.js';
import { silentLogger } from '../src/logger.js';
import { bundleJobWorkflows } from '../src/temporal/bundle.js';
import { startTemporalLite, type TemporalLite } from '../temporal-lite/index.js';
import { jobHistoryBound } from '../workflows/history-bounds.js';
import type { JobResponse } from '../workflows/types.js';
import { DeviceProcess, measureRoundTrips, median, startBareBroker } from './method-round-trips.js';
import { offlineWaitBench } from './offline-wait.js';
import { insertDevices, registerDevices } from './register-devices.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '5000' },
    'twin-devices': { type: 'string', default: '100000' },
    'history-devices': { type: 'string', default: '1000000' },
    'rate-devices': { type: 'string', default: '6000' },
    rate: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '200' },
    'waiting-devices': { type: 'string', default: '100000' },
    'connecting-devices': { type: 'string', default: '10000' },
  },
});
const METHOD_DEVICES = Number(args.devices);
const TWIN_DEVICES = Number(args['twin-devices']);
const HISTORY_DEVICES = Number(args['history-devices']);
const RATE_DEVICES = Number(args['rate-devices']);
const RATE_PER_MINUTE = Number(args.rate);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const WAITING_DEVICES = Number(args['waiting-devices']);
const CONNECTING_DEVICES = Math.min(Number(args['connecting-devices']), WAITING_DEVICES);
const DATABASE_URL = process.env.DATABASE_URL;
const CACHE_DIR = fileURLToPath(new URL('../.cache', import.meta.url));

Runtime.install({ logger: new DefaultLogger('ERROR') });
const workflowBundle = await bundleJobWorkflows({ cacheDir: CACHE_DIR });
const quiet = { debug() {}, info() {}, warn() {}, error: (message: string) => console.error(message) };

interface BenchHub {
  hub: Hub;
  gateway: GatewayPart;
  jobs: JobsPart;
  dir: string;
  close(): Promise<void>;
}

/** A hub composed as the all-in-one start does, in a temp dir (its store in a fresh PostgreSQL schema when given one). */
async function startBenchHub(name: string, databaseSchema?: string): Promise<BenchHub> {
  const dir = mkdtempSync(join(tmpdir(), `iothub-bench-jobs-${name}-`));
  const temporal: TemporalLite = await startTemporalLite({ dataDir: join(dir, 'temporal'), logger: quiet });
  let gateway: GatewayPart | undefined;
  let jobs: JobsPart | undefined;
  const hub = await startHub({
    dataDir: dir,
    ...(databaseSchema && { databaseUrl: DATABASE_URL, databaseSchema }),
    httpsPort: 0,
    log: silentLogger,
    parts: [
      async (context) => (gateway = await gatewayPart({ mqttsPort: 0 })(context)),
      async (context) =>
        (jobs = await jobsPart({
          temporal: { address: temporal.address },
          roles: { api: true, worker: true },
          invoker: gateway!.services.invoker,
          connectEvents: gateway!.services.connectEvents,
          workflowBundle,
          settings: { maxActiveJobs: 1000 },
        })(context)),
    ],
  });
  return {
    hub,
    gateway: gateway!,
    jobs: jobs!,
    dir,
    async close() {
      await hub.close();
      await temporal.close();
      rmSync(dir, { recursive: true, force: true });
      if (databaseSchema) await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${databaseSchema}" CASCADE`));
    },
  };
}

let jobNumber = 0;
/** Runs a job to its end; returns it with its devices/s from its start to its end. */
async function runJob(bench: BenchHub, body: Record<string, unknown>): Promise<{ job: JobResponse; perSecond: number; cpuMicros: number }> {
  const jobId = `bench-${++jobNumber}`;
  const cpu = process.cpuUsage();
  await bench.jobs.service!.create(jobId, { jobId, ...body });
  const job = (await bench.jobs.client.workflow.getHandle(jobId).result()) as JobResponse;
  if (job.status !== 'completed') throw new Error(`job ${jobId} ended ${job.status}: ${job.failureReason}`);
  const { user, system } = process.cpuUsage(cpu);
  const seconds = (Date.parse(job.endTime!) - Date.parse(job.startTime)) / 1000;
  const devices = job.deviceJobStatistics!.deviceCount;
  return { job, perSecond: devices / seconds, cpuMicros: (user + system) / devices };
}

/** When the job's first device call began (its record's startTimeUtc, set as the call is made; ms). */
async function firstDeviceCalledAt(bench: BenchHub, jobId: string): Promise<number> {
  const [row] = await bench.hub.store.db.query<{ first: string }>(
    `SELECT min(json_extract(doc, '$.startTimeUtc')) AS first FROM device_jobs WHERE job_id = $1`,
    [jobId],
  );
  if (!row?.first) throw new Error(`job ${jobId} called no device`);
  return Date.parse(row.first);
}

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

async function methodJobs(): Promise<void> {
  console.log(`\n(a) direct-method jobs over ${METHOD_DEVICES} connected devices (devices in a separate process)`);
  const bench = await startBenchHub('methods');
  const fleetProcess = new DeviceProcess();
  const bare = await startBareBroker(bench.hub.tls);
  try {
    const devices = await registerDevices(bench.hub.store, 'm-', METHOD_DEVICES);
    const fleet = { port: bench.gateway.gateway!.port, ca: bench.hub.tls.ca, hostName: bench.hub.hostName, devices, connectConcurrency: 200 };
    await fleetProcess.connect('hub', fleet);
    await fleetProcess.connect('baseline', { ...fleet, port: bare.port });
    const deviceIds = devices.map((d) => d.deviceId);
    const methodJob = {
      type: 'scheduleDeviceMethod',
      queryCondition: '*',
      cloudToDeviceMethod: { methodName: 'bench', payload: { n: 1 }, responseTimeoutInSeconds: 30 },
    };
    const baseline = () => measureRoundTrips(bare.invoke, deviceIds, METHOD_DEVICES, { concurrency: CONCURRENCY, maxMs: 60_000 });
    await baseline(); // warm-up
    // The first job after start-up: how soon it reaches a device, and how fast it runs.
    const createdAt = Date.now();
    const first = await runJob(bench, methodJob);
    const firstDeviceMs = (await firstDeviceCalledAt(bench, first.job.jobId)) - createdAt;
    // The bare broker is measured before and after every job, and each job is compared with the
    // mean of the two: the machine's speed drifts between rounds, and this cancels it.
    let before = await baseline();
    // Abort criteria alone (no rate) must not slow a job down.
    const rolloutJob = {
      ...methodJob,
      rollout: { abortCriteria: [{ failureType: 'all', thresholdPercentage: 50, minNumberOfExecutedDevices: 100, action: 'cancel' }] },
    };
    const jobRates: number[] = [];
    const bareRates: number[] = [];
    const ratios: number[] = [];
    const rolloutRatios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const { job, perSecond, cpuMicros } = await runJob(bench, methodJob);
      if (job.deviceJobStatistics!.succeededCount !== METHOD_DEVICES) throw new Error(`only ${job.deviceJobStatistics!.succeededCount} devices succeeded`);
      const after = await baseline();
      const bareRate = (before.perSecond + after.perSecond) / 2;
      const bareCpuMicros = (before.cpuMicros + after.cpuMicros) / 2;
      jobRates.push(perSecond);
      bareRates.push(bareRate);
      ratios.push(perSecond / bareRate);
      console.log(
        `  round ${round}: job ${rate(perSecond)} (${cpuMicros.toFixed(0)} µs CPU/device), bare broker ${rate(bareRate)} (concurrency ${CONCURRENCY}, ${bareCpuMicros.toFixed(0)} µs CPU/call); ratio ${(perSecond / bareRate).toFixed(2)}`,
      );
      before = after;
      const rollout = await runJob(bench, rolloutJob);
      if (rollout.job.deviceJobStatistics!.succeededCount !== METHOD_DEVICES)
        throw new Error(`rollout job: only ${rollout.job.deviceJobStatistics!.succeededCount} devices succeeded`);
      rolloutRatios.push(rollout.perSecond / perSecond);
      console.log(
        `           rollout job (abortCriteria only) ${rate(rollout.perSecond)} (${rollout.cpuMicros.toFixed(0)} µs CPU/device); ratio to the plain job ${(rollout.perSecond / perSecond).toFixed(2)}`,
      );
    }
    console.log(
      `  method job: ${rate(median(jobRates))} devices, bare broker ${rate(median(bareRates))} round trips; ratio ${median(ratios).toFixed(2)} (median of the rounds; target >= 0.9)`,
    );
    console.log(
      `  rollout job with abortCriteria only: ${median(rolloutRatios).toFixed(2)} of the plain job's devices/s (median of the rounds; target >= 0.9)`,
    );
    console.log(
      `  first job after start-up: first device called ${firstDeviceMs} ms after the job's creation (target < 100), ${rate(first.perSecond)}; ${(first.perSecond / median(jobRates)).toFixed(2)} of the warm jobs' median (target >= 0.8)`,
    );
    // A scheduled job: how late its first device is called after its startTime.
    const startAt = Date.now() + 3000;
    const scheduled = await runJob(bench, { ...methodJob, startTime: new Date(startAt).toISOString() });
    console.log(
      `  scheduled job: first device called ${(await firstDeviceCalledAt(bench, scheduled.job.jobId)) - startAt} ms after its startTime (target < 250)`,
    );
  } finally {
    fleetProcess.stop();
    await bare.close();
    await bench.close();
  }
}

interface BareLoop {
  perSecond: number;
  cpuMicros: number;
}

/** Devices/s and CPU µs per device of `loop` over `devices` rows. */
async function measured(devices: number, loop: () => Promise<void> | void): Promise<BareLoop> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await loop();
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: devices / ((performance.now() - started) / 1000), cpuMicros: (user + system) / devices };
}

/** The bare loop over the same rows: read, parse, change, write the twin; 1000 rows per transaction. */
async function bareSqliteUpdates(file: string, devices: number): Promise<BareLoop> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  try {
    const select = db.prepare('SELECT device_id, twin FROM devices WHERE device_id > ? ORDER BY device_id LIMIT 1000');
    const update = db.prepare('UPDATE devices SET row_version = row_version + 1, twin = ? WHERE device_id = ?');
    const chunk = db.transaction((after: string) => {
      const rows = select.all(after) as Array<{ device_id: string; twin: string }>;
      for (const row of rows) {
        const twin = JSON.parse(row.twin);
        twin.tags.bare = 1;
        twin.properties.desired.bare = 1;
        update.run(JSON.stringify(twin), row.device_id);
      }
      return rows.at(-1)?.device_id;
    });
    return await measured(devices, () => {
      for (let after: string | undefined = ''; after !== undefined;) after = chunk(after);
    });
  } finally {
    db.close();
  }
}

async function withPg<T>(fn: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL, ...(schema && { options: `-c search_path=${schema}` }) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface PgTwinRow {
  device_id: string;
  twin: { tags: Record<string, unknown>; properties: { desired: Record<string, unknown> } };
}

/** The bare loop on PostgreSQL: per 1000 rows one transaction locking them, and one batch UPDATE (unnest). */
function barePgUpdates(schema: string, devices: number): Promise<BareLoop> {
  return withPg(
    (client) =>
      measured(devices, async () => {
        for (let after: string | undefined = ''; after !== undefined;) {
          await client.query('BEGIN');
          const { rows }: { rows: PgTwinRow[] } = await client.query<PgTwinRow>(
            'SELECT device_id, twin FROM devices WHERE device_id > $1 ORDER BY device_id LIMIT 1000 FOR UPDATE',
            [after],
          );
          for (const row of rows) {
            row.twin.tags.bare = 1;
            row.twin.properties.desired.bare = 1;
          }
          await client.query(
            'UPDATE devices AS d SET row_version = d.row_version + 1, twin = v.twin::jsonb FROM unnest($1::text[], $2::text[]) AS v(device_id, twin) WHERE d.device_id = v.device_id',
            [rows.map((row) => row.device_id), rows.map((row) => JSON.stringify(row.twin))],
          );
          await client.query('COMMIT');
          after = rows.at(-1)?.device_id;
        }
      }),
    schema,
  );
}

async function twinJobs(store: 'sqlite' | 'postgres'): Promise<void> {
  console.log(`\n(b) twin-update jobs over ${TWIN_DEVICES} registered devices (${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`);
  const schema = store === 'postgres' ? `bench_jobs_${randomBytes(4).toString('hex')}` : undefined;
  const bench = await startBenchHub(`twins-${store}`, schema);
  const bareLoop = () => (schema ? barePgUpdates(schema, TWIN_DEVICES) : bareSqliteUpdates(join(bench.dir, 'hub.db'), TWIN_DEVICES));
  try {
    await insertDevices(bench.hub.store, 't-', TWIN_DEVICES);
    const twinJob = (n: number) => ({
      type: 'scheduleUpdateTwin',
      queryCondition: '*',
      updateTwin: { etag: '*', tags: { wave: n }, properties: { desired: { wave: n } } },
    });
    await runJob(bench, twinJob(0)); // warm-up
    // The bare loop runs before and after the rounds and the job is compared with the mean of the
    // two: the machine's speed drifts over a run, and this cancels most of it.
    const before = await bareLoop();
    const jobRates: number[] = [];
    const jobCpu: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const { perSecond, cpuMicros } = await runJob(bench, twinJob(round));
      jobRates.push(perSecond);
      jobCpu.push(cpuMicros);
      console.log(`  round ${round}: job ${rate(perSecond)} (${cpuMicros.toFixed(0)} µs CPU/device)`);
    }
    const after = await bareLoop();
    const bare = (before.perSecond + after.perSecond) / 2;
    const bareCpu = (before.cpuMicros + after.cpuMicros) / 2;
    console.log(
      `  twin job: ${rate(median(jobRates))} devices (${median(jobCpu).toFixed(0)} µs CPU/device); bare ${store} update loop ${rate(bare)} (${bareCpu.toFixed(0)} µs CPU/device; before ${rate(before.perSecond)}, after ${rate(after.perSecond)}); ratio ${(median(jobRates) / bare).toFixed(2)} (target >= ${store === 'sqlite' ? '0.6' : '0.3'})`,
    );
  } finally {
    await bench.close().catch(() => undefined);
  }
}

async function historyJob(): Promise<void> {
  console.log(`\n(c) a twin job over ${HISTORY_DEVICES.toLocaleString('en-US')} devices: history sizes`);
  const bench = await startBenchHub('history');
  try {
    const registering = performance.now();
    await insertDevices(bench.hub.store, 'h-', HISTORY_DEVICES);
    console.log(`  registered in ${((performance.now() - registering) / 1000).toFixed(0)} s`);
    // The RSS while the job runs (the whole run's peak, printed last, includes the registration).
    let jobPeakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => (jobPeakRss = Math.max(jobPeakRss, process.memoryUsage.rss())), 250);
    const { job, perSecond, cpuMicros } = await runJob(bench, { type: 'scheduleUpdateTwin', queryCondition: '*', updateTwin: { tags: { big: true } } }).finally(
      () => clearInterval(sampler),
    );
    const client = bench.jobs.client;
    let largest = { events: 0, run: '' };
    let runs = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${job.jobId}' OR WorkflowId STARTS_WITH '${job.jobId}/shard-'` })) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      const events = history.events?.length ?? 0;
      runs += 1;
      if (events > largest.events) largest = { events, run: `${execution.workflowId} (${execution.runId})` };
    }
    const bound = jobHistoryBound(HISTORY_DEVICES, DEFAULT_JOBS_SETTINGS.tuning.scheduleUpdateTwin);
    console.log(
      `  job ${job.status}: ${job.deviceJobStatistics!.succeededCount.toLocaleString('en-US')} devices at ${rate(perSecond)} (${cpuMicros.toFixed(0)} µs CPU/device), ${runs} workflow runs; peak RSS while it ran ${(jobPeakRss / 1048576).toFixed(0)} MB (target < 1024)`,
    );
    console.log(`  largest history: ${largest.events} events in ${largest.run} (bound ${bound}; target < 10,000)`);
  } finally {
    await bench.close();
  }
}

/**
 * The busiest and the quietest 60 s window between the first and the last start: the busiest
 * begins at a start ([s, s + 60 s)), the quietest just after one ((s, s + 60 s]).
 */
function minuteWindows(starts: readonly number[]): { busiest: number; quietest: number } {
  const sorted = [...starts].sort((a, b) => a - b);
  const last = sorted.at(-1)!;
  /** Starts before `at` (or at it, with `inclusive`). */
  const countTo = (at: number, inclusive: boolean) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < at || (inclusive && sorted[mid] === at)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let busiest = 0;
  let quietest = Infinity;
  for (const start of new Set(sorted)) {
    if (start + 60_000 > last) break;
    busiest = Math.max(busiest, countTo(start + 60_000, false) - countTo(start, false));
    quietest = Math.min(quietest, countTo(start + 60_000, true) - countTo(start, true));
  }
  return { busiest, quietest };
}

async function rateJob(): Promise<void> {
  console.log(`\n(d) rate accuracy: a twin job at ${RATE_PER_MINUTE}/min over ${RATE_DEVICES} devices`);
  const bench = await startBenchHub('rate');
  try {
    await insertDevices(bench.hub.store, 'r-', RATE_DEVICES);
    const { job } = await runJob(bench, {
      type: 'scheduleUpdateTwin',
      queryCondition: '*',
      updateTwin: { tags: { paced: true } },
      rollout: { maxDevicesPerMinute: RATE_PER_MINUTE },
    });
    const starts: number[] = [];
    let continuation: string | undefined;
    do {
      const page = await bench.hub.store.query(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${job.jobId}'`, { pageSize: 1000, continuation });
      for (const item of page.items as Array<{ startTimeUtc: string }>) starts.push(Date.parse(item.startTimeUtc));
      continuation = page.continuation;
    } while (continuation);
    const { busiest, quietest } = minuteWindows(starts);
    const off = (n: number) => `${(((n - RATE_PER_MINUTE) / RATE_PER_MINUTE) * 100).toFixed(1)}%`;
    const span = (Math.max(...starts) - Math.min(...starts)) / 1000;
    console.log(`  ${starts.length} devices started over ${span.toFixed(1)} s (expected ${((RATE_DEVICES / RATE_PER_MINUTE) * 60 - 1).toFixed(0)} s)`);
    console.log(`  60 s windows: busiest ${busiest} (${off(busiest)}), quietest ${quietest} (${off(quietest)}) against ${RATE_PER_MINUTE} (target within ±3%)`);
  } finally {
    await bench.close();
  }
}

async function offlineWait(): Promise<void> {
  const bench = await startBenchHub('offline-wait');
  const devices = new DeviceProcess();
  try {
    const hub = {
      store: bench.hub.store,
      service: bench.jobs.service!,
      client: bench.jobs.client,
      fleet: { port: bench.gateway.gateway!.port, ca: bench.hub.tls.ca, hostName: bench.hub.hostName },
    };
    await offlineWaitBench(hub, devices, { waiting: WAITING_DEVICES, connecting: CONNECTING_DEVICES });
  } finally {
    devices.stop();
    await bench.close();
  }
}

console.log(`bench:jobs (${new Date().toISOString()}, node ${process.version})`);
if (METHOD_DEVICES > 0) await methodJobs();
if (TWIN_DEVICES > 0) await twinJobs('sqlite');
if (TWIN_DEVICES > 0 && DATABASE_URL) await twinJobs('postgres');
else if (TWIN_DEVICES > 0) console.log('\n(b) on PostgreSQL skipped: DATABASE_URL not set');
if (HISTORY_DEVICES > 0) await historyJob();
if (RATE_DEVICES > 0) await rateJob();
if (WAITING_DEVICES > 0) await offlineWait();
console.log(`\npeak RSS of this process (hub, worker, temporal-lite) over the run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
