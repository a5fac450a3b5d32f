// The rollout half of the job records on both stores: batch claims under tokens as lanes ask (the
// token finds the devices an earlier attempt left running), attempts, retries queued with their due
// time, failure types, counts per batch token, and how retrying records count and close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceJobRecord } from '../../src/registry/job-records.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

const T1 = '2030-01-01T00:00:00.0000000Z';
const T2 = '2030-01-01T00:00:10.0000000Z';
const T3 = '2030-01-01T00:01:00.0000000Z';
const JOB = 'rollout-store';

for (const variant of STORE_VARIANTS) {
  describe(`rollout job records in the HubStore (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;
    const record = async (deviceId: string) => {
      const page = await store.query(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${JOB}' AND devices.jobs.deviceId = '${deviceId}'`);
      return page.items[0] as DeviceJobRecord & { attempts?: number };
    };

    before(async () => {
      testStore = await openTestStore(variant);
      store = testStore.store;
      for (let i = 0; i < 6; i++) await store.createDevice({ deviceId: `r-${i}` });
      await store.snapshotJobDevices({ jobId: JOB, jobType: 'scheduleDeviceMethod', queryCondition: '*', createdTime: T1 }, 100);
    });
    after(() => testStore.dispose());

    it('claims a range under a token as lanes ask, counting attempts; the token tells the devices it left running', async () => {
      const first = await store.claimRolloutDevices(JOB, { token: 'b0', range: { from: 0, to: 4 } }, 3, T1);
      assert.deepEqual(
        first,
        ['r-0', 'r-1', 'r-2'].map((deviceId) => ({ deviceId, attempt: 1 })),
      );
      assert.equal((await record('r-0')).status, 'running');
      assert.equal((await record('r-0')).attempts, 1);
      assert.equal((await record('r-3')).status, 'pending', 'a record is claimed only when asked for');
      const rest = await store.claimRolloutDevices(JOB, { token: 'b0', range: { from: 0, to: 4 } }, 3, T1);
      assert.deepEqual(rest, [{ deviceId: 'r-3', attempt: 1 }], 'fewer than asked: the range has no pending record left');
      assert.deepEqual(await store.runningRolloutDevices(JOB, 'b0'), ['r-0', 'r-1', 'r-2', 'r-3']);
      assert.deepEqual(await store.runningRolloutDevices(JOB, 'b9'), []);
    });

    it('ends attempts: final with a failure type, or queued for a retry (pending in devices.jobs, the last outcome kept)', async () => {
      const written = await store.finishRolloutDevices(
        JOB,
        [
          { deviceId: 'r-0', status: 'completed', methodResponse: { status: 200, payload: null } },
          { deviceId: 'r-1', status: 'completed', methodResponse: { status: 500, payload: { e: 1 } }, failure: 'errorStatus' },
          { deviceId: 'r-2', status: 'failed', error: { code: 'DeviceNotOnline', description: 'offline' }, failure: 'offline', retryAt: T3 },
          { deviceId: 'r-3', status: 'failed', error: { code: 'GatewayTimeout', description: 'late' }, failure: 'timedOut', retryAt: T2 },
        ],
        T1,
      );
      assert.equal(written, 4);
      assert.deepEqual(await store.countRolloutBatch(JOB, 'b0'), {
        succeeded: 2,
        failed: 0,
        failures: { offline: 0, timedOut: 0, errorStatus: 1, other: 0 },
        retrying: 2,
      });
      const waiting = await record('r-2');
      assert.equal(waiting.status, 'pending');
      assert.deepEqual(waiting.error, { code: 'DeviceNotOnline', description: 'offline' });
      assert.equal(waiting.endTimeUtc, undefined);
      assert.deepEqual(await store.retryQueue(JOB), { waiting: 2, nextAt: T2 });
      const counts = await store.countDeviceJobs(JOB);
      assert.deepEqual(counts, { pending: 4, running: 0, completed: 2, failed: 0, canceled: 0 }, 'a device waiting for a retry counts as pending');
    });

    it('claims only the retries due, at most the batch limit under a token; the next attempt replaces the last outcome', async () => {
      assert.deepEqual(await store.claimRolloutDevices(JOB, { token: 'b1', dueBefore: T1, limit: 10 }, 5, T1), []);
      const due = await store.claimRolloutDevices(JOB, { token: 'b2', dueBefore: T3, limit: 1 }, 5, T2);
      assert.deepEqual(due, [{ deviceId: 'r-3', attempt: 2 }], 'the one due first');
      assert.deepEqual(
        await store.claimRolloutDevices(JOB, { token: 'b2', dueBefore: T3, limit: 1 }, 5, T2),
        [],
        'the limit counts what the token claimed before (a retried attempt takes no more)',
      );
      assert.deepEqual(await store.retryQueue(JOB), { waiting: 1, nextAt: T3 });
      await store.finishRolloutDevices(JOB, [{ deviceId: 'r-3', status: 'completed', methodResponse: { status: 200, payload: { ok: true } } }], T2);
      const done = await record('r-3');
      assert.equal(done.status, 'completed');
      assert.equal(done.attempts, 2);
      assert.equal(done.error, undefined, "the earlier attempt's error is gone");
      assert.deepEqual(done.outcome, { deviceMethodResponse: { status: 200, payload: { ok: true } } });
      assert.deepEqual(await store.countRolloutBatch(JOB, 'b2'), {
        succeeded: 1,
        failed: 0,
        failures: { offline: 0, timedOut: 0, errorStatus: 0, other: 0 },
        retrying: 0,
      });
      assert.equal((await store.countRolloutBatch(JOB, 'b0')).retrying, 1, 'a device counts in the batch that claimed it last');
    });

    it('closes devices waiting for a retry with the pending ones', async () => {
      const closed = await store.closeUnprocessedDeviceJobs(JOB, { pending: { status: 'canceled' } }, T3);
      assert.equal(closed, 3);
      assert.equal((await record('r-2')).status, 'canceled');
      assert.deepEqual(await store.retryQueue(JOB), { waiting: 0 });
    });
  });
}
