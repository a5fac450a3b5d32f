import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

const errorNamed = (name: string) => (err: unknown) => (err as Error).name === name;

for (const variant of STORE_VARIANTS) {
  describe(`azure-iothub Registry against the hub (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    let registry: iothub.Registry;

    before(async () => {
      hub = await startTestHub(variant);
      registry = registryFor(hub.connectionString(), { port: hub.api.httpsPort, ca: hub.tls.ca });
    });
    after(() => hub.dispose());

    it('creates a device with generated keys, gets and lists it', async () => {
      const { responseBody: created } = await registry.create({ deviceId: 'sdk-dev-1' });
      assert.equal(created.deviceId, 'sdk-dev-1');
      assert.equal(Buffer.from(created.authentication!.symmetricKey!.primaryKey!, 'base64').length, 32);
      assert.equal(created.status, 'enabled');
      const { responseBody: got } = await registry.get('sdk-dev-1');
      assert.equal(got.etag, created.etag);
      assert.equal(got.authentication!.symmetricKey!.primaryKey, created.authentication!.symmetricKey!.primaryKey);
      const { responseBody: list } = await registry.list();
      assert.ok(list.some((device) => device.deviceId === 'sdk-dev-1'));
    });

    it('refuses a duplicate with DeviceAlreadyExistsError', async () => {
      await registry.create({ deviceId: 'sdk-dup' });
      await assert.rejects(registry.create({ deviceId: 'sdk-dup' }), errorNamed('DeviceAlreadyExistsError'));
    });

    it('updates (disables) a device and keeps its keys', async () => {
      const { responseBody: created } = await registry.create({ deviceId: 'sdk-upd' });
      const { responseBody: updated } = await registry.update({
        deviceId: 'sdk-upd',
        status: 'disabled',
        statusReason: 'maintenance',
      } as iothub.Registry.DeviceDescription);
      assert.equal(updated.status, 'disabled');
      assert.notEqual(updated.etag, created.etag);
      assert.equal(updated.authentication!.symmetricKey!.primaryKey, created.authentication!.symmetricKey!.primaryKey);
      const { responseBody: twin } = await registry.getTwin('sdk-upd');
      assert.equal((twin as unknown as { status: string }).status, 'disabled');
    });

    it('deletes a device; getting it then is DeviceNotFoundError', async () => {
      await registry.create({ deviceId: 'sdk-del' });
      await registry.delete('sdk-del');
      await assert.rejects(registry.get('sdk-del'), errorNamed('DeviceNotFoundError'));
      await assert.rejects(registry.delete('sdk-del'), errorNamed('DeviceNotFoundError'));
    });

    it('reads and updates twins with etags: current and * succeed, stale fails with InvalidEtagError', async () => {
      await registry.create({ deviceId: 'sdk-twin' });
      const { responseBody: twin } = await registry.getTwin('sdk-twin');
      assert.equal(twin.etag, 'AAAAAAAAAAE=');
      const { responseBody: first } = await registry.updateTwin('sdk-twin', { tags: { building: '43' }, properties: { desired: { interval: 30 } } }, twin.etag);
      assert.equal(first.etag, 'AAAAAAAAAAI=');
      assert.equal(first.properties.desired.interval, 30);
      await assert.rejects(registry.updateTwin('sdk-twin', { tags: { floor: 1 } }, twin.etag), errorNamed('InvalidEtagError'));
      const { responseBody: forced } = await registry.updateTwin('sdk-twin', { tags: { floor: 1 } }, '*');
      assert.deepEqual(forced.tags, { building: '43', floor: 1 });
      assert.equal((forced as unknown as { version: number }).version, 3 + 1);
    });

    it("Twin.update() uses the twin's own etag", async () => {
      await registry.create({ deviceId: 'sdk-twin-obj' });
      const { responseBody: twin } = await registry.getTwin('sdk-twin-obj');
      await twin.update({ properties: { desired: { mode: 'eco' } } });
      // The SDK copies the hub's answer into the twin object.
      assert.equal(twin.properties.desired.mode, 'eco');
      assert.equal(twin.properties.desired.$version, 2);
      assert.equal(twin.etag, 'AAAAAAAAAAI=');
    });

    it('a twin of an unknown device is DeviceNotFoundError', async () => {
      await assert.rejects(registry.getTwin('sdk-nobody'), errorNamed('DeviceNotFoundError'));
    });
  });
}
