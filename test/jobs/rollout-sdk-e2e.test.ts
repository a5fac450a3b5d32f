// A rollout job end to end on a running hub with the official SDKs: azure-iot-device clients that
// answer, fail once, never answer, or stay offline; per-device retries with real backoff; the job's
// counts and each devices.jobs record (attempts, last outcome) read with the official Registry; and
// an SDK-created job whose JSON shows none of the rollout fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import type { JobResponse } from '../../workflows/types.js';
import { eventually } from '../helpers/gateway-hub.js';
import { hubRequest } from '../helpers/hub-http.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { startJobsHub, type JobsTestHub } from './helpers/jobs-hub.js';

interface DeviceJobRow {
  deviceId: string;
  status: string;
  attempts?: number;
  outcome?: { deviceMethodResponse: { status: number; payload: unknown } };
  error?: { code: string };
}

for (const variant of STORE_VARIANTS) {
  describe(`rollout jobs through the official SDKs (${variant.name})`, { skip: variant.skip }, () => {
    let hub: JobsTestHub;
    let jobs: iothub.JobClient;
    let registry: iothub.Registry;
    const calls = new Map<string, number>();

    const finished = (jobId: string) =>
      eventually(
        async () => {
          const { jobStatus } = await jobs.getJob(jobId);
          return ['completed', 'failed', 'cancelled'].includes(jobStatus.status) ? (jobStatus as JobResponse) : undefined;
        },
        `job ${jobId} to finish`,
        60_000,
      );

    before(async () => {
      hub = await startJobsHub({ variant });
      jobs = jobClientFor(hub.hub.connectionString(), hub.address);
      registry = registryFor(hub.hub.connectionString(), hub.address);
      for (const deviceId of ['rs-ok', 'rs-flaky', 'rs-mute']) {
        const client = await hub.openDevice(deviceId);
        client.onDeviceMethod('upgrade', (_request, response) => {
          const n = (calls.get(deviceId) ?? 0) + 1;
          calls.set(deviceId, n);
          if (deviceId === 'rs-mute') return; // never answers: the call times out
          void response.send(deviceId === 'rs-flaky' && n === 1 ? 503 : 200, { n });
        });
      }
      await hub.hub.store.createDevice({ deviceId: 'rs-off' });
    });
    after(() => hub?.dispose());

    it('retries what failed transiently, counts devices, and records attempts and the last outcome', async () => {
      const body = {
        type: 'scheduleDeviceMethod',
        queryCondition: "STARTSWITH(deviceId, 'rs-')",
        cloudToDeviceMethod: { methodName: 'upgrade', payload: { to: '4.2' }, responseTimeoutInSeconds: 5 },
        rollout: {
          maxDevicesPerMinute: 600,
          retry: {
            criteria: [
              { failureType: 'errorStatus', numberOfRetries: 2 },
              { failureType: 'timedOut', numberOfRetries: 1 },
            ],
            backoff: { initialIntervalInSeconds: 1, backoffCoefficient: 2, maximumIntervalInSeconds: 4 },
          },
        },
      };
      const created = await hubRequest(hub.hub, { method: 'PUT', path: '/jobs/v2/rollout-sdk', body });
      assert.equal(created.status, 200, created.text);
      const done = await finished('rollout-sdk');
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 2, succeededCount: 2, runningCount: 0, pendingCount: 0 });
      assert.equal(done.waitingForRetryCount, 0);
      assert.deepEqual(Object.fromEntries(calls), { 'rs-ok': 1, 'rs-flaky': 2, 'rs-mute': 2 });

      const query = registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'rollout-sdk'", 10);
      const rows = new Map(((await query.next()).result as DeviceJobRow[]).map((row) => [row.deviceId, row]));
      assert.equal(rows.get('rs-ok')?.attempts, 1);
      assert.equal(rows.get('rs-flaky')?.status, 'completed');
      assert.equal(rows.get('rs-flaky')?.attempts, 2);
      assert.deepEqual(rows.get('rs-flaky')?.outcome, { deviceMethodResponse: { status: 200, payload: { n: 2 } } });
      assert.equal(rows.get('rs-mute')?.status, 'failed');
      assert.equal(rows.get('rs-mute')?.attempts, 2);
      assert.equal(rows.get('rs-mute')?.error?.code, 'GatewayTimeout');
      assert.equal(rows.get('rs-off')?.status, 'failed', 'offline is not retried here');
      assert.equal(rows.get('rs-off')?.attempts, 1);
      assert.equal(rows.get('rs-off')?.error?.code, 'DeviceNotOnline');
    });

    it('an SDK-created job shows none of the rollout fields', async () => {
      await jobs.scheduleDeviceMethod('plain-sdk', "deviceId = 'rs-ok'", { methodName: 'upgrade', payload: null, responseTimeoutInSeconds: 5 });
      const done = await finished('plain-sdk');
      assert.equal(done.status, 'completed');
      for (const field of ['rollout', 'paused', 'currentRatePerMinute', 'waitingForRetryCount', 'waitingForDeviceCount'])
        assert.equal(field in done, false, field);
    });
  });
}
