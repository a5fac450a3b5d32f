import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import { hubRequest, type HubResponse } from '../helpers/hub-http.js';
import { connackCode, mqttDevice, openSdkDevice, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { serviceClientFor } from '../helpers/service-sdk.js';

/** Envelope 2: `Message` is a JSON string with the numeric code (as IoT Hub answers). */
function envelope2(res: HubResponse): { errorCode: number; message: string } {
  assert.equal(res.body.ExceptionMessage, '');
  return JSON.parse(res.body.Message) as { errorCode: number; message: string };
}

describe('direct methods: timeouts, offline devices and bad requests', () => {
  let hub: GatewayTestHub;
  const clients: device.Client[] = [];
  const invoke = (deviceId: string, body: unknown, auth?: string) =>
    hubRequest(hub.hub, { method: 'POST', path: `/twins/${encodeURIComponent(deviceId)}/methods`, body, ...(auth ? { auth } : {}) });
  const open = async (deviceId: string) => {
    const client = await openSdkDevice(await hub.addDevice(deviceId), hub.hub.tls.ca);
    clients.push(client);
    return client;
  };
  const service = () => serviceClientFor(hub.hub.connectionString('service'), { port: hub.hub.api.httpsPort, ca: hub.hub.tls.ca });

  before(async () => {
    hub = await startGatewayHub({ subscribeGraceMs: 1000 });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await hub.dispose();
  });

  it('answers 404 DeviceNotFound (envelope 1) for an unknown device', async () => {
    const res = await invoke('ghost', { methodName: 'm' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['iothub-errorcode'], 'DeviceNotFound');
    assert.match(res.body.Message, /^ErrorCode:DeviceNotFound;/);
    await assert.rejects(service().invokeDeviceMethod('ghost', { methodName: 'm' }), { name: 'DeviceNotFoundError' });
  });

  it('answers 404 404103 DeviceNotOnline (envelope 2) for a registered device that is not connected', async () => {
    await hub.addDevice('offline');
    const started = Date.now();
    const res = await invoke('offline', { methodName: 'm', connectTimeoutInSeconds: 1 });
    assert.ok(Date.now() - started >= 900, 'waited for the connect timeout');
    assert.equal(res.status, 404);
    assert.equal(res.headers['iothub-errorcode'], 'DeviceNotOnline');
    assert.equal(envelope2(res).errorCode, 404103);
    const immediate = await invoke('offline', { methodName: 'm' });
    assert.equal(envelope2(immediate).errorCode, 404103);
    await assert.rejects(service().invokeDeviceMethod('offline', { methodName: 'm' }), (err: Error & { response?: { statusCode: number } }) => {
      assert.equal(err.response?.statusCode, 404);
      return true;
    });
  });

  it('answers 504 504101 GatewayTimeout when the device does not answer in time', async () => {
    const client = await open('slow');
    client.onDeviceMethod('never', () => {});
    const started = Date.now();
    const [res] = await Promise.all([
      invoke('slow', { methodName: 'never', responseTimeoutInSeconds: 5 }),
      assert.rejects(service().invokeDeviceMethod('slow', { methodName: 'unregistered', responseTimeoutInSeconds: 5 }), {
        name: 'GatewayTimeoutError',
      }),
    ]);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 4900 && elapsed < 9000, `answered after ${elapsed} ms`);
    assert.equal(res.status, 504);
    assert.equal(res.headers['iothub-errorcode'], 'GatewayTimeout');
    assert.equal(envelope2(res).errorCode, 504101);
  });

  it('waits up to connectTimeoutInSeconds for a device that connects late', async () => {
    const late = await hub.addDevice('late');
    const pending = invoke('late', { methodName: 'hello', payload: 'x', connectTimeoutInSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const client = await openSdkDevice(late, hub.hub.tls.ca);
    clients.push(client);
    client.onDeviceMethod('hello', (request, response) => void response.send(201, { hi: request.payload }));
    const res = await pending;
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 201, payload: { hi: 'x' } });
  });

  it('gives a connected device a grace period to subscribe to methods, then 404103', async () => {
    const client = await open('unsubscribed');
    const pending = invoke('unsubscribed', { methodName: 'ready' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.onDeviceMethod('ready', (_request, response) => void response.send(200, 'ok'));
    assert.deepEqual((await pending).body, { status: 200, payload: 'ok' });

    await open('never-subscribes');
    const started = Date.now();
    const res = await invoke('never-subscribes', { methodName: 'ready' });
    assert.ok(Date.now() - started >= 900, 'waited for the grace period');
    assert.equal(envelope2(res).errorCode, 404103);
  });

  it('refuses invalid requests with 400 before touching the device', async () => {
    await hub.addDevice('target');
    const bodies = [
      {},
      { methodName: '' },
      { methodName: 'a/b' },
      { methodName: 'x'.repeat(101) },
      { methodName: 'm', responseTimeoutInSeconds: 4 },
      { methodName: 'm', responseTimeoutInSeconds: 301 },
      { methodName: 'm', connectTimeoutInSeconds: 301 },
      { methodName: 'm', payload: 'x'.repeat(128 * 1024) },
    ];
    for (const body of bodies) {
      const res = await invoke('target', body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(res.body.Message, /^ErrorCode:ArgumentInvalid;/);
    }
    const malformed = await hubRequest(hub.hub, { method: 'POST', path: '/twins/target/methods', rawBody: '{"methodName":' });
    assert.equal(malformed.status, 400);
  });

  // Found by the method-answer fuzz: such answers broke the job-record write on PostgreSQL (and a
  // 100,000-deep one the REST answer, a 500); they are kept as the device's text instead.
  it("passes on an answer the hub cannot keep as JSON (U+0000, an unpaired surrogate, nesting past 64 levels) as the device's text", async () => {
    const device = mqttDevice(hub, await hub.addDevice('odd-answers'));
    try {
      assert.equal(await connackCode(device), 0);
      await device.subscribeAsync('$iothub/methods/POST/#', { qos: 0 });
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const answers: Array<[body: string, payload: unknown]> = [
        ['{"a":"\\u0000"}', '{"a":"\\u0000"}'],
        ['["\\ud800"]', '["\\ud800"]'],
        [deep, deep],
        ['not json \u0000', 'not json \ufffd'],
        ['{"fine":[1,"😀"]}', { fine: [1, '😀'] }],
      ];
      for (const [body, payload] of answers) {
        device.removeAllListeners('message');
        device.once('message', (topic) => device.publish(`$iothub/methods/res/200/?$rid=${topic.slice(topic.indexOf('?$rid=') + 6)}`, body));
        const res = await invoke('odd-answers', { methodName: 'odd', responseTimeoutInSeconds: 5 });
        assert.equal(res.status, 200, res.text.slice(0, 200));
        assert.deepEqual(res.body, { status: 200, payload }, body.slice(0, 40));
      }
    } finally {
      await device.endAsync(true);
    }
  });

  it('requires ServiceConnect', async () => {
    const res = await invoke('target', { methodName: 'm' }, 'registryRead');
    assert.equal(res.status, 401);
    assert.equal(res.headers['iothub-errorcode'], 'IotHubUnauthorizedAccess');
  });

  it('answers ModuleNotFound on the module form (no module identities exist)', async () => {
    const known = await hubRequest(hub.hub, { method: 'POST', path: '/twins/target/modules/m1/methods', body: { methodName: 'm' } });
    assert.equal(known.status, 404);
    assert.match(known.body.Message, /^ErrorCode:ModuleNotFound;/);
    const unknown = await hubRequest(hub.hub, { method: 'POST', path: '/twins/ghost/modules/m1/methods', body: { methodName: 'm' } });
    assert.match(unknown.body.Message, /^ErrorCode:DeviceNotFound;/);
  });
});
