import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import device from 'azure-iot-device';
import { hubRequest } from '../helpers/hub-http.js';
import { eventually, openSdkDevice, startGatewayHub, type GatewayTestHub, type TestDevice } from '../helpers/gateway-hub.js';
import { registryFor, serviceClientFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

type Twin = Awaited<ReturnType<device.Client['getTwin']>>;

const updateReported = (twin: Twin, patch: Record<string, unknown>) =>
  new Promise<void>((resolve, reject) => twin.properties.reported.update(patch, (err?: Error) => (err ? reject(err) : resolve())));

for (const variant of STORE_VARIANTS) {
  describe(`official device SDK against the gateway (${variant.name})`, { skip: variant.skip }, () => {
    let hub: GatewayTestHub;
    let testDevice: TestDevice;
    let client: device.Client;
    let twin: Twin;
    const desiredSeen: Array<Record<string, unknown>> = [];
    const address = () => ({ port: hub.hub.api.httpsPort, ca: hub.hub.tls.ca });

    before(async () => {
      hub = await startGatewayHub({ variant });
      testDevice = await hub.addDevice('sdk-dev');
      client = await openSdkDevice(testDevice, hub.hub.tls.ca);
      client.onDeviceMethod('echo', (request, response) => {
        void response.send(200, { echo: request.payload, rid: request.requestId });
      });
      client.onDeviceMethod('fail', (_request, response) => void response.send(500));
      twin = await client.getTwin();
      twin.on('properties.desired', (desired: Record<string, unknown>) => desiredSeen.push(JSON.parse(JSON.stringify(desired))));
    });
    after(async () => {
      await client?.close();
      await hub?.dispose();
    });

    it('shows the device connected in the registry and the twin', async () => {
      const registry = registryFor(hub.hub.connectionString(), address());
      const { responseBody: identity } = await registry.get(testDevice.deviceId);
      assert.equal(identity.connectionState, 'Connected');
      const { responseBody: serviceTwin } = await registry.getTwin(testDevice.deviceId);
      assert.equal((serviceTwin as unknown as { connectionState: string }).connectionState, 'Connected');
    });

    it('answers a direct method invoked through POST /twins/{id}/methods', async () => {
      const res = await hubRequest(hub.hub, {
        method: 'POST',
        path: `/twins/${testDevice.deviceId}/methods`,
        body: { methodName: 'echo', payload: { n: 1, s: 'x' }, responseTimeoutInSeconds: 10 },
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /application\/json/);
      assert.equal(res.body.status, 200);
      assert.deepEqual(res.body.payload.echo, { n: 1, s: 'x' });
    });

    it('answers a direct method invoked with azure-iothub Client.invokeDeviceMethod', async () => {
      const service = serviceClientFor(hub.hub.connectionString('service'), address());
      const { result } = await service.invokeDeviceMethod(testDevice.deviceId, { methodName: 'echo', payload: [1, 2] });
      assert.equal((result as { status: number }).status, 200);
      assert.deepEqual((result as { payload: { echo: unknown } }).payload.echo, [1, 2]);
      const empty = await service.invokeDeviceMethod(testDevice.deviceId, { methodName: 'fail' });
      assert.deepEqual(empty.result, { status: 500, payload: null });
    });

    it('serves getTwin and stores reported properties the service can read', async () => {
      assert.equal(typeof twin.properties.desired.$version, 'number');
      assert.equal(typeof twin.properties.reported.$version, 'number');
      await updateReported(twin, { firmware: '1.2.3', nested: { a: 1 } });
      const res = await hubRequest(hub.hub, { method: 'GET', path: `/twins/${testDevice.deviceId}` });
      assert.equal(res.body.properties.reported.firmware, '1.2.3');
      assert.deepEqual(res.body.properties.reported.nested, { a: 1 });
      assert.equal(res.body.properties.reported.$version, 2);
      await updateReported(twin, { nested: null });
      const after = await hubRequest(hub.hub, { method: 'GET', path: `/twins/${testDevice.deviceId}` });
      assert.equal(after.body.properties.reported.nested, undefined);
      assert.equal(after.body.properties.reported.$version, 3);
    });

    it('fails an invalid reported patch on the device side', async () => {
      await assert.rejects(updateReported(twin, { 'bad.key': 1 }), /./);
      await assert.rejects(updateReported(twin, { $bad: 1 }), /./);
    });

    it('delivers desired changes made with Registry.updateTwin to the desired listener', async () => {
      const registry = registryFor(hub.hub.connectionString(), address());
      await registry.updateTwin(testDevice.deviceId, { properties: { desired: { interval: 30 } } }, '*');
      await eventually(() => desiredSeen.some((d) => d.interval === 30), 'the desired patch');
      assert.equal(twin.properties.desired.interval, 30);
    });

    it('accepts and counts telemetry', async () => {
      const before = hub.gateway.metrics.telemetryFrom(testDevice.deviceId);
      const message = new device.Message(JSON.stringify({ temperature: 21.5 }));
      message.properties.add('alert', 'high temp');
      await client.sendEvent(message);
      assert.equal(hub.gateway.metrics.telemetryFrom(testDevice.deviceId), before + 1);
      await eventually(async () => (await hub.hub.store.getDevice(testDevice.deviceId))!.lastActivityTime > '0001', 'lastActivityTime');
    });

    it('keeps twin requests, desired patches and methods working after a server-side drop', async () => {
      const connects = hub.gateway.metrics.counters.connectionsAccepted;
      assert.equal(hub.gateway.disconnectDevice(testDevice.deviceId), true);
      await eventually(
        () => hub.gateway.metrics.counters.connectionsAccepted > connects && hub.gateway.isConnected(testDevice.deviceId),
        'the SDK to reconnect',
      );
      const again = await client.getTwin();
      assert.equal(again.properties.desired.interval, 30);
      const registry = registryFor(hub.hub.connectionString(), address());
      await registry.updateTwin(testDevice.deviceId, { properties: { desired: { interval: 60 } } }, '*');
      await eventually(() => desiredSeen.some((d) => d.interval === 60), 'the desired patch after reconnecting');
      const res = await hubRequest(hub.hub, {
        method: 'POST',
        path: `/twins/${testDevice.deviceId}/methods`,
        body: { methodName: 'echo', payload: 'again' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.payload.echo, 'again');
      assert.equal((await hub.hub.store.getDevice(testDevice.deviceId))!.connectionState, 'Connected');
    });

    it('delivers a REST PUT /twins replacement as a patch that deletes the desired keys it drops', async () => {
      const seenBefore = desiredSeen.length;
      const res = await hubRequest(hub.hub, {
        method: 'PUT',
        path: `/twins/${testDevice.deviceId}`,
        headers: { 'if-match': '*' },
        body: { properties: { desired: { mode: 'eco' } } },
      });
      assert.equal(res.status, 200);
      const version = res.body.properties.desired.$version;
      await eventually(() => desiredSeen.length > seenBefore && desiredSeen.at(-1)!.mode === 'eco', 'the replacement patch');
      assert.deepEqual(desiredSeen.at(-1), { mode: 'eco', interval: null, $version: version });
      assert.equal(twin.properties.desired.mode, 'eco');
      assert.equal(twin.properties.desired.interval, undefined, 'the device SDK dropped the deleted key');
    });

    it('delivers properties.desired: null as a patch deleting every desired key', async () => {
      const registry = registryFor(hub.hub.connectionString(), address());
      const { responseBody } = await registry.updateTwin(testDevice.deviceId, { properties: { desired: null } }, '*');
      const version = responseBody.properties.desired.$version;
      await eventually(() => desiredSeen.at(-1)?.$version === version, 'the removal patch');
      assert.deepEqual(desiredSeen.at(-1), { mode: null, $version: version });
      assert.equal(twin.properties.desired.mode, undefined);
    });

    it('marks the device disconnected when it closes', async () => {
      await client.close();
      await eventually(async () => (await hub.hub.store.getDevice(testDevice.deviceId))!.connectionState === 'Disconnected', 'Disconnected');
      const twinNow = await hub.hub.store.getTwin(testDevice.deviceId);
      assert.equal(twinNow!.connectionState, 'Disconnected');
    });
  });
}
