import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Router } from 'express';
import { errorBody } from '../../src/api/error-envelope.js';
import { requirePermission } from '../../src/api/auth.js';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../../src/api/json-body.js';
import { HubError } from '../../src/errors/hub-error.js';
import type { Logger } from '../../src/logger.js';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { errorCollector } from '../helpers/capture-log.js';

describe('error envelopes', () => {
  const at = new Date(Date.UTC(2023, 9, 24, 16, 57, 0));
  it('envelope 1: ErrorCode:<Name>;<text> and the tracking line', () => {
    const body = errorBody(new HubError('DeviceNotFound', 'sensor-01'), '06e0221675514160850421f0b3b787a9', at);
    assert.deepEqual(body, {
      Message: 'ErrorCode:DeviceNotFound;sensor-01',
      ExceptionMessage: 'Tracking ID:06e0221675514160850421f0b3b787a9-G:0-TimeStamp:10/24/2023 16:57:00',
    });
  });

  it('envelope 2: a JSON string with the numeric code', () => {
    const err = new HubError('DeviceNotOnline', 'Timed out waiting for device to connect.', { envelope: 2, info: { timeout: '00:00:00' } });
    const body = errorBody(err, 'b575', at);
    assert.equal(body.ExceptionMessage, '');
    assert.deepEqual(JSON.parse(body.Message), {
      errorCode: 404103,
      trackingId: 'b575',
      message: 'Timed out waiting for device to connect.',
      info: { timeout: '00:00:00' },
      timestampUtc: '2023-10-24T16:57:00.000Z',
    });
  });
});

for (const variant of STORE_VARIANTS) {
  describe(`REST errors and extension seams (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    const logged: string[] = [];
    const log: Logger = errorCollector(logged);

    before(async () => {
      // A router mounted through the seam, as the gateway's methods router will be.
      const probe = Router();
      probe.get('/probe', requirePermission('ServiceConnect'), (_req, res) => {
        res.json({ ok: true });
      });
      probe.get('/probe/crash', requirePermission('ServiceConnect'), () => {
        throw new Error('secret internal detail');
      });
      probe.post('/probe/offline', requirePermission('ServiceConnect'), () => {
        throw new HubError('DeviceNotOnline', 'Device not online.', { envelope: 2 });
      });
      hub = await startTestHub(variant, { routers: [probe], log });
    });
    after(() => hub.dispose());

    it('mounted routers get auth, api-version and error rendering', async () => {
      const ok = await hubRequest(hub, { method: 'GET', path: '/probe', auth: 'service' });
      assert.equal(ok.status, 200);
      assert.match(ok.headers['content-type'] ?? '', /^application\/json/);
      assertHubError(await hubRequest(hub, { method: 'GET', path: '/probe', auth: 'registryRead' }), 401, 'IotHubUnauthorizedAccess');
      assertHubError(await hubRequest(hub, { method: 'GET', path: '/probe', apiVersion: null }), 400, 'InvalidProtocolVersion');
      const offline = await hubRequest(hub, { method: 'POST', path: '/probe/offline', body: {} });
      assert.equal(offline.status, 404);
      assert.equal(offline.headers['iothub-errorcode'], 'DeviceNotOnline');
      assert.equal(JSON.parse(offline.body.Message).errorCode, 404103);
    });

    it('unexpected errors are a logged 500 ServerError without internal details', async () => {
      const response = await hubRequest(hub, { method: 'GET', path: '/probe/crash' });
      assertHubError(response, 500, 'ServerError', /see the hub log/);
      assert.doesNotMatch(response.text, /secret internal detail/);
      const trackingId = /Tracking ID:([0-9a-f]{32})/.exec(response.body.ExceptionMessage)![1]!;
      assert.ok(logged.some((line) => line.includes(trackingId) && line.includes('secret internal detail')));
    });

    it('unknown routes are 404 in the IoT Hub format', async () => {
      assertHubError(await hubRequest(hub, { method: 'GET', path: '/no/such/thing' }), 404, 'GenericNotFound', /GET \/no\/such\/thing/);
      assertHubError(await hubRequest(hub, { method: 'POST', path: '/devices/x', body: {} }), 404, 'GenericNotFound');
    });

    it('requires an api-version from 2018-06-30 on', async () => {
      assertHubError(await hubRequest(hub, { method: 'GET', path: '/devices', apiVersion: null }), 400, 'InvalidProtocolVersion', /is required/);
      for (const old of ['2016-11-14', '2018-06-29', 'latest', '']) {
        assertHubError(await hubRequest(hub, { method: 'GET', path: '/devices', apiVersion: old }), 400, 'InvalidProtocolVersion', /not supported/);
      }
      for (const fine of ['2018-06-30', '2021-04-12', '2030-01-01-preview']) {
        assert.equal((await hubRequest(hub, { method: 'GET', path: '/devices', apiVersion: fine })).status, 200, fine);
      }
      const twice = await hubRequest(hub, { method: 'GET', path: '/devices?api-version=2021-04-12', apiVersion: '2021-04-12' });
      assertHubError(twice, 400, 'InvalidProtocolVersion');
    });

    it('malformed JSON is 400 IotHubFormatError and writes nothing', async () => {
      const response = await hubRequest(hub, { method: 'PUT', path: '/devices/json-bad', rawBody: '{"status": "enabled",' });
      assertHubError(response, 400, 'IotHubFormatError', /not valid JSON/);
      assert.equal(await hub.store.getDevice('json-bad'), undefined);
    });

    it('a body over the transport limit is 413 MessageTooLarge', async () => {
      const huge = JSON.stringify({ tags: { big: 'x'.repeat(MAX_BODY_BYTES) } });
      const response = await hubRequest(hub, { method: 'PUT', path: '/devices/json-huge', rawBody: huge });
      assertHubError(response, 413, 'MessageTooLarge', new RegExp(`limit of ${MAX_BODY_BYTES} bytes`));
      assert.equal(await hub.store.getDevice('json-huge'), undefined);
    });

    it('a body that is not a JSON object is 400 ArgumentInvalid', async () => {
      for (const rawBody of ['[1,2]', '"text"', '42']) {
        assertHubError(await hubRequest(hub, { method: 'PUT', path: '/devices/json-array', rawBody }), 400, 'ArgumentInvalid', /Invalid body/);
      }
    });

    // Found by the REST fuzz: arrays nested 10,000 deep in a twin or job body overflowed the stack of the validators (a 500).
    it(`a body nesting arrays or objects more than ${MAX_BODY_DEPTH} levels deep is 400 ArgumentInvalid and writes nothing`, async () => {
      const nested = (levels: number, open: string, close: string) => `${open.repeat(levels)}1${close.repeat(levels)}`;
      // {"statusReason":null,"x":…}: the body object is level 1, so `levels` arrays make it levels + 1 deep.
      const device = (levels: number) => `{"statusReason":null,"x":${nested(levels, '[', ']')}}`;
      assert.equal((await hubRequest(hub, { method: 'PUT', path: '/devices/json-deep-ok', rawBody: device(MAX_BODY_DEPTH - 1) })).status, 200);
      assertHubError(
        await hubRequest(hub, { method: 'PUT', path: '/devices/json-deep', rawBody: device(MAX_BODY_DEPTH) }),
        400,
        'ArgumentInvalid',
        /more than 64 levels deep/,
      );
      assert.equal(await hub.store.getDevice('json-deep'), undefined);
      await hub.store.createDevice({ deviceId: 'json-deep-twin' });
      const before = await hub.store.getTwin('json-deep-twin');
      for (const inner of [nested(100_000, '[', ']'), nested(40_000, '{"k":', '}')]) {
        const response = await hubRequest(hub, { method: 'PATCH', path: '/twins/json-deep-twin', rawBody: `{"tags":{"a":${inner}}}` });
        assertHubError(response, 400, 'ArgumentInvalid', /more than 64 levels deep/);
      }
      assert.deepEqual(await hub.store.getTwin('json-deep-twin'), before);
    });

    it('bad percent-encoding in a path is 400, not 500', async () => {
      assertHubError(await hubRequest(hub, { method: 'GET', path: '/devices/%ZZ' }), 400, 'ArgumentInvalid');
    });
  });
}
