import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DesiredPropertiesPatch } from '../../src/registry/model.js';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { waitFor } from '../helpers/wait.js';

const nested = (levels: number): Record<string, unknown> => (levels === 1 ? { k: 1 } : { k: nested(levels - 1) });

for (const variant of STORE_VARIANTS) {
  describe(`REST devices and twins (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    const notified: DesiredPropertiesPatch[] = [];
    const call = (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
      hubRequest(hub, { method, path, ...options });

    before(async () => {
      hub = await startTestHub(variant, { events: { onDesiredChange: (change) => void notified.push(change) } });
    });
    after(() => hub.dispose());
    beforeEach(() => {
      notified.length = 0;
    });

    describe('devices', () => {
      it('PUT creates (JSON, ETag header), a second PUT without If-Match is 409', async () => {
        const created = await call('PUT', '/devices/rest-1', { body: { deviceId: 'rest-1', status: 'disabled' } });
        assert.equal(created.status, 200);
        assert.match(created.headers['content-type'] ?? '', /^application\/json/);
        assert.equal(created.headers.etag, '"MQ=="');
        assert.equal(created.body.status, 'disabled');
        assertHubError(await call('PUT', '/devices/rest-1', { body: {} }), 409, 'DeviceAlreadyExists', /'rest-1' already exists/);
      });

      it('PUT with If-Match replaces; a stale etag is 412 and a malformed one 400, both writing nothing', async () => {
        await call('PUT', '/devices/rest-2', { body: {} });
        assertHubError(await call('PUT', '/devices/rest-2', { body: { status: 'disabled' }, headers: { 'if-match': '"Mg=="' } }), 412, 'PreconditionFailed');
        assertHubError(
          await call('PUT', '/devices/rest-2', { body: { status: 'disabled' }, headers: { 'if-match': '"MQ==' } }),
          400,
          'ArgumentInvalid',
          /If-Match/,
        );
        assert.equal((await hub.store.getDevice('rest-2'))!.status, 'enabled');
        const updated = await call('PUT', '/devices/rest-2', { body: { status: 'disabled' }, headers: { 'if-match': '"MQ=="' } });
        assert.equal(updated.body.status, 'disabled');
        assert.equal(updated.body.etag, 'Mg==');
        assertHubError(await call('PUT', '/devices/rest-missing', { body: {}, headers: { 'if-match': '*' } }), 404, 'DeviceNotFound');
      });

      it('rejects bodies that contradict the path or break the rules, writing nothing', async () => {
        assertHubError(
          await call('PUT', '/devices/rest-3', { body: { deviceId: 'other' } }),
          400,
          'ArgumentInvalid',
          /'other' in the body does not match 'rest-3'/,
        );
        assertHubError(await call('PUT', '/devices/rest-3', { body: { status: 'paused' } }), 400, 'ArgumentInvalid', /Invalid body\.status/);
        assertHubError(
          await call('PUT', '/devices/rest-3', { body: { authentication: { symmetricKey: { primaryKey: 'short' } } } }),
          400,
          'ArgumentInvalid',
          /primaryKey must be base64/,
        );
        assertHubError(await call('PUT', '/devices/rest-3', { body: { capabilities: { iotEdge: 'yes' } } }), 400, 'ArgumentInvalid', /capabilities\.iotEdge/);
        assertHubError(await call('PUT', '/devices/rest-3', { body: { statusReason: 'a\ud800' } }), 400, 'ArgumentInvalid', /unpaired surrogate/);
        assert.equal(await hub.store.getDevice('rest-3'), undefined);
      });

      it('percent-decodes ids and enforces the id rules', async () => {
        const created = await call('PUT', `/devices/${encodeURIComponent("dev:1+2$'")}`, { body: {} });
        assert.equal(created.body.deviceId, "dev:1+2$'");
        assert.equal((await call('GET', `/devices/${encodeURIComponent("dev:1+2$'")}`)).body.deviceId, "dev:1+2$'");
        assertHubError(await call('PUT', '/devices/bad%20id', { body: {} }), 400, 'ArgumentInvalid', /Device id 'bad id' is invalid/);
        assertHubError(await call('PUT', '/devices/a%2Fb', { body: {} }), 400, 'ArgumentInvalid', /Device id 'a\/b' is invalid/);
        assertHubError(await call('GET', `/devices/${'x'.repeat(129)}`), 400, 'ArgumentInvalid', /129 characters long/);
      });

      it('lists with and without a trailing slash, honouring top', async () => {
        const all = await call('GET', '/devices/');
        assert.ok(Array.isArray(all.body) && all.body.length >= 2);
        assert.deepEqual((await call('GET', '/devices')).body, all.body);
        assert.equal((await call('GET', '/devices?top=1')).body.length, 1);
        assertHubError(await call('GET', '/devices?top=0'), 400, 'ArgumentInvalid', /query\.top/);
      });

      it('DELETE answers 204; unknown ids are 404 DeviceNotFound', async () => {
        await call('PUT', '/devices/rest-del', { body: {} });
        assertHubError(await call('DELETE', '/devices/rest-del', { headers: { 'if-match': '"Mg=="' } }), 412, 'PreconditionFailed');
        const deleted = await call('DELETE', '/devices/rest-del', { headers: { 'if-match': '"*"' } });
        assert.equal(deleted.status, 204);
        assert.equal(deleted.text, '');
        assertHubError(await call('GET', '/devices/rest-del'), 404, 'DeviceNotFound', /'rest-del' was not found/);
        assertHubError(await call('DELETE', '/devices/rest-del'), 404, 'DeviceNotFound');
      });
    });

    describe('twins', () => {
      before(async () => {
        await call('PUT', '/devices/twin-1', { body: {} });
      });

      it('GET returns the twin with its etag; unknown devices are 404', async () => {
        const twin = await call('GET', '/twins/twin-1');
        assert.equal(twin.status, 200);
        assert.equal(twin.headers.etag, `"${twin.body.etag}"`);
        assert.equal(twin.body.deviceId, 'twin-1');
        assertHubError(await call('GET', '/twins/nobody'), 404, 'DeviceNotFound');
      });

      it('PATCH accepts quoted, unquoted, * and "*" If-Match and rejects stale ones with 412', async () => {
        let etag: string = (await call('GET', '/twins/twin-1')).body.etag;
        for (const ifMatch of [`"${etag}"`, null, '*', '"*"']) {
          const current: string = (await call('GET', '/twins/twin-1')).body.etag;
          const value = ifMatch ?? current; // unquoted current etag
          const response = await call('PATCH', '/twins/twin-1', { body: { tags: { step: value } }, headers: { 'if-match': value } });
          assert.equal(response.status, 200, response.text);
          etag = response.body.etag;
        }
        const before = (await call('GET', '/twins/twin-1')).body;
        const stale = await call('PATCH', '/twins/twin-1', { body: { tags: { step: 'late' } }, headers: { 'if-match': '"AAAAAAAAAAE="' } });
        assertHubError(stale, 412, 'PreconditionFailed', /etag did not match/);
        assert.deepEqual((await call('GET', '/twins/twin-1')).body, before);
        assert.equal(before.etag, etag);
      });

      it('announces desired changes (PATCH and PUT) to the notifier, not tag-only writes', async () => {
        await call('PATCH', '/twins/twin-1', { body: { tags: { only: 'tags' } } });
        const patched = await call('PATCH', '/twins/twin-1', { body: { properties: { desired: { interval: 10, gone: null } } } });
        await waitFor(() => notified.length === 1, 'the PATCH notification');
        assert.deepEqual(notified[0], { deviceId: 'twin-1', patch: { interval: 10, gone: null }, version: patched.body.properties.desired.$version });
        const replaced = await call('PUT', '/twins/twin-1', { body: { properties: { desired: { mode: 'eco' } } } });
        await waitFor(() => notified.length === 2, 'the PUT notification');
        assert.deepEqual(notified[1], { deviceId: 'twin-1', patch: { mode: 'eco', interval: null }, version: replaced.body.properties.desired.$version });
        assert.deepEqual(replaced.body.properties.desired.mode, 'eco');
        assert.equal(replaced.body.properties.desired.interval, undefined);
      });

      it('properties.desired: null removes every desired property, bumps $version and notifies null per key; tags: null clears tags', async () => {
        await call('PATCH', '/twins/twin-1', { body: { tags: { t: 1 }, properties: { desired: { x: 1, y: { z: 2 } } } } });
        const before = (await call('GET', '/twins/twin-1')).body;
        const cleared = await call('PATCH', '/twins/twin-1', { body: { tags: null, properties: { desired: null } } });
        assert.equal(cleared.status, 200, cleared.text);
        assert.deepEqual(cleared.body.tags, {});
        assert.equal(cleared.body.properties.desired.$version, before.properties.desired.$version + 1);
        assert.deepEqual(Object.keys(cleared.body.properties.desired).sort(), ['$metadata', '$version']);
        await waitFor(() => notified.some((n) => n.version === cleared.body.properties.desired.$version), 'the removal notification');
        const removal = notified.find((n) => n.version === cleared.body.properties.desired.$version)!;
        assert.deepEqual(removal.patch, {
          ...Object.fromEntries(
            Object.keys(before.properties.desired)
              .filter((k) => !k.startsWith('$'))
              .map((k) => [k, null]),
          ),
        });
        assert.deepEqual((await call('GET', '/twins/twin-1')).body, cleared.body);
      });

      it('tolerates SDK extras (empty reported, deviceId, etag, version) and refuses reported content', async () => {
        const ok = await call('PATCH', '/twins/twin-1', {
          body: { deviceId: 'twin-1', etag: null, version: null, tags: { sdk: 'c#' }, properties: { desired: {}, reported: {} } },
        });
        assert.equal(ok.status, 200, ok.text);
        const before = (await call('GET', '/twins/twin-1')).body;
        assertHubError(
          await call('PATCH', '/twins/twin-1', { body: { properties: { reported: { fw: '2.0' } } } }),
          400,
          'ArgumentInvalid',
          /properties\.reported cannot be written by the service/,
        );
        assert.deepEqual((await call('GET', '/twins/twin-1')).body, before);
      });

      it('bad twin content is 400 with a precise message and changes nothing', async () => {
        const before = (await call('GET', '/twins/twin-1')).body;
        const cases: Array<[unknown, RegExp]> = [
          [{ tags: { 'dot.key': 1 } }, /Property name 'dot\.key' in tags contains '\.'/],
          [{ properties: { desired: { $version: 5 } } }, /'\$version' in properties\.desired contains '\$'/],
          [{ properties: { desired: { a: { 'with space': 1 } } } }, /'with space' in properties\.desired\.a contains U\+0020/],
          [{ properties: { desired: nested(12) } }, /nests objects more than 10 levels deep/],
          [{ tags: { list: [1, null] } }, /tags\.list\[1\] is null/],
          [{ tags: { n: 2 ** 53 } }, /outside the supported integer range/],
          [{ tags: { s: 'x'.repeat(4097) } }, /more than the limit of 4096 bytes/],
          [{ tags: { a: 'x'.repeat(4000), b: 'x'.repeat(4000), c: 'x'.repeat(4000) } }, /Twin tags would be 120\d\d bytes, more than the limit of 8192 bytes/],
          [{ tags: 'not an object' }, /Invalid body\.tags: expected a JSON object/],
          [{ properties: { desired: [1] } }, /Invalid body\.properties\.desired: expected a JSON object/],
          // JSON may escape half a surrogate pair; PostgreSQL's jsonb cannot store it (was a 500 there).
          [{ tags: { s: 'a\ud800' } }, /Value of tags\.s contains an unpaired surrogate/],
          [{ properties: { desired: { ['\udc00']: 1 } } }, /in properties\.desired contains U\+DC00/],
        ];
        for (const [body, message] of cases) {
          for (const method of ['PATCH', 'PUT']) {
            assertHubError(await call(method, '/twins/twin-1', { body }), 400, 'ArgumentInvalid', message);
          }
        }
        assert.deepEqual((await call('GET', '/twins/twin-1')).body, before);
        assert.equal(notified.length, 0);
      });
    });
  });
}
