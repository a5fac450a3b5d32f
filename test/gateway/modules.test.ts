// Module identities end to end: the official service SDK's module registry, module twins and module
// direct methods, the official device SDK's ModuleClient (`ModuleId=` connection strings) over MQTT,
// `devices.modules` queries, and modules going with their device.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import common from 'azure-iot-common';
import device from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import type iothub from 'azure-iothub';
import { eventually, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { registryFor, serviceClientFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

type ModuleTwin = Awaited<ReturnType<device.ModuleClient['getTwin']>>;

for (const variant of STORE_VARIANTS) {
  describe(`module identities (${variant.name})`, { skip: variant.skip }, () => {
    let hub: GatewayTestHub;
    let registry: iothub.Registry;
    let service: iothub.Client;
    const clients: device.ModuleClient[] = [];

    async function openModule(deviceId: string, moduleId: string): Promise<device.ModuleClient> {
      const { responseBody: module } = await registry.getModule(deviceId, moduleId);
      const key = module.authentication?.symmetricKey?.primaryKey;
      const client = device.ModuleClient.fromConnectionString(
        `HostName=${hub.hub.hostName};DeviceId=${deviceId};ModuleId=${moduleId};SharedAccessKey=${key};GatewayHostName=localhost:${hub.gateway.port}`,
        mqttTransport.Mqtt,
      );
      clients.push(client);
      await client.setOptions({ ca: hub.hub.tls.ca } as device.DeviceClientOptions);
      client.setRetryPolicy(new common.NoRetry());
      await client.open();
      return client;
    }

    before(async () => {
      hub = await startGatewayHub({ variant });
      const address = { port: hub.hub.api.httpsPort, ca: hub.hub.tls.ca };
      registry = registryFor(hub.hub.connectionString(), address);
      service = serviceClientFor(hub.hub.connectionString('service'), address);
      await hub.addDevice('edge-1');
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await hub?.dispose();
    });

    it('adds, reads, lists, updates (etag, force) and refuses duplicates and modules of missing devices', async () => {
      const { responseBody: created } = await registry.addModule({ deviceId: 'edge-1', moduleId: 'sensor' } as iothub.Module);
      assert.equal(created.moduleId, 'sensor');
      assert.equal(created.deviceId, 'edge-1');
      assert.equal(created.etag, 'MQ==');
      assert.equal(created.connectionState, 'Disconnected');
      assert.equal(Buffer.from(created.authentication?.symmetricKey?.primaryKey ?? '', 'base64').length, 32);
      await registry.addModule({ deviceId: 'edge-1', moduleId: 'filter', managedBy: 'iotEdge' } as iothub.Module);

      const { responseBody: listed } = await registry.getModulesOnDevice('edge-1');
      assert.deepEqual(
        listed.map((module) => module.moduleId),
        ['filter', 'sensor'],
      );
      assert.equal(listed[0]!.managedBy, 'iotEdge');

      assertHubError(await hubRequest(hub.hub, { method: 'PUT', path: '/devices/edge-1/modules/sensor', body: {} }), 409, 'ModuleAlreadyExistsOnDevice');
      assertHubError(await hubRequest(hub.hub, { method: 'PUT', path: '/devices/nobody/modules/m', body: {} }), 404, 'DeviceNotFound');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/devices/nobody/modules' }), 404, 'DeviceNotFound');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/devices/edge-1/modules/none' }), 404, 'ModuleNotFound');
      await assert.rejects(registry.addModule({ deviceId: 'nobody', moduleId: 'm' } as iothub.Module), /DeviceNotFound|Not found/);
      assert.equal((await hubRequest(hub.hub, { method: 'GET', path: '/devices/nobody' })).status, 404, 'nothing half-written');

      const stale = await hubRequest(hub.hub, { method: 'PUT', path: '/devices/edge-1/modules/sensor', headers: { 'if-match': '"OTk="' }, body: {} });
      assertHubError(stale, 412, 'PreconditionFailed');
      const { responseBody: updated } = await registry.updateModule({ ...created, managedBy: 'me' });
      assert.equal(updated.etag, 'Mg==');
      assert.equal(updated.managedBy, 'me');
      assert.equal(updated.authentication?.symmetricKey?.primaryKey, created.authentication?.symmetricKey?.primaryKey, 'keys kept');
      const { responseBody: forced } = await registry.updateModule(
        { deviceId: 'edge-1', moduleId: 'sensor', managedBy: null } as unknown as iothub.Module,
        true,
      );
      assert.equal(forced.etag, 'Mw==');
    });

    it('serves module twins with etags: GET, PATCH, PUT, 412 on a stale etag', async () => {
      const { responseBody: twin } = await registry.getModuleTwin('edge-1', 'sensor');
      assert.equal(twin.moduleId, 'sensor');
      assert.equal(twin.deviceId, 'edge-1');
      const { responseBody: patched } = await registry.updateModuleTwin(
        'edge-1',
        'sensor',
        { tags: { role: 'temp' }, properties: { desired: { rate: 5 } } },
        twin.etag,
      );
      assert.equal(patched.tags.role, 'temp');
      assert.equal(patched.properties.desired.rate, 5);
      assertHubError(
        await hubRequest(hub.hub, {
          method: 'PATCH',
          path: '/twins/edge-1/modules/sensor',
          headers: { 'if-match': `"${twin.etag}"` },
          body: { tags: { x: 1 } },
        }),
        412,
        'PreconditionFailed',
      );
      const replaced = await hubRequest(hub.hub, {
        method: 'PUT',
        path: '/twins/edge-1/modules/sensor',
        body: { tags: { role: 'temp' }, properties: { desired: { rate: 10 } } },
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.body.properties.desired.rate, 10);
      assert.equal(replaced.body.capabilities, undefined, 'module twins have no capabilities');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/twins/edge-1/modules/none' }), 404, 'ModuleNotFound');
    });

    it('connects a ModuleClient (ModuleId=): methods, twin, reported and desired properties, connection state', async () => {
      const client = await openModule('edge-1', 'sensor');
      client.onMethod('reset', (request, response) => void response!.send(200, { module: 'sensor', asked: request!.payload }));
      const twin: ModuleTwin = await client.getTwin();
      assert.equal(twin.properties.desired.rate, 10);
      const desired: Array<Record<string, unknown>> = [];
      twin.on('properties.desired', (patch: Record<string, unknown>) => desired.push(JSON.parse(JSON.stringify(patch))));

      const { result } = await service.invokeDeviceMethod('edge-1', 'sensor', { methodName: 'reset', payload: 7 });
      assert.deepEqual(result, { status: 200, payload: { module: 'sensor', asked: 7 } });
      assert.equal((await registry.getModule('edge-1', 'sensor')).responseBody.connectionState, 'Connected');

      await new Promise<void>((resolve, reject) => twin.properties.reported.update({ temperature: 21 }, (err?: Error) => (err ? reject(err) : resolve())));
      const { responseBody: serviceTwin } = await registry.getModuleTwin('edge-1', 'sensor');
      assert.equal(serviceTwin.properties.reported.temperature, 21);
      const device = await hub.hub.store.getTwin('edge-1');
      assert.equal(device!.properties.reported.temperature, undefined, "the device's twin is not the module's");

      await registry.updateModuleTwin('edge-1', 'sensor', { properties: { desired: { rate: 20 } } }, '*');
      await eventually(() => desired.some((patch) => patch.rate === 20), 'the module to receive the desired patch');

      const other = await hubRequest(hub.hub, { method: 'POST', path: '/twins/edge-1/modules/filter/methods', body: { methodName: 'reset' } });
      assert.equal(other.status, 404, 'an existing module that is not connected');
      assert.equal(JSON.parse(other.body.Message).errorCode, 404103, 'DeviceNotOnline');
      assertHubError(
        await hubRequest(hub.hub, { method: 'POST', path: '/twins/edge-1/modules/none/methods', body: { methodName: 'reset' } }),
        404,
        'ModuleNotFound',
      );
      assertHubError(
        await hubRequest(hub.hub, { method: 'POST', path: '/twins/nobody/modules/none/methods', body: { methodName: 'reset' } }),
        404,
        'DeviceNotFound',
      );
    });

    it('queries devices.modules', async () => {
      const all = await registry.createQuery("SELECT * FROM devices.modules WHERE deviceId = 'edge-1'").nextAsTwin();
      assert.deepEqual(all.result.map((twin) => twin.moduleId).sort(), ['filter', 'sensor']);
      const hot = await hubRequest(hub.hub, {
        method: 'POST',
        path: '/devices/query',
        body: { query: 'SELECT deviceId, moduleId FROM devices.modules WHERE properties.reported.temperature > 20' },
      });
      assert.equal(hot.status, 200, hot.text);
      assert.deepEqual(hot.body, [{ deviceId: 'edge-1', moduleId: 'sensor' }]);
    });

    it('removes a module, and a device with its modules (dropping their connections)', async () => {
      await registry.removeModule('edge-1', 'filter');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/devices/edge-1/modules/filter' }), 404, 'ModuleNotFound');
      assert.ok(hub.gateway.isConnected('edge-1/sensor'));
      await registry.delete('edge-1');
      await eventually(() => !hub.gateway.isConnected('edge-1/sensor'), 'the module connection to be dropped');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/devices/edge-1/modules/sensor' }), 404, 'ModuleNotFound');
      const rows = await hubRequest(hub.hub, { method: 'POST', path: '/devices/query', body: { query: 'SELECT * FROM devices.modules' } });
      assert.deepEqual(rows.body, []);
      // Recreated, the device has no modules.
      await hub.addDevice('edge-1');
      assert.deepEqual((await registry.getModulesOnDevice('edge-1')).responseBody, []);
    });
  });
}
