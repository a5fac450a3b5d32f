// Webhook deliveries under @temporalio/testing time skipping (temporal-lite), from real jobs on the
// gateway to an HTTPS receiver the hub trusts by setting: signed CloudEvents in the job's order, each
// accepted once although the receiver failed first, a paused and resumed rollout job's events, a
// receiver down for an hour still served, and a receiver that never answers holding up nothing of the job.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WEBHOOK_EVENT_TYPES, webhookDeliveryWorkflowId, type WebhookEventType } from '../../workflows/webhook-types.js';
import type { JobResponse } from '../../workflows/types.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import { JOBS_TASK_QUEUE } from '../../src/temporal/worker.js';
import { jobEventPublisher } from '../../src/webhooks/publisher.js';
import { reply } from '../jobs/helpers/devices.js';
import { assertWithinHistoryBounds, jobRunHistories, recordHistoryFixtures, replayHistories, type RunHistory } from '../jobs/helpers/jobs.js';
import { startJobsTestEngine, type JobsTestEngine } from '../jobs/helpers/workflow-env.js';
import { receiverCa, startWebhookReceiver, type WebhookReceiver } from './helpers/receiver.js';

const SECRET = 'receiver-shared-secret';
const method = { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 };
const TUNING = { batchSize: 1, batchConcurrency: 1 };

describe('webhook deliveries under time skipping', () => {
  let engine: JobsTestEngine;
  const receivers: WebhookReceiver[] = [];
  const jobResult = (jobId: string) => engine.env.client.workflow.getHandle(jobId).result() as Promise<JobResponse>;
  const deliveriesDone = (hookId: string, jobId: string) => engine.env.client.workflow.getHandle(webhookDeliveryWorkflowId(hookId, jobId)).result();
  const receiver = async (answer: Parameters<typeof startWebhookReceiver>[1]) => {
    const started = await startWebhookReceiver(SECRET, answer);
    receivers.push(started);
    return started;
  };
  const addHook = (id: string, url: string, jobIdPrefix: string, events: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES) =>
    engine.hub.hub.store.putWebhook({ id, url, events: [...events], jobFilter: { jobIdPrefix }, secret: SECRET });

  before(async () => {
    engine = await startJobsTestEngine({ webhooks: { allowPrivateNetworks: false, ca: receiverCa() }, tuning: { scheduleDeviceMethod: TUNING } });
    await engine.devices.connect(['wh-ok-1', 'wh-ok-2'], { answer: () => reply(200, null) });
    await engine.devices.register(['wh-off-1', 'wh-off-2', 'wh-off-3']);
  });
  after(async () => {
    for (const each of receivers) await each.close();
    await engine?.dispose();
  });

  it('a receiver that fails 3 times then succeeds gets each event once, signed, in the order of the job', async () => {
    const flaky = await receiver((_request, index) => (index < 3 ? 503 : 200));
    await addHook('flaky', flaky.url, 'flaky-');
    await engine.createJob('flaky-job', { type: 'scheduleDeviceMethod', queryCondition: "deviceId IN ['wh-ok-1', 'wh-off-1']", cloudToDeviceMethod: method });
    assert.equal((await jobResult('flaky-job')).status, 'completed');
    await deliveriesDone('flaky', 'flaky-job');

    assert.deepEqual(
      flaky.requests.slice(0, 4).map((request) => request.event.type),
      ['job.created', 'job.created', 'job.created', 'job.created'],
      'the first event is retried until accepted',
    );
    const accepted = flaky.accepted();
    assert.deepEqual(
      accepted.map((request) => request.event.type),
      ['job.created', 'job.started', 'job.devicesFailed', 'job.completed'],
    );
    assert.equal(flaky.requests.length, 3 + accepted.length, 'nothing was sent twice once accepted');
    for (const request of flaky.requests) {
      assert.ok(request.verified, `the signature of ${request.event.id} verifies`);
      assert.equal(request.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      assert.equal(request.headers['webhook-id'], request.event.id);
      assert.equal(request.event.specversion, '1.0');
      assert.equal(request.event.source, '/jobs/v2/flaky-job');
    }
    assert.equal(new Set(accepted.map((request) => request.event.id)).size, accepted.length);
    const [created, started, devicesFailed, completed] = accepted.map((request) => request.event);
    assert.equal(created.data.status, 'queued');
    assert.equal(created.data.methodName, 'reboot');
    assert.equal(started.data.status, 'running');
    assert.deepEqual(
      devicesFailed.data.devices.map((device: { deviceId: string; errorCode: string }) => [device.deviceId, device.errorCode]),
      [['wh-off-1', 'DeviceNotOnline']],
    );
    assert.equal(completed.data.status, 'completed');
    assert.deepEqual(completed.data.deviceJobStatistics, { deviceCount: 2, failedCount: 1, succeededCount: 1, runningCount: 0, pendingCount: 0 });

    const history = await engine.hub.hub.store.listWebhookDeliveries('flaky', 10);
    const createdRecord = history.find((record) => record.type === 'job.created');
    assert.equal(createdRecord?.status, 'delivered');
    assert.equal(createdRecord?.attempts, 4);
    assert.equal(createdRecord?.statusCode, 200);
    assert.ok(history.every((record) => record.status === 'delivered'));
  });

  it('device failures are batched: at most one delivery a second, every failed device listed once', async () => {
    const times: number[] = [];
    const batched = await receiver(async (request) => {
      if (request.event.type === 'job.devicesFailed') times.push(await engine.env.currentTimeMs());
      return 200;
    });
    await addHook('batched', batched.url, 'batched-', ['job.devicesFailed', 'job.completed']);
    await engine.createJob('batched-job', {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId IN ['wh-off-1', 'wh-off-2', 'wh-off-3', 'wh-ok-2']",
      cloudToDeviceMethod: method,
    });
    await jobResult('batched-job');
    await deliveriesDone('batched', 'batched-job');
    const failures = batched.accepted().filter((request) => request.event.type === 'job.devicesFailed');
    const listed = failures.flatMap((request) => request.event.data.devices.map((device: { deviceId: string }) => device.deviceId));
    assert.deepEqual(listed.sort(), ['wh-off-1', 'wh-off-2', 'wh-off-3']);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 1000, `failure deliveries ${i - 1} and ${i} are a second apart`);
    assert.equal(batched.accepted().at(-1)?.event.type, 'job.completed');
  });

  it("a rollout job paused and resumed: job.paused and job.resumed in the job's order, the job as it was then", async () => {
    const control = await receiver(() => 200);
    await addHook('control', control.url, 'control-');
    await engine.createJob('control-job', {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId IN ['wh-ok-1', 'wh-ok-2']",
      cloudToDeviceMethod: method,
      rollout: { maxDevicesPerMinute: 1 },
    });
    assert.equal((await engine.service.pause('control-job')).paused, true);
    assert.equal((await engine.service.resume('control-job')).paused, false);
    assert.equal((await jobResult('control-job')).status, 'completed');
    await deliveriesDone('control', 'control-job');
    const events = control.accepted().map((request) => request.event);
    assert.deepEqual(
      events.map((event) => event.type),
      ['job.created', 'job.started', 'job.paused', 'job.resumed', 'job.completed'],
    );
    assert.deepEqual(
      events.map((event) => event.id),
      ['1.job.created', '2.job.started', '3.job.paused', '4.job.resumed', '5.job.completed'].map((id) => `control-job.${id}`),
    );
    const [, , paused, resumed] = events;
    assert.deepEqual(
      [paused.data.status, paused.data.paused, paused.data.statusMessage],
      ['running', true, 'Paused: no device is started until the job is resumed'],
    );
    assert.deepEqual([resumed.data.status, resumed.data.paused], ['running', false]);
    assert.ok(control.requests.every((request) => request.verified && request.headers['webhook-id'] === request.event.id));

    const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;
    const jobRuns = await jobRunHistories(engine.env.client, 'control-job');
    assertWithinHistoryBounds(jobRuns, 'control-job', 2, tuning, true);
    await replayHistories(jobRuns);
    recordHistoryFixtures('webhook-control', jobRuns);
  });

  it('a receiver down for an hour still gets the event, once', async () => {
    const upAt = (await engine.env.currentTimeMs()) + 3600_000;
    const patient = await receiver(async () => ((await engine.env.currentTimeMs()) < upAt ? 503 : 200));
    await addHook('patient', patient.url, 'patient-', ['job.completed']);
    await engine.createJob('patient-job', { type: 'scheduleDeviceMethod', queryCondition: "deviceId IN ['wh-ok-1']", cloudToDeviceMethod: method });
    await jobResult('patient-job');
    await deliveriesDone('patient', 'patient-job');
    assert.ok((await engine.env.currentTimeMs()) >= upAt, 'an hour went by');
    assert.deepEqual(
      patient.accepted().map((request) => request.event.type),
      ['job.completed'],
    );
    assert.ok(patient.requests.length > 5, `retried with backoff (${patient.requests.length} attempts)`);
    const [record] = await engine.hub.hub.store.listWebhookDeliveries('patient', 10);
    assert.equal(record?.status, 'delivered');
    assert.equal(record?.attempts, patient.requests.length);
  });

  it('a receiver that never answers does not hold up the job', async () => {
    const mute = await receiver(() => 'hang');
    await addHook('mute', mute.url, 'mute-');
    await engine.createJob('mute-job', { type: 'scheduleDeviceMethod', queryCondition: "deviceId IN ['wh-ok-1', 'wh-ok-2']", cloudToDeviceMethod: method });
    const done = await jobResult('mute-job');
    assert.equal(done.status, 'completed');
    await mute.received(1);
    assert.ok(
      mute.requests.every((request) => request.answered === 'hang'),
      'the job completed while the receiver held its first event',
    );
    assert.equal(mute.accepted().length, 0);
    const deliveries = engine.env.client.workflow.getHandle(webhookDeliveryWorkflowId('mute', 'mute-job'));
    assert.equal((await deliveries.describe()).status.name, 'RUNNING', 'the deliveries wait for the receiver, the job did not');
    await engine.hub.hub.store.deleteWebhook('mute');
    await deliveries.terminate('test over');
  });

  it('a publish repeated (a local activity retried after a worker crash) is delivered once', async () => {
    const twice = await receiver(() => 200);
    await addHook('twice', twice.url, 'twice-', ['job.created', 'job.completed']);
    const publish = jobEventPublisher(engine.env.client, engine.hub.hub.store, JOBS_TASK_QUEUE);
    const data = { jobId: 'twice-job', type: 'scheduleUpdateTwin' as const, queryCondition: '*', createdTime: '', startTime: '' };
    const event = (type: 'job.created' | 'job.completed', sequence: number) =>
      ({
        kind: 'job',
        type,
        jobId: 'twice-job',
        jobType: 'scheduleUpdateTwin',
        sequence,
        time: new Date().toISOString(),
        data: { ...data, status: 'queued' },
      }) as const;
    await publish(event('job.created', 1));
    await publish(event('job.created', 1));
    await publish(event('job.completed', 2));
    await deliveriesDone('twice', 'twice-job');
    assert.deepEqual(
      twice.accepted().map((request) => request.event.id),
      ['twice-job.1.job.created', 'twice-job.2.job.completed'],
    );
  });

  it('the jobs and their deliveries replay (kept as fixtures with JOBS_RECORD_HISTORIES=1), the jobs within their history bounds', async () => {
    const tuning = jobsSettings({ tuning: { scheduleDeviceMethod: TUNING } }).tuning.scheduleDeviceMethod;
    const runs: RunHistory[] = [];
    for (const [hookId, jobId, deviceCount] of [
      ['flaky', 'flaky-job', 2],
      ['batched', 'batched-job', 4],
      ['patient', 'patient-job', 1],
    ] as const) {
      const jobRuns = await jobRunHistories(engine.env.client, jobId);
      assertWithinHistoryBounds(jobRuns, jobId, deviceCount, tuning);
      const deliveries = engine.env.client.workflow.getHandle(webhookDeliveryWorkflowId(hookId, jobId));
      runs.push(...jobRuns, { workflowId: deliveries.workflowId, runId: (await deliveries.describe()).runId, history: await deliveries.fetchHistory() });
    }
    await replayHistories(runs);
    recordHistoryFixtures('webhooks', runs);
  });
});
