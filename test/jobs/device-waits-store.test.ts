// Records of method jobs waiting for their device (src/registry/device-waits.ts), on both stores:
// waiting and woken states, the wake by device id and by the store's connection state, claims,
// the end of a wait, counts, and the indexes a connect and a job look them up with.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceJobRecord } from '../../src/registry/job-records.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { jobRecords } from './helpers/records.js';

const T1 = '2030-01-01T00:00:00.0000000Z';
const T2 = '2030-01-01T00:00:01.0000000Z';
const UNTIL = '2030-01-02T00:00:00.0000000Z';
const LATER = '2030-01-03T00:00:00.0000000Z';
const OFFLINE = { code: 'DeviceNotOnline', description: 'The device did not connect within the wait' };
const INTERRUPTED = { code: 'ServerError', description: 'The worker calling this device stopped' };
const DEVICES = ['w-0', 'w-1', 'w-2', 'w-3'];
/** Finished waited devices by how they failed. */
const failures = (counts: Partial<Record<'offline' | 'timedOut' | 'errorStatus' | 'other', number>> = {}) => ({
  offline: 0,
  timedOut: 0,
  errorStatus: 0,
  other: 0,
  ...counts,
});

for (const variant of STORE_VARIANTS) {
  describe(`device waits in the HubStore (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;
    let connectedAt = Date.parse('2030-01-01T00:00:00Z');

    const startJob = async (jobId: string) => {
      await store.snapshotJobDevices(
        { jobId, jobType: 'scheduleDeviceMethod', queryCondition: "deviceId IN ['w-0', 'w-1', 'w-2', 'w-3']", createdTime: T1 },
        100,
      );
      return store.claimDeviceJobs(jobId, { from: 0, to: DEVICES.length }, T1, DEVICES.length);
    };
    const record = async (jobId: string, deviceId: string): Promise<DeviceJobRecord> => (await jobRecords(store, jobId)).get(deviceId)!;
    const connect = (deviceId: string, state: 'Connected' | 'Disconnected' = 'Connected') =>
      store.setConnectionState(deviceId, state, new Date((connectedAt += 1000)));

    before(async () => {
      testStore = await openTestStore(variant);
      store = testStore.store;
      for (const deviceId of DEVICES) await store.createDevice({ deviceId });
    });
    after(() => testStore.dispose());

    it('parks offline devices as scheduled until the wait ends, counted as pending and left out of their batch', async () => {
      await startJob('park');
      assert.deepEqual(await store.deviceWaits.waitForDevices('park', ['w-0', 'w-1'], UNTIL, T2, T1), { waiting: 2, woken: 0 });
      const parked = await record('park', 'w-0');
      assert.equal(parked.status, 'scheduled');
      assert.equal((parked as DeviceJobRecord & { waitForDeviceUntil?: string }).waitForDeviceUntil, UNTIL);
      assert.equal(parked.lastUpdatedDateTimeUtc, T2);
      assert.equal(parked.startTimeUtc, T1);
      assert.deepEqual(await store.countDeviceJobs('park'), { pending: 2, running: 2, completed: 0, failed: 0, canceled: 0 });
      assert.deepEqual(await store.countDeviceJobs('park', { from: 0, to: 4 }), { pending: 0, running: 2, completed: 0, failed: 0, canceled: 0 });
      assert.deepEqual(await store.deviceWaits.waitedDevices('park'), {
        waiting: 2,
        running: 0,
        succeeded: 0,
        failed: 0,
        failures: failures(),
        nextWaitEnd: UNTIL,
      });
      // Only records being called wait; a repeat changes nothing.
      assert.deepEqual(await store.deviceWaits.waitForDevices('park', ['w-0', 'w-1'], LATER, T2, T1), { waiting: 0, woken: 0 });
    });

    it('wakes the waiting records of a connected device in every job, once, and lets each job claim its own', async () => {
      await startJob('wake-a');
      await startJob('wake-b');
      await store.deviceWaits.waitForDevices('wake-a', ['w-2', 'w-3'], UNTIL, T2, T1);
      await store.deviceWaits.waitForDevices('wake-b', ['w-2'], UNTIL, T2, T1);
      assert.deepEqual((await store.deviceWaits.wakeWaitingDevices(['w-2', 'no-such'])).sort(), ['wake-a', 'wake-b']);
      assert.deepEqual(await store.deviceWaits.wakeWaitingDevices(['w-2']), [], 'woken already');
      assert.equal((await record('wake-a', 'w-2')).status, 'scheduled', 'a woken record still reads scheduled until it is called');
      assert.deepEqual(await store.deviceWaits.waitedDevices('wake-a'), {
        waiting: 2,
        running: 0,
        succeeded: 0,
        failed: 0,
        failures: failures(),
        nextWaitEnd: UNTIL,
      });

      assert.deepEqual(await store.deviceWaits.claimWokenDevices('wake-a', 10, T2), ['w-2']);
      assert.deepEqual(await store.deviceWaits.claimWokenDevices('wake-a', 10, T2), [], 'claimed once');
      assert.equal((await record('wake-a', 'w-2')).status, 'running');
      await store.finishDeviceJobs('wake-a', [{ deviceId: 'w-2', status: 'completed', methodResponse: { status: 200, payload: null } }], T2);
      assert.deepEqual(await store.deviceWaits.waitedDevices('wake-a'), {
        waiting: 1,
        running: 0,
        succeeded: 1,
        failed: 0,
        failures: failures(),
        nextWaitEnd: UNTIL,
      });
      // A device called after it connected fails as its answer says: no answer in time is timedOut.
      assert.deepEqual(await store.deviceWaits.wakeWaitingDevices(['w-3']), ['wake-a']);
      assert.deepEqual(await store.deviceWaits.claimWokenDevices('wake-a', 10, T2), ['w-3']);
      await store.finishDeviceJobs('wake-a', [{ deviceId: 'w-3', status: 'failed', error: { code: 'GatewayTimeout', description: 'No answer' } }], T2);
      assert.deepEqual(await store.deviceWaits.waitedDevices('wake-a'), {
        waiting: 0,
        running: 0,
        succeeded: 1,
        failed: 1,
        failures: failures({ timedOut: 1 }),
      });
      assert.deepEqual(await store.deviceWaits.claimWokenDevices('wake-b', 10, T2), ['w-2']);
      // Its worker died while calling it: it fails, uncalled again.
      assert.equal(await store.deviceWaits.endInterruptedCalls('wake-b', INTERRUPTED, T2), 1);
      assert.deepEqual(await store.deviceWaits.waitedDevices('wake-b'), { waiting: 0, running: 0, succeeded: 0, failed: 1, failures: failures({ other: 1 }) });
      assert.equal((await record('wake-b', 'w-2')).status, 'failed');
      assert.equal(await store.deviceWaits.endInterruptedCalls('wake-b', INTERRUPTED, T2), 0);
    });

    it('wakes at once a device that connected before its record waited, and on a sweep those connected meanwhile', async () => {
      await startJob('early');
      await connect('w-0');
      assert.deepEqual(await store.deviceWaits.waitForDevices('early', ['w-0', 'w-1'], UNTIL, T2, T1), { waiting: 1, woken: 1 });
      assert.deepEqual(await store.deviceWaits.claimWokenDevices('early', 10, T2), ['w-0']);
      // It answered with a status outside 200–299: completed, and errorStatus to the abort criteria.
      await store.finishDeviceJobs('early', [{ deviceId: 'w-0', status: 'completed', methodResponse: { status: 500, payload: null } }], T2);
      assert.deepEqual(await store.deviceWaits.waitedDevices('early'), {
        waiting: 1,
        running: 0,
        succeeded: 1,
        failed: 0,
        failures: failures({ errorStatus: 1 }),
        nextWaitEnd: UNTIL,
      });
      await connect('w-1');
      assert.deepEqual(await store.deviceWaits.wakeConnectedDevices('early'), ['early']);
      assert.deepEqual(await store.deviceWaits.wakeConnectedDevices('early'), []);
      // A device called again after it connected, and found offline again, waits for its first end.
      assert.deepEqual(await store.deviceWaits.claimWokenDevices('early', 10, T2), ['w-1']);
      await connect('w-1', 'Disconnected');
      await connect('w-0', 'Disconnected');
      assert.deepEqual(await store.deviceWaits.waitForDevices('early', ['w-1'], LATER, T2, T1), { waiting: 1, woken: 0 });
      assert.equal(((await record('early', 'w-1')) as DeviceJobRecord & { waitForDeviceUntil?: string }).waitForDeviceUntil, UNTIL);
    });

    it('takes a Connected state older than the calls for stale, not for a connect', async () => {
      await startJob('stale');
      await connect('w-2');
      const afterConnect = new Date(connectedAt + 1).toISOString().replace('Z', '0000Z');
      assert.deepEqual(await store.deviceWaits.waitForDevices('stale', ['w-2'], UNTIL, T2, afterConnect), { waiting: 1, woken: 0 });
      await connect('w-2', 'Disconnected');
    });

    it('the sweep of every job finds the connected devices of all of them', async () => {
      await startJob('sweep-a');
      await startJob('sweep-b');
      await store.deviceWaits.waitForDevices('sweep-a', ['w-3'], UNTIL, T2, T1);
      await store.deviceWaits.waitForDevices('sweep-b', ['w-3'], UNTIL, T2, T1);
      await connect('w-3');
      assert.deepEqual((await store.deviceWaits.wakeConnectedDevices()).filter((job) => job.startsWith('sweep-')).sort(), ['sweep-a', 'sweep-b']);
      await connect('w-3', 'Disconnected');
    });

    it('ends the waits that ran out as failed, and a stopped job closes the rest', async () => {
      await startJob('ends');
      await store.deviceWaits.waitForDevices('ends', ['w-0'], UNTIL, T2, T1);
      await store.deviceWaits.waitForDevices('ends', ['w-1'], LATER, T2, T1);
      assert.equal(await store.deviceWaits.endWaits('ends', UNTIL, OFFLINE, UNTIL), 1);
      const ended = await record('ends', 'w-0');
      assert.equal(ended.status, 'failed');
      assert.deepEqual(ended.error, OFFLINE);
      assert.equal(ended.endTimeUtc, UNTIL);
      assert.deepEqual(await store.deviceWaits.waitedDevices('ends'), {
        waiting: 1,
        running: 0,
        succeeded: 0,
        failed: 1,
        failures: failures({ offline: 1 }),
        nextWaitEnd: LATER,
      });
      const closed = await store.closeUnprocessedDeviceJobs('ends', { pending: { status: 'canceled' } }, LATER);
      assert.equal(closed, 3, 'the waiting record and the two still running');
      assert.equal((await record('ends', 'w-1')).status, 'canceled');
      // The canceled record failed no way of its own.
      assert.deepEqual(await store.deviceWaits.waitedDevices('ends'), { waiting: 0, running: 0, succeeded: 0, failed: 2, failures: failures({ offline: 1 }) });
    });

    if (variant.name === 'sqlite') {
      it("finds a connect's waiting records and a job's through their partial indexes", async () => {
        const plan = async (sql: string, params: unknown[]) =>
          (await store.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => row.detail).join('\n');
        const byDevice = await plan(`SELECT job_id FROM device_jobs WHERE device_id IN (SELECT value FROM json_each($1)) AND status = 'waiting'`, ['["w-0"]']);
        assert.match(byDevice, /device_jobs_waiting_by_device/);
        const byJob = await plan(`SELECT device_id FROM device_jobs WHERE job_id = $1 AND status = 'woken' AND wait_until IS NOT NULL`, ['ends']);
        assert.match(byJob, /device_jobs_waited_by_job/);
      });
    }
  });
}
