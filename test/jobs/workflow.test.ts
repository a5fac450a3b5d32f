// The job workflows under @temporalio/testing time skipping (temporal-lite bin), with real devices
// on the gateway: scheduling, cancel, expiry, every kind of device outcome, a job whose workflow an
// operator terminated, lists as GET shows the jobs, and how few calls each API request makes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { JobsService } from '../../src/jobs/service.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import { JOBS_TASK_QUEUE } from '../../src/temporal/worker.js';
import type { JobResponse } from '../../workflows/types.js';
import { reply } from './helpers/devices.js';
import { jobRecords } from './helpers/records.js';
import { startJobsTestEngine, type JobsTestEngine } from './helpers/workflow-env.js';
import { assertWithinHistoryBounds, cancelWhileRunning, expireMethodJob, jobRunHistories, replayJobHistories, waitForJob } from './helpers/jobs.js';

const DAY_MS = 24 * 3600_000;
const TUNING = { shardSize: 2, batchSize: 2, batchConcurrency: 1, shardConcurrency: 1 };
const method = (extra: Record<string, unknown> = {}) => ({ methodName: 'reboot', payload: { delay: 1 }, responseTimeoutInSeconds: 5, ...extra });

describe('job workflows under time skipping', () => {
  let engine: JobsTestEngine;
  const jobIds: string[] = [];
  const result = (jobId: string) => engine.env.client.workflow.getHandle(jobId).result() as Promise<JobResponse>;
  const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;

  before(async () => {
    engine = await startJobsTestEngine({ tuning: { scheduleDeviceMethod: TUNING } });
    await engine.devices.connect(['ok-1', 'ok-2', 'ok-3'], { answer: (_m, payload) => reply(200, { got: JSON.parse(payload.toString()) }) });
    await engine.devices.connect(['err-1'], { answer: () => reply(500, { error: 'broken' }) });
    await engine.devices.connect(['mute-1'], { answer: () => undefined });
    await engine.devices.register(['off-1']);
    await engine.devices.connect(['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5', 'slow-6', 'slow-7', 'slow-8'], {
      answer: () => reply(200, null),
      answerDelayMs: 1000,
    });
  });
  after(() => engine?.dispose());

  it('runs a job scheduled a day ahead without waiting a day', async () => {
    jobIds.push('day-ahead');
    const now = await engine.env.currentTimeMs();
    const startTime = new Date(now + DAY_MS).toISOString();
    const queued = await engine.createJob('day-ahead', {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId IN ['ok-1', 'ok-2']",
      startTime,
      cloudToDeviceMethod: method(),
    });
    assert.equal(queued.status, 'queued');
    assert.equal(queued.statusMessage, 'Waiting for a worker to start the job');
    assert.equal(Date.parse(queued.startTime), Date.parse(startTime));
    assert.equal(queued.deviceJobStatistics, undefined);
    const scheduled = await waitForJob(engine.service, 'day-ahead', (job) => job.status === 'scheduled');
    assert.equal(scheduled.statusMessage, `Scheduled to start at ${scheduled.startTime}`);

    const done = await result('day-ahead');
    assert.equal(done.status, 'completed');
    assert.ok(Date.parse(done.endTime!) >= Date.parse(startTime), `ended ${done.endTime} after the start ${startTime}`);
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 2, failedCount: 0, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    assert.equal(done.statusMessage, 'Every device was processed: 2 succeeded, 0 failed');
    const records = await jobRecords(engine.hub.hub.store, 'day-ahead');
    assert.deepEqual(records.get('ok-1')?.outcome, { deviceMethodResponse: { status: 200, payload: { got: { delay: 1 } } } });
    assert.deepEqual(await engine.service.get('day-ahead'), done, 'a finished job reads the same from the store');
  });

  it('records every kind of device outcome and completes although devices failed', async () => {
    jobIds.push('mixed');
    await engine.createJob('mixed', {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId IN ['ok-3', 'err-1', 'mute-1', 'off-1']",
      cloudToDeviceMethod: method({ payload: 'hello' }),
    });
    const done = await result('mixed');
    assert.equal(done.status, 'completed');
    assert.equal(done.failureReason, undefined);
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 2, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    const records = await jobRecords(engine.hub.hub.store, 'mixed');
    assert.equal(records.get('ok-3')?.status, 'completed');
    assert.deepEqual(records.get('ok-3')?.outcome, { deviceMethodResponse: { status: 200, payload: { got: 'hello' } } });
    assert.equal(records.get('err-1')?.status, 'completed', 'a device answering an error status was processed');
    assert.deepEqual(records.get('err-1')?.outcome, { deviceMethodResponse: { status: 500, payload: { error: 'broken' } } });
    assert.equal(records.get('off-1')?.status, 'failed');
    assert.equal(records.get('off-1')?.error?.code, 'DeviceNotOnline');
    assert.equal(records.get('mute-1')?.status, 'failed');
    assert.equal(records.get('mute-1')?.error?.code, 'GatewayTimeout');
    for (const record of records.values()) {
      assert.equal(record.jobType, 'scheduleDeviceMethod');
      assert.ok(record.startTimeUtc && record.endTimeUtc && record.startTimeUtc <= record.endTimeUtc, JSON.stringify(record));
    }

    // The records answer conditions on their outcome, error and times in the query language
    // (devices.jobs takes SELECT * only, as IoT Hub).
    const ids = async (condition: string) =>
      (await engine.hub.hub.store.query(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'mixed' AND ${condition}`)).items
        .map((row) => (row as { deviceId: string }).deviceId)
        .sort();
    assert.deepEqual(await ids('devices.jobs.outcome.deviceMethodResponse.status >= 500'), ['err-1']);
    assert.deepEqual(await ids("devices.jobs.outcome.deviceMethodResponse.payload.got = 'hello'"), ['ok-3']);
    assert.deepEqual(await ids("devices.jobs.error.code IN ['DeviceNotOnline', 'GatewayTimeout']"), ['mute-1', 'off-1']);
    const firstStart = [...records.values()].map((r) => r.startTimeUtc!).sort()[0];
    assert.deepEqual(await ids(`devices.jobs.status = 'failed' AND devices.jobs.startTimeUtc >= '${firstStart}'`), ['mute-1', 'off-1']);
    assert.deepEqual(await ids(`devices.jobs.endTimeUtc < '${firstStart}'`), []);
    assert.deepEqual(await ids("devices.jobs.jobType = 'scheduleDeviceMethod' AND NOT IS_DEFINED(devices.jobs.error)"), ['err-1', 'ok-3']);

    // Each batch activity says what it does to which of the job's devices (the Web UI shows it).
    const batchSummaries = (await jobRunHistories(engine.env.client, 'mixed'))
      .flatMap((run) => run.history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'processDeviceBatch')
      .map((event) => (event.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary) : undefined))
      .sort();
    assert.deepEqual(batchSummaries, ["call method 'reboot' on devices 1–2", "call method 'reboot' on devices 3–4"]);
  });

  it('cancels a queued job (start time now, nothing resolved yet) and a cancelled job stays cancelled', async () => {
    jobIds.push('cancel-queued');
    // A job starting far ahead stays queued/scheduled; cancelling it while its first status is
    // queued (before the workflow ran) and again once it is cancelled.
    const now = await engine.env.currentTimeMs();
    const queued = await engine.createJob('cancel-queued', {
      type: 'scheduleDeviceMethod',
      queryCondition: '*',
      startTime: new Date(now + DAY_MS).toISOString(),
      cloudToDeviceMethod: method(),
    });
    assert.equal(queued.status, 'queued');
    const cancelled = await engine.service.cancel('cancel-queued');
    assert.equal(cancelled.status, 'cancelled');
    const done = await result('cancel-queued');
    assert.equal(done.status, 'cancelled');
    assert.equal((await jobRecords(engine.hub.hub.store, 'cancel-queued')).size, 0);
  });

  it('cancels a scheduled job at once', async () => {
    jobIds.push('cancel-scheduled');
    const now = await engine.env.currentTimeMs();
    await engine.createJob('cancel-scheduled', {
      type: 'scheduleDeviceMethod',
      queryCondition: '*',
      startTime: new Date(now + 3 * DAY_MS).toISOString(),
      cloudToDeviceMethod: method(),
    });
    await waitForJob(engine.service, 'cancel-scheduled', (job) => job.status === 'scheduled');
    const cancelled = await engine.service.cancel('cancel-scheduled');
    assert.equal(cancelled.status, 'cancelled');
    const done = await result('cancel-scheduled');
    assert.equal(done.status, 'cancelled');
    assert.ok(done.endTime);
    assert.equal(done.deviceJobStatistics, undefined, 'no device was resolved');
    assert.equal(done.statusMessage, 'Cancelled before it started');
    assert.equal((await jobRecords(engine.hub.hub.store, 'cancel-scheduled')).size, 0);
    assert.deepEqual(await engine.service.cancel('cancel-scheduled'), done, 'cancelling a finished job returns it unchanged');
  });

  it('cancels a running job: dispatching stops and the devices not started are canceled', async () => {
    jobIds.push('cancel-running');
    await cancelWhileRunning(
      engine,
      'cancel-running',
      { type: 'scheduleDeviceMethod', queryCondition: "STARTSWITH(deviceId, 'slow-')", cloudToDeviceMethod: method() },
      8,
    );
  });

  it('fails a job whose maxExecutionTimeInSeconds runs out, failing the devices not processed', async () => {
    jobIds.push('expiry');
    const records = await expireMethodJob(engine, 'expiry', "deviceId IN ['mute-1', 'ok-1', 'ok-2', 'ok-3', 'err-1']", method());
    const expired = [...records.values()].filter((r) => r.error?.code === 'JobExpired');
    assert.ok(expired.length >= 1, JSON.stringify([...records.values()]));
    assert.ok([...records.values()].every((r) => r.status === 'completed' || r.status === 'failed'));
  });

  it('reads a job whose workflow an operator terminated as failed, and cancelling it changes nothing', async () => {
    jobIds.push('terminated');
    const now = await engine.env.currentTimeMs();
    await engine.createJob('terminated', {
      type: 'scheduleDeviceMethod',
      queryCondition: '*',
      startTime: new Date(now + DAY_MS).toISOString(),
      cloudToDeviceMethod: method(),
    });
    await waitForJob(engine.service, 'terminated', (job) => job.status === 'scheduled');
    await engine.env.client.workflow.getHandle('terminated').terminate('stopped by an operator');
    const job = await engine.service.get('terminated');
    assert.equal(job.status, 'failed');
    assert.equal(job.failureReason, "The job's workflow ended without finishing the job (terminated)");
    assert.equal(job.statusMessage, job.failureReason);
    assert.ok(job.endTime);
    assert.equal(job.deviceJobStatistics, undefined);
    assert.deepEqual(await engine.service.cancel('terminated'), job);
  });

  it('asks Temporal once per request: PUT counts and starts, GET of a running job queries, cancel updates, a list page lists', async () => {
    jobIds.push('thin');
    // A second API over its own connection, which records the calls it makes.
    const calls: string[] = [];
    const recordCalls: Interceptor = (options, next) => {
      calls.push(options.method_definition.path.split('/').pop()!);
      return new InterceptingCall(next(options));
    };
    const connection = await Connection.connect({ address: engine.env.address, interceptors: [recordCalls] });
    try {
      const now = await engine.env.currentTimeMs();
      const service = new JobsService({
        client: new Client({ connection }),
        store: engine.hub.hub.store,
        settings: jobsSettings(),
        taskQueue: JOBS_TASK_QUEUE,
        now: () => new Date(now),
      });
      const callsOf = async (request: () => Promise<unknown>) => {
        calls.length = 0;
        await request();
        return [...calls];
      };
      const body = { type: 'scheduleDeviceMethod', queryCondition: '*', startTime: new Date(now + DAY_MS).toISOString(), cloudToDeviceMethod: method() };
      assert.deepEqual(await callsOf(() => service.create('thin', body)), ['CountWorkflowExecutions', 'StartWorkflowExecution']);
      await waitForJob(service, 'thin', (job) => job.status === 'scheduled');
      assert.deepEqual(await callsOf(() => service.get('thin')), ['QueryWorkflow']);
      assert.deepEqual(await callsOf(() => service.cancel('thin')), ['UpdateWorkflowExecution']);
      await result('thin');
      assert.deepEqual(await callsOf(() => service.get('thin')), [], 'a closed job is read from the store');
      assert.deepEqual(await callsOf(() => service.list({})), ['ListWorkflowExecutions'], 'no call per row');
    } finally {
      await connection.close();
    }
  });

  it('lists each job as GET shows it, from visibility alone', async () => {
    const listed = (await engine.service.list({}, { pageSize: 100 })).items;
    assert.deepEqual(listed.map((job) => job.jobId).sort(), [...jobIds].sort());
    for (const job of listed) assert.deepEqual(job, await engine.service.get(job.jobId), job.jobId);
  });

  it('kept every run within its history bound, and replays every history it produced', async () => {
    for (const jobId of jobIds) {
      const deviceCount = (await engine.service.get(jobId)).deviceJobStatistics?.deviceCount ?? 0;
      assertWithinHistoryBounds(await jobRunHistories(engine.env.client, jobId), jobId, deviceCount, tuning);
    }
    await replayJobHistories(engine.env.client, jobIds, 'job-workflows');
  });
});
