// End to end: the official azure-iothub JobClient against a running hub (gateway + jobs parts,
// temporal-lite), official azure-iot-device clients answering methods and receiving desired
// properties, results read through `devices.jobs` queries with the official Registry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import type iothub from 'azure-iothub';
import type { JobResponse } from '../../workflows/types.js';
import { hubRequest, assertHubError } from '../helpers/hub-http.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { eventually } from '../helpers/gateway-hub.js';
import { startJobsHub, type JobsTestHub } from './helpers/jobs-hub.js';

type Twin = Awaited<ReturnType<device.Client['getTwin']>>;

/** Every row of a devices.jobs query, following continuations the way the SDK's paging bug allows. */
/** The fields of a devices.jobs row these tests read. */
interface DeviceJobRow {
  deviceId: string;
  status: string;
  jobType: string;
  outcome: unknown;
  error?: { code: string };
}

async function queryAll(registry: iothub.Registry, sql: string): Promise<DeviceJobRow[]> {
  const query = registry.createQuery(sql, 2);
  const rows: DeviceJobRow[] = [];
  do {
    const { result } = await (query.continuationToken ? query.next(query.continuationToken) : query.next());
    rows.push(...(result as DeviceJobRow[]));
  } while (query.hasMoreResults);
  return rows;
}

for (const variant of STORE_VARIANTS) {
  describe(`jobs through the official SDKs (${variant.name})`, { skip: variant.skip }, () => {
    let hub: JobsTestHub;
    let jobs: iothub.JobClient;
    let registry: iothub.Registry;
    const desiredSeen = new Map<string, Array<Record<string, unknown>>>();

    const finished = (jobId: string) =>
      eventually(
        async () => {
          const { jobStatus } = await jobs.getJob(jobId);
          return ['completed', 'failed', 'cancelled'].includes(jobStatus.status) ? (jobStatus as JobResponse) : undefined;
        },
        `job ${jobId} to finish`,
        30_000,
      );

    before(async () => {
      hub = await startJobsHub({ variant });
      jobs = jobClientFor(hub.hub.connectionString(), hub.address);
      registry = registryFor(hub.hub.connectionString(), hub.address);
      for (const deviceId of ['sdk-a', 'sdk-b', 'sdk-c']) {
        const client = await hub.openDevice(deviceId);
        client.onDeviceMethod('reboot', (request, response) => {
          if (deviceId === 'sdk-c') void response.send(503, { busy: true });
          else void response.send(200, { rebooted: deviceId, asked: request.payload });
        });
        const twin: Twin = await client.getTwin();
        desiredSeen.set(deviceId, []);
        twin.on('properties.desired', (desired: Record<string, unknown>) => desiredSeen.get(deviceId)!.push(JSON.parse(JSON.stringify(desired))));
      }
      await hub.hub.store.createDevice({ deviceId: 'sdk-offline' });
    });
    after(() => hub?.dispose());

    it('runs a direct-method job: scheduleDeviceMethod, getJob, devices.jobs records', async () => {
      const { jobStatus } = await jobs.scheduleDeviceMethod('method-job', "deviceId IN ['sdk-a', 'sdk-b', 'sdk-c', 'sdk-offline']", {
        methodName: 'reboot',
        payload: { now: true },
        responseTimeoutInSeconds: 10,
      });
      assert.equal(jobStatus.jobId, 'method-job');
      assert.equal(jobStatus.type, 'scheduleDeviceMethod');
      assert.equal(jobStatus.status, 'queued');
      assert.equal(jobStatus.maxExecutionTimeInSeconds, 3600);
      assert.equal(jobStatus.startTime, jobStatus.createdTime);
      assert.match(jobStatus.createdTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);

      const done = await finished('method-job');
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 1, succeededCount: 3, runningCount: 0, pendingCount: 0 });
      assert.equal(done.statusMessage, 'Every device was processed: 3 succeeded, 1 failed');
      assert.ok(done.endTime && done.endTime >= done.startTime);

      const rows = await queryAll(registry, "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'method-job'");
      const byId = new Map(rows.map((row) => [row.deviceId, row]));
      assert.equal(rows.length, 4);
      assert.deepEqual(byId.get('sdk-a')!.outcome, { deviceMethodResponse: { status: 200, payload: { rebooted: 'sdk-a', asked: { now: true } } } });
      assert.deepEqual(byId.get('sdk-c')!.outcome, { deviceMethodResponse: { status: 503, payload: { busy: true } } });
      assert.equal(byId.get('sdk-c')!.status, 'completed');
      assert.equal(byId.get('sdk-offline')!.status, 'failed');
      assert.equal(byId.get('sdk-offline')!.error?.code, 'DeviceNotOnline');
      const failed = await queryAll(registry, "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'method-job' AND devices.jobs.status = 'failed'");
      assert.deepEqual(
        failed.map((row) => row.deviceId),
        ['sdk-offline'],
      );
    });

    it('runs a twin job: scheduleTwinUpdate forces the patch, bumps versions, notifies connected devices', async () => {
      const before = (await registry.getTwin('sdk-a')).responseBody as unknown as { version: number; properties: { desired: { $version: number } } };
      const patch = { etag: '*', tags: { building: '43' }, properties: { desired: { telemetryInterval: 30 } } };
      const { jobStatus } = await jobs.scheduleTwinUpdate('twin-job', "deviceId IN ['sdk-a', 'sdk-b']", patch);
      assert.deepEqual(jobStatus.updateTwin, patch);
      const done = await finished('twin-job');
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 2, failedCount: 0, succeededCount: 2, runningCount: 0, pendingCount: 0 });

      const twin = (await registry.getTwin('sdk-a')).responseBody as unknown as {
        tags: Record<string, unknown>;
        version: number;
        properties: { desired: Record<string, unknown> & { $version: number } };
      };
      assert.equal(twin.tags.building, '43');
      assert.equal(twin.properties.desired.telemetryInterval, 30);
      assert.equal(twin.properties.desired.$version, before.properties.desired.$version + 1);
      assert.equal(twin.version, before.version + 1);
      for (const deviceId of ['sdk-a', 'sdk-b']) {
        await eventually(() => desiredSeen.get(deviceId)!.some((d) => d.telemetryInterval === 30), `${deviceId} to receive the desired change`);
      }
      assert.ok(!desiredSeen.get('sdk-c')!.some((d) => d.telemetryInterval === 30), 'a device outside the condition is not touched');
      const rows = await queryAll(registry, "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'twin-job'");
      assert.deepEqual(rows.map((row) => [row.deviceId, row.status, row.jobType, JSON.stringify(row.outcome)]).sort(), [
        ['sdk-a', 'completed', 'scheduleUpdateTwin', '{"deviceMethodResponse":null}'],
        ['sdk-b', 'completed', 'scheduleUpdateTwin', '{"deviceMethodResponse":null}'],
      ]);
    });

    it('cancels a scheduled job with cancelJob, and reports unknown jobs as JobNotFound', async () => {
      const startTime = new Date(Date.now() + 3600_000);
      const { jobStatus } = await jobs.scheduleDeviceMethod(
        'later-job',
        '*',
        { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 },
        startTime,
        600,
      );
      assert.equal(Date.parse(jobStatus.startTime), startTime.getTime());
      await eventually(async () => (await jobs.getJob('later-job')).jobStatus.status === 'scheduled', 'the job to be scheduled');
      const { jobStatus: cancelled } = await jobs.cancelJob('later-job');
      assert.equal(cancelled.status, 'cancelled');
      const done = await finished('later-job');
      assert.equal(done.status, 'cancelled');
      assert.ok(done.endTime);
      assert.deepEqual((await jobs.cancelJob('later-job')).jobStatus, done, 'cancelling a finished job returns it unchanged');

      await assert.rejects(jobs.getJob('no-such-job'), /Not found/);
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/no-such-job' }), 404, 'JobNotFound');
      assertHubError(await hubRequest(hub.hub, { method: 'POST', path: '/jobs/v2/no-such-job/cancel' }), 404, 'JobNotFound');
    });

    it('lists jobs with createQuery: filters, page size and continuation', async () => {
      const all: JobResponse[] = [];
      const query = jobs.createQuery(undefined, undefined, 2);
      do {
        const { result, message } = await (query.continuationToken ? query.next(query.continuationToken) : query.next());
        assert.ok((result as unknown[]).length <= 2);
        assert.equal(message.headers['x-ms-item-type'], 'JobResponse');
        all.push(...(result as JobResponse[]));
      } while (query.hasMoreResults);
      assert.deepEqual(all.map((job) => job.jobId).sort(), ['later-job', 'method-job', 'twin-job']);
      assert.equal(all.find((job) => job.jobId === 'twin-job')!.status, 'completed');

      const twins = await jobs.createQuery('scheduleUpdateTwin').next();
      assert.deepEqual(
        (twins.result as JobResponse[]).map((job) => job.jobId),
        ['twin-job'],
      );
      const cancelled = await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query?jobStatus=Cancelled&jobType=ScheduleDeviceMethod' });
      assert.equal(cancelled.status, 200);
      assert.deepEqual(
        cancelled.body.map((job: JobResponse) => job.jobId),
        ['later-job'],
      );
      assert.equal(cancelled.headers['x-ms-continuation'], undefined);
      const paged = await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query?pageSize=1' });
      assert.equal(paged.body.length, 1);
      const next = await hubRequest(hub.hub, {
        method: 'GET',
        path: `/jobs/v2/query?pageSize=1&continuationToken=${encodeURIComponent(String(paged.headers['x-ms-continuation']))}`,
      });
      assert.equal(next.body.length, 1);
      assert.notEqual(next.body[0].jobId, paged.body[0].jobId);
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query?jobStatus=sleeping' }), 400, 'ArgumentInvalid');
      const none = await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query?jobStatus=unknown' });
      assert.deepEqual(none.body, []);
    });

    it('accepts a twin job whose patch is empty, and runs it as a no-op on each device', async () => {
      const empty = { etag: '*', tags: {}, properties: { desired: {}, reported: {} } };
      const later = await jobs.scheduleTwinUpdate('empty-later', '*', empty, new Date(Date.now() + 3600_000));
      assert.deepEqual(later.jobStatus.updateTwin, empty);
      await eventually(async () => (await jobs.getJob('empty-later')).jobStatus.status === 'scheduled', 'the empty job to be scheduled');
      await jobs.cancelJob('empty-later');

      const before = (await registry.getTwin('sdk-a')).responseBody;
      await jobs.scheduleTwinUpdate('empty-now', "deviceId = 'sdk-a'", empty);
      const done = await finished('empty-now');
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 1, failedCount: 0, succeededCount: 1, runningCount: 0, pendingCount: 0 });
      const after = (await registry.getTwin('sdk-a')).responseBody;
      assert.equal(after.etag, before.etag, 'the twin was not written');
      assert.equal(after.properties.desired.$version, before.properties.desired.$version);
    });
  });
}
