// SIGKILL of the all-in-one hub while a method job waits for offline devices: after the restart the
// devices still wait (durably, in the store), and those that connect are called once each (one
// attempt after the first); the job is then cancelled and closes the one left.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import type { JobResponse } from '../../workflows/types.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, putJobWithSdk, registryFor } from '../helpers/service-sdk.js';
import { allInOneEnv, HubProcess, ROOT, type StartedHub } from './helpers/hub-process.js';
import { pollUntil } from './helpers/poll.js';

type Row = { deviceId: string; status: string; attempts?: number };

/** `iothub-jobs simulate` of the late devices (late-0001…); resolves once they are connected. */
async function connectLate(dataDir: string, count: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`${ROOT}bin/iothub-jobs.js`, 'simulate', '--data-dir', dataDir, '--prefix', 'late-', '--devices', String(count)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await pollUntil(
    async () => (/devices connected/.test(output) ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined),
    'the late devices to connect',
    60_000,
    50,
  );
  return child;
}

async function rows(registry: iothub.Registry, jobId: string): Promise<Map<string, Row>> {
  const { result } = await registry.createQuery(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, 100).next();
  return new Map((result as Row[]).map((row) => [row.deviceId, row]));
}

describe('SIGKILL of the all-in-one hub while devices wait for their device', () => {
  const dir = makeTempDir('iothub-wait-kill-');
  after(() => dir.remove());

  it('after a restart the devices still wait, and those that connect are called once', async () => {
    const env = await allInOneEnv(dir.path);
    const first = await HubProcess.start(env);
    let second: StartedHub | undefined;
    let fleet: ChildProcess | undefined;
    try {
      const address = { port: first.banner.httpsPort!, ca: readFileSync(first.banner.caFile, 'utf8') };
      const registry = registryFor(first.banner.connectionString, address);
      for (let i = 1; i <= 3; i++) await registry.create({ deviceId: `late-000${i}` });
      const jobs = jobClientFor(first.banner.connectionString, address);
      await putJobWithSdk(jobs, {
        jobId: 'wait-kill',
        type: 'scheduleDeviceMethod',
        queryCondition: "STARTSWITH(deviceId, 'late-')",
        cloudToDeviceMethod: { methodName: 'update', payload: {}, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 },
        rollout: { waitForOfflineDevicesInSeconds: 3600 },
      });
      const waiting = (jobClient: iothub.JobClient) =>
        pollUntil(
          async () => {
            const job = (await jobClient.getJob('wait-kill')).jobStatus as JobResponse;
            return job.waitingForDeviceCount === 3 ? job : undefined;
          },
          'three devices waiting',
          60_000,
        );
      await waiting(jobs);

      assert.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
      second = await HubProcess.start(env);
      const restarted = { ...address, port: second.banner.httpsPort! };
      const resumedJobs = jobClientFor(second.banner.connectionString, restarted);
      const resumedRegistry = registryFor(second.banner.connectionString, restarted);
      assert.equal((await waiting(resumedJobs)).status, 'running', 'still waiting after the restart');

      fleet = await connectLate(dir.path, 2);
      const called = await pollUntil(
        async () => {
          const job = (await resumedJobs.getJob('wait-kill')).jobStatus as JobResponse;
          return job.deviceJobStatistics?.succeededCount === 2 ? job : undefined;
        },
        'the two devices that connected to be called',
        60_000,
      );
      assert.equal(called.waitingForDeviceCount, 1);
      const records = await rows(resumedRegistry, 'wait-kill');
      for (const deviceId of ['late-0001', 'late-0002']) {
        assert.equal(records.get(deviceId)!.status, 'completed');
        assert.equal(records.get(deviceId)!.attempts, 2, `${deviceId}: found offline once, called once when it connected`);
      }
      assert.equal(records.get('late-0003')!.status, 'scheduled');

      await resumedJobs.cancelJob('wait-kill');
      const done = await pollUntil(
        async () => {
          const job = (await resumedJobs.getJob('wait-kill')).jobStatus as JobResponse;
          return job.status === 'cancelled' && job.endTime ? job : undefined;
        },
        'the job cancelled',
        60_000,
      );
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 3, failedCount: 1, succeededCount: 2, runningCount: 0, pendingCount: 0 });
      assert.equal((await rows(resumedRegistry, 'wait-kill')).get('late-0003')!.status, 'canceled');

      fleet.kill('SIGINT');
      await new Promise((resolve) => fleet!.once('exit', resolve));
      assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null }, second.output);
    } finally {
      if (fleet && fleet.exitCode === null) fleet.kill('SIGKILL');
      for (const hub of [first, second]) if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    }
  });
});
