import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceJobRecord } from '../../src/registry/job-records.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

const T1 = '2030-01-01T00:00:00.0000000Z';
const T2 = '2030-01-01T00:00:01.0000000Z';
const T3 = '2030-01-01T00:00:02.0000000Z';

for (const variant of STORE_VARIANTS) {
  describe(`job records in the HubStore (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;

    const records = async (jobId: string): Promise<DeviceJobRecord[]> => {
      const all: DeviceJobRecord[] = [];
      let continuation: string | undefined;
      do {
        const page = await store.query(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, { pageSize: 1000, continuation });
        all.push(...(page.items as DeviceJobRecord[]));
        continuation = page.continuation;
      } while (continuation);
      return all;
    };
    const seqs = async (jobId: string) =>
      (await store.db.query<{ device_id: string; seq: number }>('SELECT device_id, seq FROM device_jobs WHERE job_id = $1 ORDER BY seq', [jobId])).map(
        (row) => [row.device_id, Number(row.seq)],
      );
    const snapshotAll = async (
      jobId: string,
      queryCondition: string,
      limit: number,
      jobType: 'scheduleDeviceMethod' | 'scheduleUpdateTwin' = 'scheduleDeviceMethod',
    ) => {
      const calls: Array<{ added: number; total: number }> = [];
      for (;;) {
        const result = await store.snapshotJobDevices({ jobId, jobType, queryCondition, createdTime: T1 }, limit);
        calls.push(result);
        if (result.added < limit) return calls;
      }
    };

    before(async () => {
      testStore = await openTestStore(variant);
      store = testStore.store;
      for (let i = 0; i < 10; i++) {
        const deviceId = `d-${String(i).padStart(2, '0')}`;
        await store.createDevice({ deviceId });
        await store.updateTwin(deviceId, { tags: { kind: i % 2 === 0 ? 'even' : 'odd', i } }, { mode: 'patch' });
      }
    });
    after(() => testStore.dispose());

    it('snapshots the matching devices in id order, in chunks, numbered 0…N-1, and resumes where it stopped', async () => {
      const calls = await snapshotAll('snap', "tags.kind = 'even'", 2);
      assert.deepEqual(calls, [
        { added: 2, total: 2 },
        { added: 2, total: 4 },
        { added: 1, total: 5 },
      ]);
      assert.deepEqual(await seqs('snap'), [
        ['d-00', 0],
        ['d-02', 1],
        ['d-04', 2],
        ['d-06', 3],
        ['d-08', 4],
      ]);
      // Repeating (a retried activity) adds nothing.
      assert.deepEqual(
        await store.snapshotJobDevices({ jobId: 'snap', jobType: 'scheduleDeviceMethod', queryCondition: "tags.kind = 'even'", createdTime: T1 }, 2),
        {
          added: 0,
          total: 5,
        },
      );
      const [first] = await records('snap');
      assert.deepEqual(first, {
        deviceId: 'd-00',
        jobId: 'snap',
        jobType: 'scheduleDeviceMethod',
        status: 'pending',
        createdDateTimeUtc: T1,
        lastUpdatedDateTimeUtc: T1,
      });
    });

    it('a job reusing an id the store still holds (Temporal forgot the earlier job) starts from a clean slate', async () => {
      await snapshotAll('reused', "tags.kind = 'odd'", 100);
      await store.finishDeviceJobs('reused', [{ deviceId: 'd-01', status: 'completed', methodResponse: { status: 200, payload: null } }], T2);
      await store.saveFinishedJob('reused', { jobId: 'reused', status: 'completed' }, T2);
      const again = await store.snapshotJobDevices(
        { jobId: 'reused', jobType: 'scheduleUpdateTwin', queryCondition: "tags.kind = 'even'", createdTime: T3 },
        100,
      );
      assert.deepEqual(again, { added: 5, total: 5 });
      const rows = await records('reused');
      assert.deepEqual(
        rows.map((row) => [row.deviceId, row.status, row.jobType, row.createdDateTimeUtc]),
        ['d-00', 'd-02', 'd-04', 'd-06', 'd-08'].map((d) => [d, 'pending', 'scheduleUpdateTwin', T3]),
      );
      assert.equal(await store.getFinishedJob('reused'), undefined);
    });

    it('snapshots every device for *, and none for module targets', async () => {
      assert.equal((await snapshotAll('all', '*', 1000)).at(-1)!.total, 10);
      assert.equal((await snapshotAll('modules', "FROM devices.modules WHERE moduleId = 'm'", 1000)).at(-1)!.total, 0);
    });

    it('claims the first pending records of a range once, writes outcomes once', async () => {
      await snapshotAll('m1', '*', 100);
      const first = await store.claimDeviceJobs('m1', { from: 0, to: 4 }, T2, 3);
      assert.deepEqual(
        first,
        [0, 1, 2].map((seq) => ({ deviceId: `d-0${seq}`, seq })),
      );
      const again = await store.claimDeviceJobs('m1', { from: 0, to: 4 }, T2, 3);
      assert.deepEqual(again, [{ deviceId: 'd-03', seq: 3 }], 'only the pending record left in the range');
      assert.deepEqual(await store.claimDeviceJobs('m1', { from: 0, to: 4 }, T2, 3), []);

      const outcomes = [
        { deviceId: 'd-00', status: 'completed', methodResponse: { status: 404, payload: { why: 'no' } } },
        { deviceId: 'd-01', status: 'failed', error: { code: 'DeviceNotOnline', description: 'offline' } },
      ] as const;
      assert.equal(await store.finishDeviceJobs('m1', outcomes, T3), 2);
      assert.equal(await store.finishDeviceJobs('m1', outcomes, T3), 0, 'final records are not written again');
      const byId = new Map((await records('m1')).map((r) => [r.deviceId, r]));
      assert.deepEqual(byId.get('d-00'), {
        deviceId: 'd-00',
        jobId: 'm1',
        jobType: 'scheduleDeviceMethod',
        status: 'completed',
        createdDateTimeUtc: T1,
        lastUpdatedDateTimeUtc: T3,
        startTimeUtc: T2,
        endTimeUtc: T3,
        outcome: { deviceMethodResponse: { status: 404, payload: { why: 'no' } } },
      });
      assert.deepEqual(byId.get('d-01')?.error, { code: 'DeviceNotOnline', description: 'offline' });
      assert.equal(byId.get('d-01')?.outcome, undefined);
      assert.deepEqual(await store.countDeviceJobs('m1'), { pending: 6, running: 2, completed: 1, failed: 1, canceled: 0 });
      assert.deepEqual(await store.countDeviceJobs('m1', { from: 0, to: 2 }), { pending: 0, running: 0, completed: 1, failed: 1, canceled: 0 });

      assert.equal(await store.closeUnprocessedDeviceJobs('m1', { pending: { status: 'canceled' } }, T3), 8);
      assert.deepEqual(await store.countDeviceJobs('m1'), { pending: 0, running: 0, completed: 1, failed: 3, canceled: 6 });
      const canceled = (await records('m1')).find((r) => r.deviceId === 'd-09')!;
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.endTimeUtc, T3);
      assert.equal(canceled.startTimeUtc, undefined);
    });

    it('applies a twin batch with the record in one step, exactly once, failing gone devices and oversized twins', async () => {
      await store.createDevice({ deviceId: 'gone' });
      await store.createDevice({ deviceId: 'fat' });
      await store.updateTwin('fat', { tags: { big: 'x'.repeat(4000), big2: 'y'.repeat(4000) } }, { mode: 'patch' });
      await snapshotAll('t1', "deviceId IN ['d-01', 'd-02', 'gone', 'fat']", 100, 'scheduleUpdateTwin');
      await store.deleteDevice('gone');
      const before = (await store.getTwin('d-01'))!;

      const result = await store.applyTwinJobBatch('t1', { from: 0, to: 4 }, { tags: { fw: 'v2', big3: 'z'.repeat(500) }, desired: { interval: 5 } }, T2);
      assert.equal(result.succeeded, 2);
      assert.equal(result.failed, 2);
      assert.deepEqual(result.desiredChanges.map((c) => [c.deviceId, c.version]).sort(), [
        ['d-01', 2],
        ['d-02', 2],
      ]);
      assert.deepEqual(result.desiredChanges[0]!.patch, { interval: 5 });

      const after = (await store.getTwin('d-01'))!;
      assert.equal(after.tags.fw, 'v2');
      assert.equal(after.properties.desired.interval, 5);
      assert.equal(after.properties.desired.$version, before.properties.desired.$version + 1);
      assert.equal(after.version, before.version + 1);
      assert.notEqual(after.etag, before.etag);

      const byId = new Map((await records('t1')).map((r) => [r.deviceId, r]));
      assert.equal(byId.get('d-01')?.status, 'completed');
      assert.deepEqual(byId.get('d-01')?.outcome, { deviceMethodResponse: null });
      assert.equal(byId.get('d-01')?.endTimeUtc, T2);
      assert.deepEqual(byId.get('gone')?.error?.code, 'DeviceNotFound');
      assert.equal(byId.get('fat')?.status, 'failed');
      assert.equal(byId.get('fat')?.error?.code, 'ArgumentInvalid');
      assert.match(byId.get('fat')!.error!.description, /tags/);

      const retried = await store.applyTwinJobBatch('t1', { from: 0, to: 4 }, { tags: { fw: 'v3' } }, T3);
      assert.deepEqual(retried, { succeeded: 0, failed: 0, desiredChanges: [] });
      assert.equal((await store.getTwin('d-01'))!.tags.fw, 'v2');
    });

    it('keeps finished jobs and purges them with their records after retention', async () => {
      const deviceCount = (await snapshotAll('old', '*', 100)).at(-1)!.total;
      await snapshotAll('new', '*', 100);
      await store.saveFinishedJob('old', { jobId: 'old', status: 'completed' }, T1);
      await store.saveFinishedJob('new', { jobId: 'new', status: 'failed' }, T3);
      assert.deepEqual(await store.getFinishedJob('old'), { jobId: 'old', status: 'completed' });
      assert.equal(await store.getFinishedJob('nope'), undefined);
      assert.deepEqual(await store.purgeFinishedJobs(T2), { jobs: 1, records: deviceCount });
      assert.equal(await store.getFinishedJob('old'), undefined);
      assert.equal((await records('old')).length, 0);
      assert.equal((await records('new')).length, deviceCount);
      assert.deepEqual(await store.getFinishedJob('new'), { jobId: 'new', status: 'failed' });
    });
  });
}
