// Bulk registry operations through the official service SDK (addDevices, updateDevices,
// removeDevices) and POST /devices as IoT Hub documents it, and the JSON-lines import/export routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

type DeviceDescription = iothub.Registry.DeviceDescription;

for (const variant of STORE_VARIANTS) {
  describe(`bulk registry operations (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    let registry: iothub.Registry;
    const count = async () =>
      (await hubRequest(hub, { method: 'POST', path: '/devices/query', body: { query: 'SELECT COUNT() AS n FROM devices' } })).body[0].n;

    before(async () => {
      hub = await startTestHub(variant);
      registry = registryFor(hub.connectionString(), { port: hub.api.httpsPort, ca: hub.tls.ca });
    });
    after(() => hub.dispose());

    it('adds, updates and removes devices with the SDK (create, Update/UpdateIfMatchETag, Delete)', async () => {
      const { responseBody: added } = await registry.addDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2', status: 'disabled' }] as DeviceDescription[]);
      assert.deepEqual(added, { isSuccessful: true, errors: [], warnings: [] });
      const { responseBody: two } = await registry.get('bulk-2');
      assert.equal(two.status, 'disabled');

      await registry.updateDevices([{ deviceId: 'bulk-2', status: 'enabled' }] as DeviceDescription[], true);
      assert.equal((await registry.get('bulk-2')).responseBody.status, 'enabled');
      const { responseBody: one } = await registry.get('bulk-1');
      await registry.updateDevices([{ deviceId: 'bulk-1', etag: one.etag, status: 'disabled' }] as DeviceDescription[], false);
      assert.equal((await registry.get('bulk-1')).responseBody.status, 'disabled');

      await registry.removeDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2' }] as DeviceDescription[], true);
      assert.equal((await hubRequest(hub, { method: 'GET', path: '/devices/bulk-1' })).status, 404);
    });

    it('reports per-device errors with IoT Hub codes and applies the other operations', async () => {
      await registry.create({ deviceId: 'exists' });
      const res = await hubRequest(hub, {
        method: 'POST',
        path: '/devices',
        body: [
          { id: 'exists', importMode: 'create' },
          { id: 'fresh', importMode: 'create' },
          { id: 'missing', importMode: 'update' },
          { id: 'gone', importMode: 'delete' },
        ],
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.isSuccessful, false);
      assert.deepEqual(
        res.body.errors.map((error: { deviceId: string; errorCode: string }) => [error.deviceId, error.errorCode]),
        [
          ['exists', 'DeviceAlreadyExists'],
          ['missing', 'DeviceNotFound'],
          ['gone', 'DeviceNotFound'],
        ],
      );
      assert.equal((await hubRequest(hub, { method: 'GET', path: '/devices/fresh' })).status, 200, 'the valid operation was applied');

      const stale = await hubRequest(hub, { method: 'POST', path: '/devices', body: [{ id: 'exists', importMode: 'deleteIfMatchETag', eTag: 'OTk=' }] });
      assert.deepEqual(
        stale.body.errors.map((error: { errorCode: string }) => error.errorCode),
        ['PreconditionFailed'],
      );
      const badKey = await hubRequest(hub, {
        method: 'POST',
        path: '/devices',
        body: [{ id: 'k', importMode: 'create', authentication: { symmetricKey: { primaryKey: 'short' } } }],
      });
      assert.deepEqual(
        badKey.body.errors.map((error: { errorCode: string }) => error.errorCode),
        ['ArgumentInvalid'],
      );
    });

    it('refuses a whole call with duplicate ids, an unknown importMode, no id or more than 100 devices, writing nothing', async () => {
      const before = await count();
      const cases: Array<[unknown, RegExp]> = [
        [
          [
            { id: 'dup', importMode: 'create' },
            { id: 'dup', importMode: 'delete' },
          ],
          /only once/,
        ],
        [
          [
            { id: 'a1', importMode: 'create' },
            { id: 'a2', importMode: 'explode' },
          ],
          /importMode 'explode'/,
        ],
        [[{ importMode: 'create' }], /id is required/],
        [Array.from({ length: 101 }, (_, i) => ({ id: `many-${i}`, importMode: 'create' })), /1 to 100 devices, not 101/],
        [{ id: 'not-an-array' }, /JSON array/],
      ];
      for (const [body, message] of cases) assertHubError(await hubRequest(hub, { method: 'POST', path: '/devices', body }), 400, 'ArgumentInvalid', message);
      await assert.rejects(registry.addDevices([{ deviceId: 'sdk-dup' }, { deviceId: 'sdk-dup' }] as DeviceDescription[]));
      assert.equal(await count(), before);
    });

    it('imports JSON lines in the export format (with twins and edge scopes) and exports them again', async () => {
      const lines = [
        { id: 'imp-gw', capabilities: { iotEdge: true }, deviceScope: 'ms-azure-iot-edge://imp-gw-638316034265745064' },
        {
          id: 'imp-leaf',
          deviceScope: 'ms-azure-iot-edge://imp-gw-638316034265745064',
          tags: { site: 'b1' },
          properties: { desired: { rate: 5, $version: 3 } },
        },
        {
          id: 'imp-key',
          authentication: {
            type: 'sas',
            symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64'), secondaryKey: Buffer.alloc(32, 2).toString('base64') },
          },
        },
        'not json',
        { id: 'bad id!' },
      ];
      const body = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
      const res = await hubRequest(hub, { method: 'POST', path: '/registry/import', headers: { 'content-type': 'application/x-ndjson' }, rawBody: body });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.processed, 5);
      assert.equal(res.body.succeeded, 3);
      assert.deepEqual(
        res.body.errors.map((error: { line?: number; deviceId?: string; errorCode: string }) => [error.line ?? error.deviceId, error.errorCode]),
        [
          [4, 'ArgumentInvalid'],
          ['bad id!', 'ArgumentInvalid'],
        ],
      );
      const leaf = (await hubRequest(hub, { method: 'GET', path: '/twins/imp-leaf' })).body;
      assert.deepEqual([leaf.tags, leaf.properties.desired.rate, leaf.parentScopes], [{ site: 'b1' }, 5, ['ms-azure-iot-edge://imp-gw-638316034265745064']]);

      const exported = await hubRequest(hub, { method: 'GET', path: '/registry/export' });
      assert.equal(exported.status, 200);
      assert.match(String(exported.headers['content-type']), /application\/x-ndjson/);
      const rows = exported.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const key = rows.find((row) => row.id === 'imp-key');
      assert.equal(key.authentication.symmetricKey.primaryKey, Buffer.alloc(32, 1).toString('base64'));
      assert.deepEqual(
        rows.map((row) => row.id),
        [...rows.map((row) => row.id)].sort(),
        'in device id order',
      );
      assert.equal(rows.find((row) => row.id === 'imp-leaf').tags.site, 'b1');
    });
  });
}
