// The method batch activity on a real store: devices called deviceConcurrency at a time, records
// claimed a window at a time, at most one call per device across attempts, a failed claim, and
// progress told to the workflow while devices answer (bounded). The invoker is scripted here (the
// gateway's path is exercised by the workflow and SDK suites).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SignalBatchProgress } from '../../activities/batch-progress.js';
import { methodBatchActivity } from '../../activities/method-batch.js';
import type { MethodInvoker, MethodResult } from '../../src/gateway/methods/invoker.js';
import { silentLogger } from '../../src/logger.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { hubNow } from '../../src/registry/time.js';
import type { BatchProgress } from '../../workflows/types.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { jobRecords } from './helpers/records.js';

const CALL = { methodName: 'm', payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0 };
const DEVICES = 10;
// The failed attempt is the point of one test; its log line is not news.
const QUIET = new DefaultLogger('ERROR', () => {});

/** Answers 200 after `delayMs`, tracking how many calls are open at once and which devices were called. */
class CountingInvoker implements MethodInvoker {
  open = 0;
  mostOpen = 0;
  readonly called: string[] = [];

  constructor(private readonly delayMs = 5) {}

  async invoke(deviceId: string): Promise<MethodResult> {
    this.called.push(deviceId);
    this.mostOpen = Math.max(this.mostOpen, ++this.open);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.open -= 1;
    return { kind: 'response', status: 200, payload: { deviceId } };
  }
}

for (const variant of STORE_VARIANTS) {
  describe(`method batch activity (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;

    const snapshot = (jobId: string) =>
      store.snapshotJobDevices({ jobId, jobType: 'scheduleDeviceMethod', queryCondition: '*', createdTime: hubNow() }, 1000);
    // What the batches told, with the job's records completed in the store at that moment.
    const signalled: Array<{ workflowId: string; progress: BatchProgress; completedInStore: number }> = [];
    let signalledJob = '';
    const signalBatchProgress: SignalBatchProgress = async (workflowId, progress) => {
      const { completed } = await store.countDeviceJobs(signalledJob);
      signalled.push({ workflowId, progress, completedInStore: completed });
    };
    const run = (
      invoker: MethodInvoker,
      jobId: string,
      deviceConcurrency: number,
      { jobStore = store, attempt = 1, progress = { updates: 0, intervalMs: 0 } } = {},
    ) =>
      new MockActivityEnvironment({ attempt }, { logger: QUIET }).run(methodBatchActivity({ store: jobStore, invoker, now: hubNow, log: silentLogger, signalBatchProgress, wakeOfflineWait: async () => {} }), {
        jobId,
        range: { from: 0, to: DEVICES },
        call: CALL,
        deviceConcurrency,
        progress,
      });

    before(async () => {
      testStore = await openTestStore(variant);
      store = testStore.store;
      for (let i = 0; i < DEVICES; i++) await store.createDevice({ deviceId: `b-${i}` });
    });
    after(() => testStore.dispose());

    it('calls every device once, deviceConcurrency at a time', async () => {
      await snapshot('window');
      const invoker = new CountingInvoker();
      assert.deepEqual(await run(invoker, 'window', 3), { succeeded: DEVICES, failed: 0 });
      assert.equal(invoker.mostOpen, 3);
      assert.deepEqual([...invoker.called].sort(), Array.from({ length: DEVICES }, (_, i) => `b-${i}`));
      const records = await jobRecords(store, 'window');
      assert.deepEqual(records.get('b-7')?.outcome, { deviceMethodResponse: { status: 200, payload: { deviceId: 'b-7' } } });
    });

    it('fails, without calling them, the devices an earlier attempt left running, and calls the others', async () => {
      await snapshot('retry');
      // An attempt that died after claiming its first window of 4.
      const { claimed } = await store.claimDeviceJobs('retry', { from: 0, to: 4 }, hubNow());
      const invoker = new CountingInvoker();
      assert.deepEqual(await run(invoker, 'retry', 4), { succeeded: DEVICES - 4, failed: 4 });
      assert.deepEqual(invoker.called.filter((deviceId) => claimed.includes(deviceId)), []);
      const records = await jobRecords(store, 'retry');
      for (const deviceId of claimed) assert.equal(records.get(deviceId)?.error?.code, 'ServerError');
      assert.equal(invoker.called.length, DEVICES - 4);
    });

    it('claims a window only when the lanes need it, so a dying attempt leaves at most one window running', async () => {
      await snapshot('lazy');
      let claims = 0;
      const failingStore = new Proxy(store, {
        get(target, key, receiver) {
          if (key !== 'claimDeviceJobs') return Reflect.get(target, key, receiver);
          return (...args: Parameters<SqlHubStore['claimDeviceJobs']>) => {
            if (++claims === 2) return Promise.reject(new Error('store unavailable'));
            return target.claimDeviceJobs(...args);
          };
        },
      });
      const invoker = new CountingInvoker();
      await assert.rejects(run(invoker, 'lazy', 4, { jobStore: failingStore }), /store unavailable/);
      assert.equal(invoker.called.length, 4, 'only the first window was called');
      const statuses = [...(await jobRecords(store, 'lazy')).values()].map((record) => record.status);
      assert.equal(statuses.filter((status) => status === 'completed').length, 4, 'the answers that came were written');
      assert.equal(statuses.filter((status) => status === 'pending').length, DEVICES - 4);
    });

    it('tells the workflow the outcomes written while devices answer: at most `updates` times, not its last devices, not on a retry', async () => {
      // One device at a time, 150 ms each: about 6 written at the first flush (1 s), the batch ends at about 1.5 s.
      const progress = { updates: 2, intervalMs: 0 };
      await snapshot((signalledJob = 'progress'));
      assert.deepEqual(await run(new CountingInvoker(150), 'progress', 1, { progress }), { succeeded: DEVICES, failed: 0 });
      assert.ok(signalled.length >= 1 && signalled.length <= progress.updates, JSON.stringify(signalled));
      for (const { workflowId, progress: told, completedInStore } of signalled) {
        assert.equal(workflowId, 'test', 'the workflow running the batch');
        assert.equal(told.batch, 0);
        assert.equal(told.failed, 0);
        assert.ok(told.succeeded >= DEVICES / progress.updates && told.succeeded < DEVICES, JSON.stringify(told));
        assert.ok(told.succeeded <= completedInStore, `told ${told.succeeded} succeeded with ${completedInStore} written`);
      }

      await snapshot((signalledJob = 'progress-retry'));
      signalled.length = 0;
      await run(new CountingInvoker(150), 'progress-retry', 1, { progress, attempt: 2 });
      assert.deepEqual(signalled, [], 'a retry tells nothing until it ends');
    });
  });
}
