/**
 * A chaos run, shared by the chaos test (small) and `npm run chaos` (bench/chaos.ts, long): the
 * all-in-one hub as a real process on a data directory, simulated devices on real MQTT answering
 * methods after a random delay and counting what reaches them, a mixed workload of twin and method
 * jobs (some scheduled), SIGKILLs of the hub at random moments with a restart on the same data
 * directory each time, then the invariants, as figures: jobs lost or stuck, device records wrong
 * (missing, doubled, not final, or saying something the devices contradict), twin patches applied
 * twice or missing, methods called twice, outcome-unknown records, and the time to recover.
 */
import { readFileSync } from 'node:fs';
import type iothub from 'azure-iothub';
import { ensureDevices } from '../../src/cli/ensure-devices.js';
import { HubClient } from '../../src/cli/hub-client.js';
import { resolveHubTarget } from '../../src/cli/hub-target.js';
import { OUTCOME_UNKNOWN } from '../../src/registry/job-records.js';
import { connectFleet, type Fleet } from '../../src/simulator/fleet.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { deviceJobRecords } from '../run/helpers/fleet.js';
import { allInOneEnv, HubProcess, type StartedHub } from '../run/helpers/hub-process.js';
import { jobEnded } from '../run/helpers/poll.js';

export interface ChaosOptions {
  devices: number;
  jobs: number;
  kills: number;
  seed: number;
  /** Devices answer methods after a delay drawn from this range (ms). */
  answerDelayMs: readonly [number, number];
  /** The hub is killed after a time drawn from this range since it (re)started (ms). */
  killAfterMs: readonly [number, number];
  /** How long the jobs may take to end after the last restart (ms). */
  settleMs: number;
  log?: (line: string) => void;
}

export interface ChaosFigures {
  devices: number;
  jobs: number;
  kills: number;
  /** Jobs the hub no longer knows. */
  lost: number;
  /** Jobs not ended within settleMs of the last restart. */
  stuck: number;
  /** Jobs that ended other than completed. */
  notCompleted: number;
  /** Device records missing, doubled, not final, or contradicted by the devices. */
  recordsWrong: number;
  /** Statistics that do not add up to deviceCount. */
  statisticsWrong: number;
  /** Twins whose desired $version says a patch was applied more than once, or a notification came twice. */
  twinDoubleApplied: number;
  /** Twin values a completed record promises that the twin lacks. */
  twinValuesMissing: number;
  /** A device called more than once by one job. */
  methodDuplicates: number;
  /** Records that say the outcome is unknown (called when the hub died). */
  outcomeUnknown: number;
  /** From each kill to the restarted hub's banner (ms). */
  recoverMs: number[];
  /** From the last restart's banner to the end of the last job to end (its endTime; ms). */
  settledMs: number | undefined;
  /** The first lines of what went wrong, for a failing test to show. */
  problems: string[];
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface JobPlan {
  jobId: string;
  kind: 'method' | 'twin';
  /** Scheduled this far ahead of its creation (ms); 0: at once. */
  delayMs: number;
}

/** What the devices saw: method calls per job and device, desired notifications per device and version. */
class DeviceLedger {
  readonly calls = new Map<string, number>();
  readonly desired = new Map<string, number>();

  called(jobId: string, deviceId: string): void {
    const key = `${jobId}/${deviceId}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  notified(deviceId: string, version: number): void {
    const key = `${deviceId}@${version}`;
    this.desired.set(key, (this.desired.get(key) ?? 0) + 1);
  }

  callsOf(jobId: string, deviceId: string): number {
    return this.calls.get(`${jobId}/${deviceId}`) ?? 0;
  }
}

const between = (random: () => number, [low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));

/** Every row of a query through the official SDK. */
async function queryAll<T>(registry: iothub.Registry, text: string): Promise<T[]> {
  const query = registry.createQuery(text, 1000);
  const rows: T[] = [];
  while (query.hasMoreResults) rows.push(...((await query.next(query.continuationToken)).result as T[]));
  return rows;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const dir = makeTempDir('iothub-chaos-');
  const figures: ChaosFigures = {
    devices: options.devices,
    jobs: options.jobs,
    kills: 0,
    lost: 0,
    stuck: 0,
    notCompleted: 0,
    recordsWrong: 0,
    statisticsWrong: 0,
    twinDoubleApplied: 0,
    twinValuesMissing: 0,
    methodDuplicates: 0,
    outcomeUnknown: 0,
    recoverMs: [],
    settledMs: undefined,
    problems: [],
  };
  const problem = (text: string) => {
    if (figures.problems.length < 20) figures.problems.push(text);
  };
  // Small batches, so that every job spans kills and batches are retried.
  const env = await allInOneEnv(dir.path, {
    HUB_JOB_TUNING: JSON.stringify({
      scheduleDeviceMethod: { batchSize: 25, deviceConcurrency: 10, batchConcurrency: 2 },
      scheduleUpdateTwin: { batchSize: 20, batchConcurrency: 1 },
    }),
  });
  let hub: StartedHub | undefined;
  let fleet: Fleet | undefined;
  const ledger = new DeviceLedger();
  try {
    hub = await HubProcess.start(env);
    const target = resolveHubTarget({ dataDir: dir.path }, {});
    const deviceIds = Array.from({ length: options.devices }, (_, i) => `chaos-${String(i).padStart(5, '0')}`);
    const identities = await ensureDevices(new HubClient(target), deviceIds);
    fleet = await connectFleet(
      { host: target.host, port: target.mqttsPort, ca: target.ca, servername: target.servername, hostName: target.connection.hostName },
      identities,
      {
        concurrency: 50,
        behaviour: {
          answer: (_method, payload, deviceId) => {
            const { jobId } = JSON.parse(payload.toString('utf8')) as { jobId: string };
            ledger.called(jobId, deviceId);
            return { status: 200, payload: Buffer.from(JSON.stringify({ jobId, deviceId })) };
          },
          answerDelayMs: () => between(random, options.answerDelayMs),
          onDesiredPatch: (deviceId, version) => ledger.notified(deviceId, version),
          reconnectAfterMs: 1000,
        },
      },
    );
    if (fleet.failed > 0) throw new Error(`${fleet.failed} devices could not connect`);
    log(`${options.devices} devices connected`);

    const address = { port: hub.banner.httpsPort!, ca: readFileSync(hub.banner.caFile, 'utf8') };
    const jobs = jobClientFor(hub.banner.connectionString, address);
    const plans: JobPlan[] = Array.from({ length: options.jobs }, (_, i) => ({
      jobId: `chaos-${options.seed}-${i}`,
      kind: i % 2 === 0 ? 'method' : 'twin',
      delayMs: i % 3 === 2 ? between(random, [1000, 5000]) : 0,
    }));
    for (const plan of plans) {
      const startTime = new Date(Date.now() + plan.delayMs);
      if (plan.kind === 'method') {
        await jobs.scheduleDeviceMethod(
          plan.jobId,
          "STARTSWITH(deviceId, 'chaos-')",
          { methodName: 'work', payload: { jobId: plan.jobId }, responseTimeoutInSeconds: 30 },
          startTime,
          3600,
        );
      } else {
        const twin = { etag: '*', properties: { desired: { [plan.jobId.replaceAll('-', '_')]: plan.jobId } } };
        await jobs.scheduleTwinUpdate(plan.jobId, "STARTSWITH(deviceId, 'chaos-')", twin, startTime, 3600);
      }
    }
    log(`${plans.length} jobs created`);

    let lastStartAt = Date.now();
    for (let kill = 0; kill < options.kills; kill++) {
      await new Promise((resolve) => setTimeout(resolve, between(random, options.killAfterMs)));
      const killedAt = Date.now();
      await hub.stop('SIGKILL');
      figures.kills += 1;
      hub = await HubProcess.start(env);
      lastStartAt = Date.now();
      figures.recoverMs.push(lastStartAt - killedAt);
      log(`kill ${kill + 1}: back in ${Date.now() - killedAt} ms`);
    }

    const settleBy = Date.now() + options.settleMs;
    const registry = registryFor(hub.banner.connectionString, address);
    for (const plan of plans) {
      let job;
      try {
        job = await jobEnded(jobs, plan.jobId, Math.max(1000, settleBy - Date.now()));
      } catch (err) {
        const notFound = /not ?found/i.test(String(err)) || (err as { responseBody?: string }).responseBody?.includes('NotFound');
        if (notFound) figures.lost += 1;
        else figures.stuck += 1;
        problem(`${plan.jobId}: ${notFound ? 'lost' : 'did not end'}: ${String(err).slice(0, 200)}`);
        continue;
      }
      const endedAfterStart = new Date(job.endTime).getTime() - lastStartAt;
      figures.settledMs = Math.max(figures.settledMs ?? endedAfterStart, endedAfterStart);
      log(`${plan.jobId} ${job.status} ${endedAfterStart} ms after the last start`);
      if (job.status !== 'completed') {
        figures.notCompleted += 1;
        problem(`${plan.jobId} ${job.status}: ${job.failureReason ?? ''}`);
      }
      const stats = job.deviceJobStatistics;
      if (stats.deviceCount !== options.devices || stats.succeededCount + stats.failedCount !== stats.deviceCount) {
        figures.statisticsWrong += 1;
        problem(`${plan.jobId} statistics ${JSON.stringify(stats)}`);
      }
      const records = await deviceJobRecords(registry, plan.jobId);
      const seen = new Set<string>();
      for (const record of records) {
        if (seen.has(record.deviceId)) {
          figures.recordsWrong += 1;
          problem(`${plan.jobId}/${record.deviceId}: two records`);
        }
        seen.add(record.deviceId);
        const calls = ledger.callsOf(plan.jobId, record.deviceId);
        if (calls > 1) {
          figures.methodDuplicates += 1;
          problem(`${plan.jobId}/${record.deviceId}: called ${calls} times`);
        }
        if (record.error?.code === OUTCOME_UNKNOWN.code) {
          figures.outcomeUnknown += 1;
          continue;
        }
        const wrong =
          !['completed', 'failed'].includes(record.status) ||
          (plan.kind === 'method' && record.status === 'completed' && calls === 0) ||
          (plan.kind === 'method' && record.status === 'failed' && calls > 0);
        if (wrong) {
          figures.recordsWrong += 1;
          problem(`${plan.jobId}/${record.deviceId}: record ${record.status} ${JSON.stringify(record.error ?? {})}, device called ${calls} times`);
        }
      }
      const missing = options.devices - seen.size;
      if (missing > 0) {
        figures.recordsWrong += missing;
        problem(`${plan.jobId}: ${missing} devices without a record`);
      }
    }

    const twinPlans = plans.filter((plan) => plan.kind === 'twin');
    const twins = await queryAll<{ deviceId: string; properties: { desired: Record<string, unknown> & { $version: number } } }>(
      registry,
      "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'chaos-')",
    );
    for (const twin of twins) {
      const { desired } = twin.properties;
      const present = twinPlans.filter((plan) => desired[plan.jobId.replaceAll('-', '_')] === plan.jobId).length;
      figures.twinValuesMissing += twinPlans.length - present;
      if (present < twinPlans.length) problem(`${twin.deviceId}: ${twinPlans.length - present} twin values missing`);
      // Each twin job's patch moves desired.$version once (from 1 at creation).
      if (desired.$version !== 1 + present) {
        figures.twinDoubleApplied += 1;
        problem(`${twin.deviceId}: desired $version ${desired.$version} after ${present} patches`);
      }
    }
    for (const [key, count] of ledger.desired) {
      if (count > 1) {
        figures.twinDoubleApplied += 1;
        problem(`${key}: desired patch notified ${count} times`);
      }
    }
    return figures;
  } finally {
    await fleet?.close();
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGINT');
    dir.remove();
  }
}

/** The figures as lines, for the bench and a failing test. */
export function chaosReport(figures: ChaosFigures): string {
  const recover = figures.recoverMs.length > 0 ? `${Math.min(...figures.recoverMs)}–${Math.max(...figures.recoverMs)} ms` : 'n/a';
  return [
    `devices ${figures.devices}, jobs ${figures.jobs}, kills ${figures.kills}`,
    `lost ${figures.lost}, stuck ${figures.stuck}, not completed ${figures.notCompleted}`,
    `records wrong ${figures.recordsWrong}, statistics wrong ${figures.statisticsWrong}`,
    `twin double-applied ${figures.twinDoubleApplied}, twin values missing ${figures.twinValuesMissing}`,
    `method duplicates ${figures.methodDuplicates}, outcome unknown (interrupted) ${figures.outcomeUnknown}`,
    `time to recover (kill → hub back) ${recover}`,
    `jobs all ended ${figures.settledMs ?? 'n/a'} ms after the last start`,
    ...figures.problems.map((line) => `  ${line}`),
  ].join('\n');
}
