// End to end on a running hub (gateway, jobs worker, temporal-lite; SQLite and PostgreSQL): a method
// job that waits for its offline devices, read with the official azure-iothub JobClient and
// Registry, while official azure-iot-device MQTT clients connect late. Each late device is called
// once, as soon as it connects; the job shows its waiting devices; cancel closes the one left.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import type iothub from 'azure-iothub';
import type { JobResponse } from '../../workflows/types.js';
import { eventually } from '../helpers/gateway-hub.js';
import { hubRequest } from '../helpers/hub-http.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { startJobsHub, type JobsTestHub } from './helpers/jobs-hub.js';

type DeviceJobRow = { deviceId: string; status: string; error?: { code: string }; outcome?: unknown };

const redisUrl = process.env.REDIS_URL;
const SETUPS = [
  ...STORE_VARIANTS.map((variant) => ({ name: variant.name, variant, skip: variant.skip, redis: undefined })),
  // The connect events through Redis, as in a cluster.
  {
    name: 'sqlite, connects through Redis',
    variant: STORE_VARIANTS[0]!,
    skip: redisUrl ? (false as const) : 'REDIS_URL not set: the Redis variant is skipped',
    redis: redisUrl ? { url: redisUrl, prefix: `iothub-test-${randomBytes(4).toString('hex')}:` } : undefined,
  },
];

for (const { name, variant, skip, redis } of SETUPS) {
  describe(`a job waiting for offline devices, through the official SDKs (${name})`, { skip }, () => {
    let hub: JobsTestHub;
    let jobs: iothub.JobClient;
    let registry: iothub.Registry;
    const calls = new Map<string, number>();
    const answerUpdates = (client: device.Client, deviceId: string) =>
      client.onDeviceMethod('update', (_request, response) => {
        calls.set(deviceId, (calls.get(deviceId) ?? 0) + 1);
        void response.send(200, { updated: deviceId });
      });
    const job = async (jobId: string) => (await jobs.getJob(jobId)).jobStatus as JobResponse;
    const rows = async (jobId: string): Promise<Map<string, DeviceJobRow>> => {
      const { result } = await registry.createQuery(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, 100).next();
      return new Map((result as DeviceJobRow[]).map((row) => [row.deviceId, row]));
    };

    before(async () => {
      hub = await startJobsHub({ variant, redis });
      jobs = jobClientFor(hub.hub.connectionString(), hub.address);
      registry = registryFor(hub.hub.connectionString(), hub.address);
      answerUpdates(await hub.openDevice('e2e-online'), 'e2e-online');
      for (const deviceId of ['e2e-late-1', 'e2e-late-2', 'e2e-never']) await hub.hub.store.createDevice({ deviceId });
    });
    after(() => hub?.dispose());

    it('calls each late device once when it connects, and cancel closes the one still waiting', async () => {
      const jobId = 'wait-e2e';
      // The SDK's scheduleDeviceMethod has no rollout settings: the job is created with the REST call it makes, plus `rollout`.
      const created = await hubRequest(hub.hub, {
        method: 'PUT',
        path: `/jobs/v2/${jobId}`,
        body: {
          jobId,
          type: 'scheduleDeviceMethod',
          queryCondition: "STARTSWITH(deviceId, 'e2e-')",
          cloudToDeviceMethod: { methodName: 'update', payload: { version: 2 }, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 },
          rollout: { waitForOfflineDevicesInSeconds: 3600 },
        },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));

      const waiting = await eventually(
        async () => {
          const seen = await job(jobId);
          return seen.waitingForDeviceCount === 3 && seen.deviceJobStatistics?.succeededCount === 1 ? seen : undefined;
        },
        'three devices waiting',
        30_000,
      );
      assert.equal(waiting.status, 'running');
      assert.deepEqual(waiting.deviceJobStatistics, { deviceCount: 4, failedCount: 0, succeededCount: 1, runningCount: 0, pendingCount: 3 });
      const scheduled = [...(await rows(jobId)).values()].filter((row) => row.status === 'scheduled').map((row) => row.deviceId);
      assert.deepEqual(scheduled.sort(), ['e2e-late-1', 'e2e-late-2', 'e2e-never']);

      for (const deviceId of ['e2e-late-1', 'e2e-late-2']) answerUpdates(await hub.openRegisteredDevice(deviceId), deviceId);
      const called = await eventually(
        async () => {
          const seen = await job(jobId);
          return seen.deviceJobStatistics?.succeededCount === 3 ? seen : undefined;
        },
        'the late devices called',
        30_000,
      );
      assert.equal(called.waitingForDeviceCount, 1);
      assert.equal(called.status, 'running');
      const afterCalls = await rows(jobId);
      for (const deviceId of ['e2e-late-1', 'e2e-late-2']) {
        assert.equal(afterCalls.get(deviceId)!.status, 'completed');
        assert.deepEqual(afterCalls.get(deviceId)!.outcome, { deviceMethodResponse: { status: 200, payload: { updated: deviceId } } });
        assert.equal(calls.get(deviceId), 1, `${deviceId} called once`);
      }
      assert.equal(afterCalls.get('e2e-never')!.status, 'scheduled');

      await jobs.cancelJob(jobId);
      const done = await eventually(
        async () => {
          const seen = await job(jobId);
          return seen.status === 'cancelled' && seen.endTime ? seen : undefined;
        },
        'the job cancelled',
        30_000,
      );
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 1, succeededCount: 3, runningCount: 0, pendingCount: 0 });
      assert.equal((await rows(jobId)).get('e2e-never')!.status, 'canceled');
      assert.equal(calls.get('e2e-online'), 1);
    });
  });
}
