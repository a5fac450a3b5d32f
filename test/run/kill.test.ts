import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { deviceJobRecords, simulate } from './helpers/fleet.js';
import { allInOneEnv, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { jobEnded, pollUntil } from './helpers/poll.js';

const DEVICES = 16;
const FINAL_DEVICE_STATUSES = new Set(['completed', 'failed', 'canceled']);

describe('SIGKILL of the all-in-one hub in the middle of a method job', () => {
  const dir = makeTempDir('iothub-kill-');
  after(() => dir.remove());

  it('after a restart the job completes, every device is final, none is listed twice', async () => {
    // Batches of 4 devices one after another, each device answering after 1 s: the job runs for seconds.
    const env = await allInOneEnv(dir.path, { HUB_JOB_TUNING: '{"scheduleDeviceMethod":{"batchSize":4,"batchConcurrency":1}}' });
    const first = await HubProcess.start(env);
    let second: StartedHub | undefined;
    const fleet = await simulate(dir.path, ['--devices', String(DEVICES), '--delay-ms', '1000']);
    try {
      const address = { port: first.banner.httpsPort!, ca: readFileSync(first.banner.caFile, 'utf8') };
      const jobs = jobClientFor(first.banner.connectionString, address);
      await jobs.scheduleDeviceMethod('killed-1', "STARTSWITH(deviceId, 'sim-')", { methodName: 'work', payload: { n: 1 }, responseTimeoutInSeconds: 30 });
      const before = await pollUntil(
        async () => {
          const { jobStatus } = await jobs.getJob('killed-1');
          return jobStatus.status === 'running' && jobStatus.deviceJobStatistics?.succeededCount >= 4 ? jobStatus : undefined;
        },
        'the first batch to finish',
        30_000,
        100,
      );
      assert.ok(before.deviceJobStatistics.succeededCount < DEVICES, 'killed while running');

      assert.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
      second = await HubProcess.start(env);
      const resumed = jobClientFor(second.banner.connectionString, { ...address, port: second.banner.httpsPort! });
      // A batch in flight at the kill is retried after its activity's heartbeat timeout (30 s).
      const job = await jobEnded(resumed, 'killed-1', 120_000);
      assert.equal(job.status, 'completed', JSON.stringify(job));
      const stats = job.deviceJobStatistics;
      assert.equal(stats.deviceCount, DEVICES);
      assert.equal(stats.succeededCount + stats.failedCount, DEVICES, JSON.stringify(stats));
      assert.ok(stats.succeededCount >= before.deviceJobStatistics.succeededCount, JSON.stringify(stats));

      const rows = await deviceJobRecords(registryFor(second.banner.connectionString, { ...address, port: second.banner.httpsPort! }), 'killed-1');
      assert.equal(rows.length, DEVICES);
      assert.equal(new Set(rows.map((row) => row.deviceId)).size, DEVICES, 'no device twice');
      for (const row of rows) assert.ok(FINAL_DEVICE_STATUSES.has(row.status), `${row.deviceId} is ${row.status}`);
      assert.equal(rows.filter((row) => row.status === 'completed').length, stats.succeededCount);

      fleet.child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => fleet.child.once('exit', resolve));
      assert.equal(code, 0, fleet.output());
      assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null }, second.output);
    } finally {
      if (fleet.child.exitCode === null) fleet.child.kill('SIGKILL');
      for (const hub of [first, second]) if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    }
  });
});
