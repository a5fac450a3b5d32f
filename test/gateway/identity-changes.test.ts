import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import type iothub from 'azure-iothub';
import { hubRequest } from '../helpers/hub-http.js';
import {
  assertSdkDeviceRefused,
  eventually,
  openSdkDevice,
  startGatewayHub,
  StoppableRetries,
  withKey,
  type GatewayTestHub,
  type TestDevice,
} from '../helpers/gateway-hub.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

const newKey = () => randomBytes(32).toString('base64');

for (const variant of STORE_VARIANTS) {
  describe(`identity changes reach the gateway (${variant.name})`, { skip: variant.skip }, () => {
    let hub: GatewayTestHub;
    let registry: iothub.Registry;
    let ca: string;
    const clients = new Map<device.Client, StoppableRetries>();

    before(async () => {
      hub = await startGatewayHub({ variant });
      registry = registryFor(hub.hub.connectionString(), { port: hub.hub.api.httpsPort, ca: hub.hub.tls.ca });
      ca = hub.hub.tls.ca;
    });
    /** Closes an SDK device; one refused on reconnect would otherwise retry for minutes. */
    async function close(client: device.Client): Promise<void> {
      clients.get(client)?.stop();
      clients.delete(client);
      await client.close();
    }
    after(async () => {
      await Promise.all([...clients.keys()].map(close));
      await hub?.dispose();
    });

    /** An SDK device that answers `who` with `name`. */
    async function answeringDevice(testDevice: TestDevice, name: string): Promise<device.Client> {
      const retries = new StoppableRetries();
      const client = await openSdkDevice(testDevice, ca, retries);
      clients.set(client, retries);
      client.onDeviceMethod('who', (_request, response) => void response.send(200, name));
      return client;
    }
    const who = (deviceId: string) => hubRequest(hub.hub, { method: 'POST', path: `/twins/${deviceId}/methods`, body: { methodName: 'who' } });
    const errorCodeOf = (res: { body: { Message: string } }) => JSON.parse(res.body.Message).errorCode as number;
    const counters = () => hub.gateway.metrics.counters;
    /** Runs `change` and waits until the gateway has dropped the device and refused the SDK's reconnect. */
    async function expectDropped(deviceId: string, change: () => Promise<unknown>): Promise<void> {
      const { connectionsRevoked, connectionsRefused } = counters();
      await change();
      await eventually(() => counters().connectionsRevoked === connectionsRevoked + 1, 'the connection to be dropped');
      await eventually(() => counters().connectionsRefused > connectionsRefused, "the SDK's reconnect to be refused");
      assert.equal(hub.gateway.isConnected(deviceId), false);
    }

    it('disabling a device drops its connection and refuses it until it is enabled again', async () => {
      const testDevice = await hub.addDevice('to-disable');
      await answeringDevice(testDevice, 'me');
      assert.deepEqual((await who('to-disable')).body, { status: 200, payload: 'me' });

      await expectDropped('to-disable', () => registry.update({ deviceId: 'to-disable', status: 'disabled' }));
      await assertSdkDeviceRefused(testDevice, ca);
      const res = await who('to-disable');
      assert.equal(res.status, 404);
      assert.equal(errorCodeOf(res), 404103, 'DeviceNotOnline: nobody answers for a disabled device');
      await eventually(async () => (await hub.hub.store.getDevice('to-disable'))!.connectionState === 'Disconnected', 'Disconnected');

      // The SDK keeps retrying: once the device is enabled again, it is back by itself.
      await registry.update({ deviceId: 'to-disable', status: 'enabled' });
      await eventually(() => hub.gateway.isConnected('to-disable'), 'the SDK to reconnect');
      assert.deepEqual((await who('to-disable')).body, { status: 200, payload: 'me' });
    });

    it('deleting a device drops its connection', async () => {
      const testDevice = await hub.addDevice('to-delete');
      const client = await answeringDevice(testDevice, 'me');

      await expectDropped('to-delete', () => registry.delete('to-delete'));
      await close(client);
      await assertSdkDeviceRefused(testDevice, ca);
      const res = await who('to-delete');
      assert.equal(res.status, 404);
      assert.match(res.body.Message, /^ErrorCode:DeviceNotFound;/);
    });

    it('changing the key drops the connection made with the old key; the new key connects', async () => {
      const testDevice = await hub.addDevice('to-rekey');
      const oldClient = await answeringDevice(testDevice, 'old key');
      const primaryKey = newKey();

      const newKeys = { primaryKey, secondaryKey: newKey() };
      await expectDropped('to-rekey', () => registry.update({ deviceId: 'to-rekey', authentication: { symmetricKey: newKeys } }));
      await close(oldClient);
      await assertSdkDeviceRefused(testDevice, ca);
      await answeringDevice(withKey(testDevice, primaryKey), 'new key');
      assert.deepEqual((await who('to-rekey')).body, { status: 200, payload: 'new key' });
    });

    it('keeps a connection whose credentials the new identity still accepts', async () => {
      const testDevice = await hub.addDevice('to-keep');
      await answeringDevice(testDevice, 'still here');
      const { connectionsRevoked } = counters();

      // A new reason and a new secondary key: the connection was signed with the primary key.
      await registry.update({ deviceId: 'to-keep', statusReason: 'inventory', authentication: { symmetricKey: { secondaryKey: newKey() } } });
      const checkedUntil = Date.now() + 300;
      while (Date.now() < checkedUntil) {
        assert.equal(hub.gateway.isConnected('to-keep'), true);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(counters().connectionsRevoked, connectionsRevoked);
      assert.deepEqual((await who('to-keep')).body, { status: 200, payload: 'still here' });
    });
  });
}
