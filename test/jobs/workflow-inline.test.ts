// A job that fits one shard runs its batches in the job workflow itself (no shard workflows), under
// @temporalio/testing time skipping with real devices on the gateway: device concurrency, progress
// while running, cancel, expiry, history bound and replay.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jobsSettings } from '../../src/jobs/settings.js';
import { parentHistoryBound } from '../../workflows/history-bounds.js';
import type { JobResponse } from '../../workflows/types.js';
import { reply } from './helpers/devices.js';
import {
  assertStatisticsConsistent,
  assertWithinHistoryBounds,
  cancelWhileRunning,
  expireMethodJob,
  jobRunHistories,
  replayJobHistories,
  waitForJob,
} from './helpers/jobs.js';
import { startJobsTestEngine, type JobsTestEngine } from './helpers/workflow-env.js';

const TUNING = { shardSize: 100, batchSize: 4, batchConcurrency: 1, deviceConcurrency: 2 };
const ANSWER_DELAY_MS = 400;
const method = { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 };
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe('a job within one shard runs its batches itself', () => {
  let engine: JobsTestEngine;
  const jobIds: string[] = [];
  // Calls the devices have been sent and not answered yet (the hub sends no more until they answer).
  let open = 0;
  let mostOpen = 0;
  const result = (jobId: string) => engine.env.client.workflow.getHandle(jobId).result() as Promise<JobResponse>;
  const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;

  before(async () => {
    engine = await startJobsTestEngine({ tuning: { scheduleDeviceMethod: TUNING } });
    const counted = () => {
      mostOpen = Math.max(mostOpen, ++open);
      // Due just before the simulator's reply, which is due ANSWER_DELAY_MS after this too.
      setTimeout(() => (open -= 1), ANSWER_DELAY_MS);
      return reply(200, null);
    };
    await engine.devices.connect([...ids('slow', 8), ...ids('stop', 12)], { answer: counted, answerDelayMs: ANSWER_DELAY_MS });
    await engine.devices.connect(ids('lone', 4), { answer: () => reply(200, null), answerDelayMs: 1500 });
    await engine.devices.connect(['x-mute'], { answer: () => undefined });
    await engine.devices.connect(ids('x-ok', 5), { answer: () => reply(200, null) });
  });
  after(() => engine?.dispose());

  it('calls deviceConcurrency devices at a time, shows progress while running, and starts no shard workflow', async () => {
    jobIds.push('inline');
    await engine.createJob('inline', { type: 'scheduleDeviceMethod', queryCondition: "STARTSWITH(deviceId, 'slow-')", cloudToDeviceMethod: method });
    const running = await waitForJob(engine.service, 'inline', (job) => job.status === 'running' && job.deviceJobStatistics!.succeededCount > 0, 20_000);
    assert.ok(running.deviceJobStatistics!.succeededCount < 8, JSON.stringify(running.deviceJobStatistics));
    assertStatisticsConsistent(running);
    const done = await result('inline');
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 8, failedCount: 0, succeededCount: 8, runningCount: 0, pendingCount: 0 });
    assert.equal(mostOpen, TUNING.deviceConcurrency * TUNING.batchConcurrency);

    const runs = await jobRunHistories(engine.env.client, 'inline');
    assert.deepEqual(
      runs.map((run) => run.workflowId),
      ['inline'],
      'no shard workflows',
    );
    const events = runs[0]!.history.events!.length;
    assert.ok(events <= parentHistoryBound(8, tuning), `${events} events, over the bound ${parentHistoryBound(8, tuning)}`);
  });

  it("shows a batch's devices as they answer, before the batch ends (the batch tells the job once they are written)", async () => {
    jobIds.push('inline-live');
    // One batch of 4, 2 devices at a time, each answering after 1.5 s: the batch ends after 3 s, and
    // the first outcomes are written about a second before that.
    await engine.createJob('inline-live', { type: 'scheduleDeviceMethod', queryCondition: "STARTSWITH(deviceId, 'lone-')", cloudToDeviceMethod: method });
    const partial = await waitForJob(
      engine.service,
      'inline-live',
      (job) => job.deviceJobStatistics !== undefined && job.deviceJobStatistics.succeededCount > 0,
    );
    assert.equal(partial.status, 'running');
    assert.ok(partial.deviceJobStatistics!.succeededCount < 4, JSON.stringify(partial.deviceJobStatistics));
    assertStatisticsConsistent(partial);
    assert.equal((await result('inline-live')).deviceJobStatistics!.succeededCount, 4);
  });

  it('cancels while running: dispatching stops and the devices not started are canceled', async () => {
    jobIds.push('inline-cancel');
    await cancelWhileRunning(
      engine,
      'inline-cancel',
      { type: 'scheduleDeviceMethod', queryCondition: "STARTSWITH(deviceId, 'stop-')", cloudToDeviceMethod: method },
      12,
    );
  });

  it('fails when maxExecutionTimeInSeconds runs out, failing the devices not processed', async () => {
    jobIds.push('inline-expiry');
    const records = await expireMethodJob(engine, 'inline-expiry', "STARTSWITH(deviceId, 'x-')", method);
    // The first batch (x-mute waiting out its response timeout) was in flight; the second never went out.
    assert.equal(records.get('x-mute')?.error?.code, 'GatewayTimeout');
    assert.deepEqual(
      [...records.values()]
        .filter((r) => r.error?.code === 'JobExpired')
        .map((r) => r.deviceId)
        .sort(),
      ['x-ok-4', 'x-ok-5'],
    );
  });

  it('kept every run within its history bound, and replays every history it produced', async () => {
    for (const jobId of jobIds) {
      const deviceCount = (await engine.service.get(jobId)).deviceJobStatistics?.deviceCount ?? 0;
      assertWithinHistoryBounds(await jobRunHistories(engine.env.client, jobId), jobId, deviceCount, tuning);
    }
    await replayJobHistories(engine.env.client, jobIds, 'inline-job');
  });
});
