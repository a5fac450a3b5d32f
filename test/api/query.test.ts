import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

const FLEET = ['q-01', 'q-02', 'q-03', 'q-04', 'q-05', 'q-06', 'q-07'];

for (const variant of STORE_VARIANTS) {
  describe(`POST /devices/query (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    let registry: iothub.Registry;
    const query = (text: string, headers: Record<string, string> = {}, auth?: string) =>
      hubRequest(hub, { method: 'POST', path: '/devices/query', body: { query: text }, headers, auth });

    before(async () => {
      hub = await startTestHub(variant);
      registry = registryFor(hub.connectionString(), { port: hub.api.httpsPort, ca: hub.tls.ca });
      for (const [i, deviceId] of FLEET.entries()) {
        await hub.store.createDevice({ deviceId });
        await hub.store.updateTwin(deviceId, { tags: { fleet: 'q', floor: i % 3 } }, { mode: 'patch' });
      }
      await hub.store.createDevice({ deviceId: 'other' });
      // Per-device job records, as the jobs engine writes them.
      for (const deviceId of ['q-01', 'q-02']) {
        const doc = { deviceId, jobId: 'job-1', jobType: 'scheduleUpdateTwin', status: 'completed', createdDateTimeUtc: '2024-01-01T00:00:00Z' };
        await hub.store.db.execute('INSERT INTO device_jobs (job_id, device_id, doc) VALUES ($1, $2, $3)', ['job-1', deviceId, JSON.stringify(doc)]);
      }
    });
    after(() => hub.dispose());

    it('the SDK pages through twins with nextAsTwin', async () => {
      const sdkQuery = registry.createQuery("SELECT * FROM devices WHERE tags.fleet = 'q'", 3);
      const pages: string[][] = [];
      while (sdkQuery.hasMoreResults) {
        const { result } = await sdkQuery.nextAsTwin();
        pages.push(result.map((twin) => twin.deviceId));
      }
      assert.deepEqual(pages, [FLEET.slice(0, 3), FLEET.slice(3, 6), FLEET.slice(6)]);
      const { result } = await registry.createQuery("SELECT * FROM devices WHERE deviceId = 'q-04'").nextAsTwin();
      assert.deepEqual(JSON.parse(JSON.stringify(result[0])), JSON.parse(JSON.stringify((await registry.getTwin('q-04')).responseBody)));
    });

    it('answers a bare array with x-ms-item-type, and x-ms-continuation only while more pages follow', async () => {
      const first = await query("SELECT * FROM devices WHERE tags.fleet = 'q'", { 'x-ms-max-item-count': '5' });
      assert.equal(first.status, 200);
      assert.match(first.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(first.headers['x-ms-item-type'], 'Twin');
      assert.deepEqual(
        first.body.map((twin: { deviceId: string }) => twin.deviceId),
        FLEET.slice(0, 5),
      );
      assert.deepEqual(first.body[0], await hub.store.getTwin('q-01'));
      const token = first.headers['x-ms-continuation'] as string;
      assert.ok(token);
      const last = await query("SELECT * FROM devices WHERE tags.fleet = 'q'", { 'x-ms-max-item-count': '5', 'x-ms-continuation': token });
      assert.deepEqual(
        last.body.map((twin: { deviceId: string }) => twin.deviceId),
        FLEET.slice(5),
      );
      assert.equal(last.headers['x-ms-continuation'], undefined);
    });

    it('projections and GROUP BY are Raw; devices.jobs rows are DeviceJob; devices.modules is empty', async () => {
      const projected = await query('SELECT deviceId, tags.floor AS floor FROM devices WHERE tags.floor = 2');
      assert.equal(projected.headers['x-ms-item-type'], 'Raw');
      assert.deepEqual(projected.body, [
        { deviceId: 'q-03', floor: 2 },
        { deviceId: 'q-06', floor: 2 },
      ]);
      const grouped = await query('SELECT tags.floor AS floor, COUNT() AS n FROM devices WHERE IS_DEFINED(tags.floor) GROUP BY tags.floor');
      assert.deepEqual(grouped.body, [
        { floor: 0, n: 3 },
        { floor: 1, n: 2 },
        { floor: 2, n: 2 },
      ]);
      const jobs = await query("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'job-1'");
      assert.equal(jobs.headers['x-ms-item-type'], 'DeviceJob');
      assert.deepEqual(
        jobs.body.map((row: { deviceId: string; status: string }) => [row.deviceId, row.status]),
        [
          ['q-01', 'completed'],
          ['q-02', 'completed'],
        ],
      );
      const modules = await query('SELECT * FROM devices.modules');
      assert.deepEqual(modules.body, []);
    });

    it('registryRead may query, the device policy may not', async () => {
      assert.equal((await query('SELECT * FROM devices', {}, 'registryRead')).status, 200);
      assertHubError(await query('SELECT * FROM devices', {}, 'device'), 401, 'IotHubUnauthorizedAccess');
    });

    it('bad queries and paging headers are 400 ArgumentInvalid naming the problem', async () => {
      assertHubError(await query('SELECT * FROM'), 400, 'ArgumentInvalid');
      assertHubError(await query("SELECT * FROM devices WHERE CONTAINS(deviceId, 'q')"), 400, 'ArgumentInvalid', /CONTAINS/);
      assertHubError(await query(`SELECT * FROM devices WHERE deviceId = '${'x'.repeat(8200)}'`), 400, 'ArgumentInvalid', /8192/);
      assertHubError(await query('SELECT * FROM devices', { 'x-ms-max-item-count': 'many' }), 400, 'ArgumentInvalid', /x-ms-max-item-count/);
      assertHubError(await query('SELECT * FROM devices', { 'x-ms-continuation': 'not-a-token' }), 400, 'ArgumentInvalid', /continuation/);
      assertHubError(await query("SELECT * FROM devices WHERE tags.s = '\\u0000'"), 400, 'ArgumentInvalid', /U\+0000/);
      const noQuery = await hubRequest(hub, { method: 'POST', path: '/devices/query', body: { sql: 'SELECT * FROM devices' } });
      assertHubError(noQuery, 400, 'ArgumentInvalid', /Invalid body\.query/);
    });
  });
}
