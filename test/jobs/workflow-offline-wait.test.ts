// A method job that waits for its offline devices (rollout.waitForOfflineDevicesInSeconds), under
// time skipping with real devices on the gateway: a device that connects 6 simulated hours late
// is called exactly once, woken by its connect (no polling); the end of the wait fails the others
// as offline; the counts show the waiting devices and always sum to deviceCount; the wait's
// history stays small. The devices that finished after waiting count toward the abort criteria like
// the others: weighed by the job once every device was started, by its rollout shard while it still
// starts devices. Replayed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { offlineWaitWorkflowId } from '../../workflows/offline-wait-messages.js';
import type { JobResponse } from '../../workflows/types.js';
import { reply } from './helpers/devices.js';
import { jobRecords } from './helpers/records.js';
import { startJobsTestEngine, type JobsTestEngine } from './helpers/workflow-env.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import { offlineWaitRunHistoryBound, parentHistoryBound, shardRunHistoryBound } from '../../workflows/history-bounds.js';
import { assertStatisticsConsistent, jobRunHistories, replayJobHistories, waitForJob } from './helpers/jobs.js';

const HOUR_MS = 3600_000;
const WAIT_SECONDS = 24 * 3600;
// A small history limit: the wait continues as new while devices wait (and the late one connects).
const TUNING = { shardSize: 2, batchSize: 2, batchConcurrency: 1, shardConcurrency: 1, shardHistoryLimit: 40 };

describe('a method job waiting for its offline devices, under time skipping', () => {
  let engine: JobsTestEngine;
  const calls = new Map<string, number>();
  const answer = (_method: string, _payload: Buffer, deviceId: string) => {
    calls.set(deviceId, (calls.get(deviceId) ?? 0) + 1);
    return reply(200, { deviceId });
  };

  before(async () => {
    engine = await startJobsTestEngine({ tuning: { scheduleDeviceMethod: TUNING } });
    await engine.devices.connect(['online-1'], { answer });
    await engine.devices.register(['late-1', 'never-1', 'never-2']);
  });
  after(() => engine?.dispose());

  it('calls a device that connects 6 hours late exactly once, and fails the rest as offline when the wait ends', async () => {
    const jobId = 'offline-wait';
    const createdAt = await engine.env.currentTimeMs();
    await engine.createJob(jobId, {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId IN ['online-1', 'late-1', 'never-1', 'never-2']",
      cloudToDeviceMethod: { methodName: 'update', payload: {}, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 },
      maxExecutionTimeInSeconds: 3 * 24 * 3600,
      rollout: { waitForOfflineDevicesInSeconds: WAIT_SECONDS },
    });
    const waiting = await waitForJob(engine.service, jobId, (job) => job.deviceJobStatistics?.succeededCount === 1 && job.waitingForDeviceCount === 3);
    assert.equal(waiting.status, 'running');
    assert.deepEqual(waiting.deviceJobStatistics, { deviceCount: 4, failedCount: 0, succeededCount: 1, runningCount: 0, pendingCount: 3 });
    const parked = (await jobRecords(engine.hub.hub.store, jobId)).get('late-1')!;
    assert.equal(parked.status, 'scheduled');
    assert.equal(parked.error, undefined);

    await engine.env.sleep(6 * HOUR_MS);
    assert.equal(calls.get('late-1'), undefined, 'not called while offline');
    await engine.devices.connectRegistered(['late-1'], { answer });
    const called = await waitForJob(engine.service, jobId, (job) => job.deviceJobStatistics?.succeededCount === 2 && job.waitingForDeviceCount === 2);
    assertStatisticsConsistent(called);
    assert.equal(called.status, 'running');

    const done = (await engine.env.client.workflow.getHandle(jobId).result()) as JobResponse;
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 2, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    assert.equal(done.waitingForDeviceCount, 0);
    const waitedMs = Date.parse(done.endTime!) - createdAt;
    assert.ok(waitedMs >= WAIT_SECONDS * 1000 && waitedMs < WAIT_SECONDS * 1000 + HOUR_MS, `ended ${waitedMs} ms after the start: at the end of the wait`);
    assert.equal(calls.get('late-1'), 1, 'called exactly once');
    assert.equal(calls.get('online-1'), 1);

    const records = await jobRecords(engine.hub.hub.store, jobId);
    assert.equal(records.get('late-1')!.status, 'completed');
    assert.deepEqual(records.get('late-1')!.outcome, { deviceMethodResponse: { status: 200, payload: { deviceId: 'late-1' } } });
    for (const deviceId of ['never-1', 'never-2']) {
      const record = records.get(deviceId)!;
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'DeviceNotOnline');
      assert.match(record.error!.description, /did not connect within waitForOfflineDevicesInSeconds \(86400\)/);
    }
    const runs = await jobRunHistories(engine.env.client, jobId);
    const waitRuns = runs.filter((run) => run.workflowId === offlineWaitWorkflowId(jobId));
    assert.ok(waitRuns.length >= 2, `the wait continued as new (${waitRuns.length} runs)`);
    const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;
    for (const run of runs) {
      const events = run.history.events?.length ?? 0;
      const bound =
        run.workflowId === jobId
          ? parentHistoryBound(4, tuning, true, true)
          : run.workflowId === offlineWaitWorkflowId(jobId)
            ? offlineWaitRunHistoryBound(tuning, 10)
            : shardRunHistoryBound(tuning);
      assert.ok(events <= bound, `${run.workflowId} has ${events} events, over its bound ${bound}`);
    }
    await replayJobHistories(engine.env.client, [jobId], 'offline-wait');
  });

  /** Every run of the job within its bound, and replayed. */
  const assertBoundedAndReplayed = async (jobId: string, deviceCount: number, fixtures: string) => {
    const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;
    const runs = await jobRunHistories(engine.env.client, jobId);
    for (const run of runs) {
      const events = run.history.events?.length ?? 0;
      const bound =
        run.workflowId === jobId
          ? parentHistoryBound(deviceCount, tuning, true, true)
          : run.workflowId === offlineWaitWorkflowId(jobId)
            ? offlineWaitRunHistoryBound(tuning, 10)
            : shardRunHistoryBound(tuning, true, true);
      assert.ok(events <= bound, `${run.workflowId} has ${events} events, over its bound ${bound}`);
    }
    await replayJobHistories(engine.env.client, [jobId], fixtures);
  };

  it('aborts on offline when the devices whose wait ended reach the threshold, after every device was started', async () => {
    const jobId = 'offline-abort';
    await engine.devices.connect(['oa-ok-1', 'oa-ok-2'], { answer });
    await engine.devices.register(['oa-gone-1', 'oa-gone-2', 'oa-gone-3', 'oa-gone-4']);
    await engine.createJob(jobId, {
      type: 'scheduleDeviceMethod',
      queryCondition: "STARTSWITH(deviceId, 'oa-')",
      cloudToDeviceMethod: { methodName: 'update', payload: {}, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 },
      maxExecutionTimeInSeconds: 86_400,
      rollout: {
        waitForOfflineDevicesInSeconds: 3600,
        // The waits end in two steps (two batches parked them): 2 of 4 offline (50%), then 4 of 6.
        abortCriteria: [{ failureType: 'offline', thresholdPercentage: 60, minNumberOfExecutedDevices: 4, action: 'cancel' }],
      },
    });
    const done = (await engine.env.client.workflow.getHandle(jobId).result()) as JobResponse;
    assert.equal(done.status, 'failed');
    assert.equal(done.failureReason, 'Aborted by rollout.abortCriteria[0] (offline at 60% after 4 devices): 4 of 6 finished devices (66.7%) were offline');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 6, failedCount: 4, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    const records = await jobRecords(engine.hub.hub.store, jobId);
    for (const deviceId of ['oa-gone-1', 'oa-gone-2', 'oa-gone-3', 'oa-gone-4']) assert.equal(records.get(deviceId)!.error?.code, 'DeviceNotOnline');
    await assertBoundedAndReplayed(jobId, 6, 'offline-wait-abort');
  });

  it('aborts on timedOut counting a device that timed out after it came back, while devices are still being started', async () => {
    const jobId = 'waited-timeout-abort';
    const ids = Array.from({ length: 9 }, (_, i) => `wt-${i + 1}`);
    await engine.devices.connect(ids, { answer });
    await engine.devices.register(['wt-0-late']);
    await engine.createJob(jobId, {
      type: 'scheduleDeviceMethod',
      queryCondition: "STARTSWITH(deviceId, 'wt-')",
      cloudToDeviceMethod: { methodName: 'update', payload: {}, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 },
      maxExecutionTimeInSeconds: 86_400,
      rollout: {
        // One device a minute: wt-0-late (offline: it waits) first, then wt-1, wt-2, …
        maxDevicesPerMinute: 1,
        waitForOfflineDevicesInSeconds: 86_400,
        abortCriteria: [{ failureType: 'timedOut', thresholdPercentage: 20, minNumberOfExecutedDevices: 3, action: 'cancel' }],
      },
    });
    await waitForJob(engine.service, jobId, (job) => job.waitingForDeviceCount === 1);
    // It comes back and does not answer: it fails, timed out, before the second device starts.
    await engine.devices.connectRegistered(['wt-0-late'], { answer: () => undefined });
    const timedOut = await waitForJob(engine.service, jobId, (job) => job.deviceJobStatistics?.failedCount === 1);
    assert.equal(timedOut.deviceJobStatistics!.succeededCount, 0);
    const done = (await engine.env.client.workflow.getHandle(jobId).result()) as JobResponse;
    assert.equal(done.status, 'failed');
    assert.equal(done.failureReason, 'Aborted by rollout.abortCriteria[0] (timedOut at 20% after 3 devices): 1 of 3 finished devices (33.3%) timed out');
    assertStatisticsConsistent(done);
    const records = await jobRecords(engine.hub.hub.store, jobId);
    assert.equal(records.get('wt-0-late')!.error?.code, 'GatewayTimeout');
    assert.deepEqual(
      ids.map((id) => records.get(id)!.status),
      ['completed', 'completed', ...Array<string>(7).fill('canceled')],
      'the devices not started yet are canceled',
    );
    await assertBoundedAndReplayed(jobId, 10, 'offline-wait-abort-dispatching');
  });
});
