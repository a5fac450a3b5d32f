// The jobs API while no worker runs the jobs (workers down, or not started yet): reads answer
// from visibility in bounded time, a cancellation that no worker takes is a 503, never a hang.
import { Client, Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';
import { HubError } from '../../src/errors/hub-error.js';
import { JobsService } from '../../src/jobs/service.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import { ensureJobSearchAttributes } from '../../src/temporal/search-attributes.js';
import { JOBS_TASK_QUEUE } from '../../src/temporal/worker.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

describe('jobs API without a worker', () => {
  let temporal: TemporalLite;
  let connection: Connection;
  let store: TestStore;
  let service: JobsService;
  before(async () => {
    temporal = await startTemporalLite({ logger: stderrLogger('error') });
    connection = await Connection.connect({ address: temporal.address });
    await ensureJobSearchAttributes(connection, 'default');
    store = await openTestStore(STORE_VARIANTS[0]!);
    service = new JobsService({
      client: new Client({ connection }),
      store: store.store,
      settings: jobsSettings({}),
      taskQueue: JOBS_TASK_QUEUE,
      workerDeadlineMs: 500,
    });
  });
  after(async () => {
    await connection?.close();
    await temporal?.close();
    await store?.dispose();
  });

  it('shows a job no worker has picked up as queued, lists it, and refuses its cancellation with 503', async () => {
    await service.create('waiting', { type: 'scheduleDeviceMethod', queryCondition: '*', cloudToDeviceMethod: { methodName: 'reboot' } });
    const job = await service.get('waiting');
    assert.equal(job.status, 'queued');
    assert.equal(job.jobId, 'waiting');
    assert.equal(job.deviceJobStatistics, undefined);
    assert.deepEqual(
      (await service.list({})).items.map((listed) => [listed.jobId, listed.status]),
      [['waiting', 'queued']],
    );
    await assert.rejects(service.cancel('waiting'), (err: unknown) => {
      assert.ok(err instanceof HubError, String(err));
      assert.equal(err.code, 'ServiceUnavailable');
      assert.match(err.message, /No job worker took the cancellation of job 'waiting' within 0.5 s; try again/);
      return true;
    });
  });
});
