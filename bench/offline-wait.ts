/**
 * bench:jobs (f): a method job that waits for its offline devices (rollout.waitForOfflineDevicesInSeconds).
 * `waiting` registered devices, all offline, wait; then `connecting` of them connect at once (from
 * the device process). Prints the time from the start of the connect storm to the last of them
 * answering the job's method (as the devices saw it, and with their records written), the longest
 * time a device waited from its own connect to its call, the CPU time per connecting device of this
 * process and of the device process, the RSS of this process (hub, worker, temporal-lite) with every
 * device waiting against before the job, and the largest event count of the job's workflow runs.
 */
import type { Client } from '@temporalio/client';
import type { JobsService } from '../src/jobs/service.js';
import type { SqlHubStore } from '../src/registry/sql/sql-hub-store.js';
import type { JobResponse } from '../workflows/types.js';
import type { DeviceProcess } from './method-round-trips.js';
import { registerDevices } from './register-devices.js';

export interface OfflineWaitBenchHub {
  store: SqlHubStore;
  service: JobsService;
  client: Client;
  fleet: { port: number; ca: string; hostName: string };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const quantile = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function offlineWaitBench(
  hub: OfflineWaitBenchHub,
  devices: DeviceProcess,
  { waiting, connecting }: { waiting: number; connecting: number },
): Promise<void> {
  console.log(
    `\n(f) a method job waiting for ${waiting.toLocaleString('en-US')} offline devices; ${connecting.toLocaleString('en-US')} of them connect at once`,
  );
  const identities = await registerDevices(hub.store, 'w-', waiting);
  global.gc?.();
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  const jobId = 'bench-offline-wait';
  const started = performance.now();
  await hub.service.create(jobId, {
    jobId,
    type: 'scheduleDeviceMethod',
    queryCondition: "STARTSWITH(deviceId, 'w-')",
    cloudToDeviceMethod: { methodName: 'bench', payload: { n: 1 }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0 },
    maxExecutionTimeInSeconds: 24 * 3600,
    rollout: { waitForOfflineDevicesInSeconds: 12 * 3600 },
  });
  await until(
    async () =>
      (await hub.store.countDeviceJobs(jobId)).pending === waiting && (await hub.store.deviceWaits.waitedDevices(jobId)).waiting === waiting ? true : undefined,
    'every device to wait',
    30 * 60_000,
  );
  const parkedMs = performance.now() - started;
  const shown = await until(
    async () => {
      const job = await hub.service.get(jobId);
      return job.waitingForDeviceCount === waiting ? job : undefined;
    },
    'the job to show them waiting',
    5 * 60_000,
  );
  global.gc?.();
  const memoryWaiting = process.memoryUsage();
  const rssWaiting = memoryWaiting.rss;
  console.log(
    `  ${waiting.toLocaleString('en-US')} devices found offline and waiting after ${seconds(parkedMs)}; job ${shown.status}, waitingForDeviceCount ${shown.waitingForDeviceCount}`,
  );
  console.log(`  RSS with them waiting: ${mb(rssWaiting)} (before the job: ${mb(rssBefore)}; +${mb(rssWaiting - rssBefore)})`);
  console.log(
    `  of which V8 heap used ${mb(memoryWaiting.heapUsed)} (before: ${mb(before.heapUsed)}), heap reserved ${mb(memoryWaiting.heapTotal)} (before: ${mb(before.heapTotal)}), external ${mb(memoryWaiting.external)} (before: ${mb(before.external)})${global.gc ? ', after a GC' : ' (no GC: run with --expose-gc to collect first)'}`,
  );

  const peakBeforeStorm = process.resourceUsage().maxRSS * 1024;
  let stormPeakRss = process.memoryUsage.rss();
  const rssSampler = setInterval(() => (stormPeakRss = Math.max(stormPeakRss, process.memoryUsage.rss())), 50);
  const storm = performance.now();
  const hubCpu = process.cpuUsage();
  const connected = await devices.connectMeasured('late', { ...hub.fleet, devices: identities.slice(0, connecting), connectConcurrency: 200, timeCalls: true });
  const connectedAt = performance.now();
  await until(
    async () => ((await hub.store.deviceWaits.waitedDevices(jobId)).succeeded === connecting ? true : undefined),
    'the connected devices to be called',
    10 * 60_000,
  );
  const calledMs = performance.now() - storm;
  clearInterval(rssSampler);
  const { user, system } = process.cpuUsage(hubCpu);
  const { connectedMs, calledMs: deviceCalledMs } = await devices.timing('late');
  const callTimes = Object.values(deviceCalledMs);
  const connectToCall = Object.entries(deviceCalledMs).map(([deviceId, at]) => at - connectedMs[deviceId]!);
  const perDevice = (micros: number) => `${(micros / connecting / 1000).toFixed(2)} ms`;
  console.log(
    `  ${connecting.toLocaleString('en-US')} devices connected in ${seconds(connected.ms)} (${(connecting / (connected.ms / 1000)).toFixed(0)} connections/s, 200 at a time); the last one's call recorded ${seconds(calledMs)} after the storm began, ${seconds(performance.now() - connectedAt)} after the last connect (records are written about every second)`,
  );
  console.log(
    `  as the devices saw it: storm start → last call ${seconds(Math.max(...callTimes))} (target < 10 s); a device's connect → its call: max ${seconds(Math.max(...connectToCall))}, p99 ${seconds(quantile(connectToCall, 0.99))}, p50 ${seconds(quantile(connectToCall, 0.5))}; ${callTimes.length} of ${connecting} called`,
  );
  console.log(
    `  CPU per connecting device until the last record: this process (hub, worker, temporal-lite) ${perDevice(user + system)}; device process ${perDevice(connected.cpuMicros)} while connecting`,
  );
  console.log(
    `  RSS of this process during the storm: peak ${mb(stormPeakRss)} (sampled every 50 ms); peak of the run before the storm ${mb(peakBeforeStorm)}`,
  );

  await hub.service.cancel(jobId);
  const done = (await hub.client.workflow.getHandle(jobId).result()) as JobResponse;
  let largest = { events: 0, workflowId: '' };
  let runs = 0;
  for await (const execution of hub.client.workflow.list({ query: `WorkflowId = '${jobId}' OR WorkflowId STARTS_WITH '${jobId}/'` })) {
    const events = (await hub.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()).events?.length ?? 0;
    runs += 1;
    if (events > largest.events) largest = { events, workflowId: execution.workflowId };
  }
  const stats = done.deviceJobStatistics!;
  console.log(
    `  job ${done.status} (cancelled to end it): ${stats.succeededCount} succeeded, ${stats.failedCount} failed; ${runs} workflow runs, largest history ${largest.events} events (${largest.workflowId}; target < 10,000)`,
  );
  await devices.disconnect('late');
}
