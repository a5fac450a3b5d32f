// Rollout jobs under @temporalio/testing time skipping (temporal-lite bin), with real devices on the
// gateway: a constant rate (read from the shard's history: when each batch of devices was started),
// an exponential ramp, abort on timedOut, per-device retries with their backoff, pause for hours,
// a rate edit mid-flight, and pause/cancel/deadline together; then history bounds and replay.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isHubError } from '../../src/errors/hub-error.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import type { JobResponse } from '../../workflows/types.js';
import { reply } from './helpers/devices.js';
import { busiestWindow, rolloutDispatches, windowCounts, type Dispatch } from './helpers/dispatches.js';
import proto from '@temporalio/proto';
import { ACTIVITY_CLOSED, assertStatisticsConsistent, assertWithinHistoryBounds, jobRunHistories, mostAtOnce, replayJobHistories } from './helpers/jobs.js';
import { jobRecords } from './helpers/records.js';
import { startJobsTestEngine, type JobsTestEngine } from './helpers/workflow-env.js';

const { EventType } = proto.temporal.api.enums.v1;
const TWINS = 3000;
const twinIds = Array.from({ length: TWINS }, (_, i) => `t${String(i).padStart(4, '0')}`);
const twinJob = (rollout: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'scheduleUpdateTwin',
  queryCondition: "STARTSWITH(deviceId, 't')",
  updateTwin: { tags: { wave: 1 } },
  maxExecutionTimeInSeconds: 86_400,
  rollout,
  ...extra,
});
const MINUTE = 60_000;
/** A 412 JobRunPreconditionFailed saying `why`. */
const refusedFor = (why: RegExp) => (err: unknown) => {
  assert.ok(isHubError(err) && err.code === 'JobRunPreconditionFailed', String(err));
  assert.match(err.message, why);
  return true;
};
// A method rollout job without a rate runs shardConcurrency × batchConcurrency batches at once, as a plain job's shards together do.
const METHOD_TUNING = { batchSize: 20, deviceConcurrency: 20, batchConcurrency: 1, shardConcurrency: 2 };
const SETTINGS = { tuning: { scheduleDeviceMethod: METHOD_TUNING } };

describe('rollout jobs under time skipping', () => {
  let engine: JobsTestEngine;
  const jobIds: string[] = [];
  const result = (jobId: string) => engine.env.client.workflow.getHandle(jobId).result() as Promise<JobResponse>;
  const dispatches = async (jobId: string): Promise<Dispatch[]> =>
    rolloutDispatches((await jobRunHistories(engine.env.client, jobId)).filter((run) => run.workflowId !== jobId));
  const devicesBefore = (list: readonly Dispatch[], at: number) => list.filter((d) => d.at < at).reduce((n, d) => n + d.size, 0);

  before(async () => {
    engine = await startJobsTestEngine(SETTINGS);
    await engine.devices.register(twinIds);
  });
  after(() => engine?.dispose());

  it('starts 3,000 devices at 600 a minute: never more in any 60 s, evenly in 5 s windows, in the expected time', async () => {
    jobIds.push('rate');
    const created = await engine.createJob('rate', twinJob({ maxDevicesPerMinute: 600 }));
    assert.deepEqual(created.rollout, { maxDevicesPerMinute: 600 });
    assert.equal(created.currentRatePerMinute, 600);
    assert.equal(created.paused, false);
    const done = await result('rate');
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: TWINS, failedCount: 0, succeededCount: TWINS, runningCount: 0, pendingCount: 0 });
    const list = await dispatches('rate');
    assert.equal(
      list.reduce((n, d) => n + d.size, 0),
      TWINS,
    );
    assert.ok(busiestWindow(list, MINUTE) <= 600, `busiest minute ${busiestWindow(list, MINUTE)}`);
    for (const count of windowCounts(list, 5000)) assert.ok(count >= 40 && count <= 60, `a 5 s window started ${count} devices, not 50 ± 20%`);
    const span = list.at(-1)!.at - list[0]!.at;
    assert.ok(span >= 4.9 * MINUTE && span <= 5.2 * MINUTE, `3,000 devices at 600/min took ${span / 1000} s`);
    const shardRuns = (await jobRunHistories(engine.env.client, 'rate')).filter((run) => run.workflowId !== 'rate');
    assert.ok(shardRuns.length > 1, 'the shard continued as new on the way');
  });

  it('ramps exponentially: doubles each 100 devices started, up to the ceiling', async () => {
    jobIds.push('ramp');
    const rollout = {
      maxDevicesPerMinute: 480,
      exponentialRate: { baseRatePerMinute: 60, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedDevices: 100 } },
    };
    await engine.createJob('ramp', twinJob(rollout, { queryCondition: "STARTSWITH(deviceId, 't0')" })); // t0000…t0999
    const done = await result('ramp');
    assert.equal(done.deviceJobStatistics!.succeededCount, 1000);
    const list = await dispatches('ramp');
    const start = list[0]!.at;
    // 100 at 60/min (100 s), 100 at 120 (50 s), 100 at 240 (25 s), then 480/min for the rest (700 in 87.5 s).
    const started = (seconds: number) => devicesBefore(list, start + seconds * 1000);
    assert.ok(Math.abs(started(99) - 100) <= 2, `by 99 s: ${started(99)}`);
    assert.ok(Math.abs(started(150) - 200) <= 5, `by 150 s: ${started(150)}`);
    assert.ok(Math.abs(started(175) - 300) <= 5, `by 175 s: ${started(175)}`);
    assert.ok(busiestWindow(list, MINUTE) <= 480, `busiest minute ${busiestWindow(list, MINUTE)}`);
    const span = (list.at(-1)!.at - start) / 1000;
    assert.ok(span >= 255 && span <= 270, `took ${span} s, expected about 262`);
  });

  it('pauses for simulated hours (nothing started), resumes at the rate; a rate edit applies mid-flight', async () => {
    jobIds.push('pause-edit');
    await engine.createJob('pause-edit', twinJob({ maxDevicesPerMinute: 60 }, { queryCondition: "STARTSWITH(deviceId, 't1')" })); // 1000 devices
    await engine.env.sleep(MINUTE);
    const paused = await engine.service.pause('pause-edit');
    assert.equal(paused.paused, true);
    assert.equal(paused.status, 'running');
    assert.equal(paused.statusMessage, 'Paused: no device is started until the job is resumed');
    await assert.rejects(engine.service.pause('pause-edit'), refusedFor(/paused already/));
    const pausedAt = await engine.env.currentTimeMs();
    await engine.env.sleep(3 * 3600_000);
    const resumedAt = await engine.env.currentTimeMs();
    const resumed = await engine.service.resume('pause-edit');
    assert.equal(resumed.paused, false);
    await assert.rejects(engine.service.resume('pause-edit'), refusedFor(/not paused/));
    await engine.env.sleep(MINUTE);
    // The clock runs on while the edit is in flight (batches hold it): before it was asked for, the old rate held.
    const editAskedAt = await engine.env.currentTimeMs();
    const edited = await engine.service.edit('pause-edit', { rollout: { maxDevicesPerMinute: 600 } });
    assert.equal(edited.currentRatePerMinute, 600);
    const editedAt = await engine.env.currentTimeMs();
    const done = await result('pause-edit');
    assert.equal(done.status, 'completed');
    assert.equal(done.deviceJobStatistics!.succeededCount, 1000);
    assert.deepEqual(done.rollout, { maxDevicesPerMinute: 600 });
    const list = await dispatches('pause-edit');
    const during = list.filter((d) => d.at > pausedAt + 1000 && d.at < resumedAt);
    assert.deepEqual(during, [], 'nothing started while paused');
    const beforeEdit = list.filter((d) => d.at < editAskedAt);
    assert.ok(busiestWindow(beforeEdit, MINUTE) <= 60, `before the edit ${busiestWindow(beforeEdit, MINUTE)} a minute`);
    const afterEdit = list.filter((d) => d.at > editedAt + 1000);
    assert.ok(
      busiestWindow(afterEdit, MINUTE) <= 600 && busiestWindow(afterEdit, MINUTE) >= 550,
      `after the edit ${busiestWindow(afterEdit, MINUTE)} a minute`,
    );
  });

  it('a paused job still expires at maxExecutionTimeInSeconds; cancelling a paused job cancels the rest', async () => {
    jobIds.push('pause-expire', 'pause-cancel');
    await engine.createJob(
      'pause-expire',
      twinJob({ maxDevicesPerMinute: 60 }, { queryCondition: "STARTSWITH(deviceId, 't20')", maxExecutionTimeInSeconds: 600 }),
    );
    await engine.createJob('pause-cancel', twinJob({ maxDevicesPerMinute: 60 }, { queryCondition: "STARTSWITH(deviceId, 't21')" }));
    await engine.env.sleep(30_000);
    await engine.service.pause('pause-expire');
    await engine.service.pause('pause-cancel');
    assert.equal((await engine.service.cancel('pause-cancel')).status, 'cancelled');
    const cancelled = await result('pause-cancel');
    assert.equal(cancelled.status, 'cancelled');
    assertStatisticsConsistent(cancelled);
    const expired = await result('pause-expire');
    assert.equal(expired.status, 'failed');
    assert.match(expired.failureReason!, /maxExecutionTimeInSeconds \(600\)/);
    assert.ok(expired.deviceJobStatistics!.succeededCount > 0 && expired.deviceJobStatistics!.succeededCount < 100);
    const records = [...(await jobRecords(engine.hub.hub.store, 'pause-cancel')).values()];
    assert.ok(records.some((r) => r.status === 'completed') && records.some((r) => r.status === 'canceled'));
    assert.ok(!records.some((r) => r.status === 'pending' || r.status === 'running'));
    await assert.rejects(engine.service.pause('pause-cancel'), refusedFor(/cancelled/));
  });

  it('aborts on timedOut at 10% after 50 devices: in-flight finish, the rest canceled, failed naming the criterion', async () => {
    jobIds.push('abort');
    const ids = Array.from({ length: 120 }, (_, i) => `a${String(i).padStart(3, '0')}`);
    await engine.devices.connect(
      ids.filter((_, i) => i % 5 !== 0),
      { answer: () => reply(200, null) },
    );
    await engine.devices.connect(
      ids.filter((_, i) => i % 5 === 0),
      { answer: () => undefined },
    );
    await engine.createJob('abort', {
      type: 'scheduleDeviceMethod',
      queryCondition: "STARTSWITH(deviceId, 'a')",
      cloudToDeviceMethod: { methodName: 'upgrade', responseTimeoutInSeconds: 5 },
      rollout: { abortCriteria: [{ failureType: 'timedOut', thresholdPercentage: 10, minNumberOfExecutedDevices: 50, action: 'cancel' }] },
    });
    const done = await result('abort');
    assert.equal(done.status, 'failed');
    assert.match(
      done.failureReason!,
      /^Aborted by rollout\.abortCriteria\[0\] \(timedOut at 10% after 50 devices\): \d+ of \d+ finished devices \(\d+\.\d%\) timed out$/,
    );
    assertStatisticsConsistent(done);
    const records = [...(await jobRecords(engine.hub.hub.store, 'abort')).values()];
    const canceled = records.filter((r) => r.status === 'canceled').length;
    assert.ok(canceled >= 40, `${canceled} canceled`);
    assert.ok(!records.some((r) => r.status === 'pending' || r.status === 'running'));
    assert.equal(done.deviceJobStatistics!.failedCount, records.filter((r) => r.status !== 'completed').length);
    // Without a rate, as many batches at once as a plain job's shards together: 2 here, not one shard's 1.
    const shardRuns = (await jobRunHistories(engine.env.client, 'abort')).filter((run) => run.workflowId !== 'abort');
    const batchesAtOnce = Math.max(...shardRuns.map((run) => mostAtOnce(run, [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED], ACTIVITY_CLOSED)));
    assert.equal(batchesAtOnce, METHOD_TUNING.shardConcurrency * METHOD_TUNING.batchConcurrency);
  });

  it('retries per device with backoff: attempts in the record, statistics count devices', async () => {
    jobIds.push('retries');
    const calls = new Map<string, number>();
    await engine.devices.connect(['r-flaky', 'r-broken', 'r-fine'], {
      answer: (_m, _p, deviceId) => {
        const n = (calls.get(deviceId) ?? 0) + 1;
        calls.set(deviceId, n);
        if (deviceId === 'r-fine' || (deviceId === 'r-flaky' && n === 3)) return reply(200, { n });
        return reply(503, { n });
      },
    });
    await engine.createJob('retries', {
      type: 'scheduleDeviceMethod',
      queryCondition: "STARTSWITH(deviceId, 'r-')",
      cloudToDeviceMethod: { methodName: 'upgrade', responseTimeoutInSeconds: 5 },
      rollout: {
        retry: {
          criteria: [{ failureType: 'errorStatus', numberOfRetries: 2 }],
          backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 100 },
        },
      },
    });
    const done = await result('retries');
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 3, failedCount: 0, succeededCount: 3, runningCount: 0, pendingCount: 0 });
    assert.equal(done.waitingForRetryCount, 0);
    assert.deepEqual(Object.fromEntries(calls), { 'r-flaky': 3, 'r-broken': 3, 'r-fine': 1 });
    const records = await jobRecords(engine.hub.hub.store, 'retries');
    const attempts = (id: string) => (records.get(id) as unknown as { attempts?: number }).attempts;
    assert.equal(attempts('r-flaky'), 3);
    assert.equal(attempts('r-fine'), 1);
    assert.deepEqual(records.get('r-flaky')?.outcome, { deviceMethodResponse: { status: 200, payload: { n: 3 } } });
    assert.deepEqual(records.get('r-broken')?.outcome, { deviceMethodResponse: { status: 503, payload: { n: 3 } } }, 'the last attempt shows');
    // Retry batches start after 60 s, then after min(120, 100) s more.
    const list = await dispatches('retries');
    const retryBatches = list.filter((d) => 'dueBefore' in d.batch.devices);
    assert.equal(retryBatches.length, 2);
    const gap1 = retryBatches[0]!.at - list[0]!.at;
    const gap2 = retryBatches[1]!.at - retryBatches[0]!.at;
    assert.ok(gap1 >= 60_000 && gap1 < 65_000, `first retry after ${gap1} ms`);
    assert.ok(gap2 >= 100_000 && gap2 < 105_000, `second retry after ${gap2} ms`);
  });

  it('kept every run within its history bound, and replays every history it produced', async () => {
    const tuning = jobsSettings(SETTINGS).tuning;
    for (const jobId of jobIds) {
      const runs = await jobRunHistories(engine.env.client, jobId);
      assertWithinHistoryBounds(runs, jobId, TWINS, jobId === 'abort' || jobId === 'retries' ? tuning.scheduleDeviceMethod : tuning.scheduleUpdateTwin, true);
    }
    await replayJobHistories(engine.env.client, jobIds, 'rollout-jobs');
  });
});
