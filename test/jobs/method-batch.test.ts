// The method batch activity on a real store: devices called deviceConcurrency at a time, records
// claimed as they are called, at most one call per device across attempts, records that say what
// happened after a crash or a cancelled attempt, a failed claim, and progress told to the workflow
// while devices answer (bounded). The invoker is scripted here (the
// gateway's path is exercised by the workflow and SDK suites).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SignalBatchProgress } from '../../activities/batch-progress.js';
import { methodBatchActivity } from '../../activities/method-batch.js';
import { rolloutBatchActivity } from '../../activities/rollout-batch.js';
import type { MethodInvoker, MethodResult } from '../../src/gateway/methods/invoker.js';
import { silentLogger } from '../../src/logger.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { OUTCOME_UNKNOWN } from '../../src/registry/job-records.js';
import { hubNow } from '../../src/registry/time.js';
import type { BatchProgress, JobMethodCall, RolloutBatch, RolloutBatchResult } from '../../workflows/types.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { waitFor } from '../helpers/wait.js';
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
    await this.answer(deviceId);
    this.open -= 1;
    return { kind: 'response', status: 200, payload: { deviceId } };
  }

  protected answer(_deviceId: string): Promise<unknown> {
    return new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }
}

/** Answers its first device at once; the others only when released (a hub that froze mid-batch). */
class FreezingInvoker extends CountingInvoker {
  private readonly held: Array<() => void> = [];
  private frozen?: () => void;
  /** Resolves once `calls` calls are open. */
  readonly openCalls = (calls: number) => new Promise<void>((resolve) => (this.frozen = () => this.open >= calls && resolve()));

  protected override answer(): Promise<unknown> {
    if (this.called.length === 1) return Promise.resolve();
    const answered = new Promise<void>((resolve) => this.held.push(resolve));
    queueMicrotask(() => this.frozen?.());
    return answered;
  }

  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }
}

for (const variant of STORE_VARIANTS) {
  describe(`method batch activity (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;

    const snapshot = (jobId: string) => store.snapshotJobDevices({ jobId, jobType: 'scheduleDeviceMethod', queryCondition: '*', createdTime: hubNow() }, 1000);
    // What the batches told, with the job's records completed in the store at that moment.
    const signalled: Array<{ workflowId: string; progress: BatchProgress; completedInStore: number }> = [];
    let signalledJob = '';
    const signalBatchProgress: SignalBatchProgress = async (workflowId, progress) => {
      const { completed } = await store.countDeviceJobs(signalledJob);
      signalled.push({ workflowId, progress, completedInStore: completed });
    };
    // These batches do not wait for offline devices, so nothing is ever parked to wake a wait for.
    const wakeOfflineWait = async (jobId: string) => assert.fail(`no offline wait to wake (job ${jobId})`);
    const run = (
      invoker: MethodInvoker,
      jobId: string,
      deviceConcurrency: number,
      { jobStore = store, attempt = 1, progress = { updates: 0, intervalMs: 0 } } = {},
    ) =>
      new MockActivityEnvironment({ attempt }, { logger: QUIET }).run(
        methodBatchActivity({ store: jobStore, invoker, now: hubNow, log: silentLogger, signalBatchProgress, wakeOfflineWait }),
        {
          jobId,
          range: { from: 0, to: DEVICES },
          call: CALL,
          deviceConcurrency,
          progress,
        },
      );

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
      assert.deepEqual(
        [...invoker.called].sort(),
        Array.from({ length: DEVICES }, (_, i) => `b-${i}`),
      );
      const records = await jobRecords(store, 'window');
      assert.deepEqual(records.get('b-7')?.outcome, { deviceMethodResponse: { status: 200, payload: { deviceId: 'b-7' } } });
    });

    it('fails as outcome unknown, without calling them, the devices an earlier attempt was calling, and calls the others', async () => {
      await snapshot('retry');
      // An attempt that died while calling its first 4 devices.
      const claimed = (await store.claimDeviceJobs('retry', { from: 0, to: DEVICES }, hubNow(), 4)).map((record) => record.deviceId);
      const invoker = new CountingInvoker();
      assert.deepEqual(await run(invoker, 'retry', 4, { attempt: 2 }), { succeeded: DEVICES - 4, failed: 4 });
      assert.deepEqual(
        invoker.called.filter((deviceId) => claimed.includes(deviceId)),
        [],
      );
      const records = await jobRecords(store, 'retry');
      for (const deviceId of claimed) assert.deepEqual(records.get(deviceId)?.error, OUTCOME_UNKNOWN);
      assert.equal(invoker.called.length, DEVICES - 4);
    });

    it('keeps a record running only while its device is being called: a retry after a freeze calls every device never called', async () => {
      await snapshot('frozen');
      const frozen = new FreezingInvoker();
      // b-0 answers, its lane calls b-4, and the hub freezes with b-1…b-4 being called.
      const firstAttempt = run(frozen, 'frozen', 4);
      await frozen.openCalls(4);
      await waitFor(async () => (await jobRecords(store, 'frozen')).get('b-0')?.status === 'completed', "b-0's answer written");
      const running = [...(await jobRecords(store, 'frozen')).values()].filter((record) => record.status === 'running').map((record) => record.deviceId);
      assert.deepEqual(running.sort(), ['b-1', 'b-2', 'b-3', 'b-4'], 'running records are the devices being called');

      // The attempt timed out; its retry runs while the frozen one still waits.
      const retry = new CountingInvoker();
      assert.deepEqual(await run(retry, 'frozen', 4, { attempt: 2 }), { succeeded: 6, failed: 4 });
      assert.deepEqual(retry.called.sort(), ['b-5', 'b-6', 'b-7', 'b-8', 'b-9']);
      const afterRetry = await jobRecords(store, 'frozen');
      for (const deviceId of running) assert.deepEqual(afterRetry.get(deviceId)?.error, OUTCOME_UNKNOWN);

      // The frozen calls come back after all: their real answers replace "unknown".
      frozen.release();
      await firstAttempt;
      const records = await jobRecords(store, 'frozen');
      for (const deviceId of running) {
        assert.equal(records.get(deviceId)?.status, 'completed');
        assert.equal(records.get(deviceId)?.error, undefined);
        assert.deepEqual(records.get(deviceId)?.outcome, { deviceMethodResponse: { status: 200, payload: { deviceId } } });
      }
      assert.equal([...frozen.called, ...retry.called].length, DEVICES, 'each device called once');
    });

    it('stops calling on cancellation: the answers of the devices called are written, the others stay pending for the retry', async () => {
      await snapshot('cancelled');
      const env = new MockActivityEnvironment({ attempt: 1 }, { logger: QUIET });
      const invoker = new CountingInvoker(50);
      const attempt = env.run(methodBatchActivity({ store, invoker, now: hubNow, log: silentLogger, signalBatchProgress, wakeOfflineWait }), {
        jobId: 'cancelled',
        range: { from: 0, to: DEVICES },
        call: CALL,
        deviceConcurrency: 2,
        progress: { updates: 0, intervalMs: 0 },
      });
      await new Promise((resolve) => setTimeout(resolve, 75));
      env.cancel('TIMED_OUT');
      await assert.rejects(attempt);
      const called = [...invoker.called];
      assert.ok(called.length >= 2 && called.length <= 4, `called ${called.length}`);
      const records = await jobRecords(store, 'cancelled');
      for (const [deviceId, record] of records) assert.equal(record.status, called.includes(deviceId) ? 'completed' : 'pending', deviceId);

      const retry = new CountingInvoker();
      assert.deepEqual(await run(retry, 'cancelled', 2, { attempt: 2 }), { succeeded: DEVICES, failed: 0 });
      assert.deepEqual([...called, ...retry.called].sort(), [...records.keys()].sort(), 'the retry called exactly the devices never called');
    });

    it('a failed claim stops the lanes; the answers that came are written and the devices never called stay pending', async () => {
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
      assert.equal(invoker.called.length, 4, 'only the first claim was called');
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

    it('a rollout batch claims as it calls too: its retry fails as outcome unknown the devices being called, and calls those never called', async () => {
      await snapshot('rollout-frozen');
      const batch = (token: string): RolloutBatch => ({
        jobId: 'rollout-frozen',
        token,
        devices: { range: { from: 0, to: DEVICES } },
        operation: { kind: 'method', call: CALL },
        deviceConcurrency: 4,
        dispatchedAt: Date.now(),
      });
      const runRollout = (invoker: MethodInvoker, attempt: number) => {
        const processRolloutBatch = rolloutBatchActivity({ store, invoker, now: hubNow, log: silentLogger, wakeOfflineWait });
        const env = new MockActivityEnvironment({ attempt }, { logger: QUIET });
        return env.run<[RolloutBatch, JobMethodCall], RolloutBatchResult, typeof processRolloutBatch>(processRolloutBatch, batch('t0'), CALL);
      };
      const frozen = new FreezingInvoker();
      const firstAttempt = runRollout(frozen, 1);
      await frozen.openCalls(4);
      await waitFor(async () => (await jobRecords(store, 'rollout-frozen')).get('b-0')?.status === 'completed', "b-0's answer written");
      const records = await jobRecords(store, 'rollout-frozen');
      const running = [...records.values()].filter((record) => record.status === 'running').map((record) => record.deviceId);
      assert.deepEqual(running.sort(), ['b-1', 'b-2', 'b-3', 'b-4'], 'running records are the devices being called');

      const retry = new CountingInvoker();
      const result = await runRollout(retry, 2);
      assert.deepEqual(retry.called.sort(), ['b-5', 'b-6', 'b-7', 'b-8', 'b-9']);
      assert.deepEqual(result.counts, { succeeded: 6, failed: 4, failures: { offline: 0, timedOut: 0, errorStatus: 0, other: 4 }, retrying: 0 });
      const afterRetry = await jobRecords(store, 'rollout-frozen');
      for (const deviceId of running) assert.deepEqual(afterRetry.get(deviceId)?.error, OUTCOME_UNKNOWN);
      frozen.release();
      await firstAttempt;
    });
  });
}
