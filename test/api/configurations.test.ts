// Automatic device configurations end to end: the official service SDK's configuration calls against
// a hub whose configurations run as Temporal workflows (temporal-lite), official device SDK clients
// receiving the content, priorities between configurations, metrics, and refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import type iothub from 'azure-iothub';
import { configurationWorkflowId, evaluationQuery } from '../../workflows/configuration.js';
import { eventually } from '../helpers/gateway-hub.js';
import { assertHubError, hubRequest } from '../helpers/hub-http.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { startJobsHub, type JobsTestHub } from '../jobs/helpers/jobs-hub.js';

type Configuration = iothub.Configuration;

for (const variant of STORE_VARIANTS) {
  describe(`automatic device configurations (${variant.name})`, { skip: variant.skip }, () => {
    let hub: JobsTestHub;
    let registry: iothub.Registry;
    const desiredSeen: Array<Record<string, unknown>> = [];
    let prodTwin: Awaited<ReturnType<device.Client['getTwin']>>;

    const twinOf = async (deviceId: string) => (await hubRequest(hub.hub, { method: 'GET', path: `/twins/${deviceId}` })).body;
    const tag = (deviceId: string, tags: Record<string, unknown>) => registry.updateTwin(deviceId, { tags }, '*');
    const interval = async (deviceId: string) => (await twinOf(deviceId)).properties.desired.settings?.interval;

    before(async () => {
      hub = await startJobsHub({ variant, configurations: { timing: { debounceMs: 50, reevaluateEveryMs: 60_000 }, signalIntervalMs: 50 } });
      registry = registryFor(hub.hub.connectionString(), hub.address);
      const client = await hub.openDevice('prod-1');
      prodTwin = await client.getTwin();
      prodTwin.on('properties.desired', (patch: Record<string, unknown>) => desiredSeen.push(JSON.parse(JSON.stringify(patch))));
      await tag('prod-1', { env: 'prod' });
      for (const deviceId of ['dev-1', 'other-1']) await hub.hub.store.createDevice({ deviceId });
      await tag('dev-1', { env: 'dev' });
    });
    after(() => hub?.dispose());

    it('applies deviceContent to the devices its targetCondition selects, and the device SDK receives it', async () => {
      const { responseBody: created } = await registry.addConfiguration({
        id: 'prod-settings',
        schemaVersion: '1.0',
        labels: { team: 'ops' },
        content: { deviceContent: { 'properties.desired.settings': { interval: 5 } } },
        targetCondition: "tags.env = 'prod'",
        priority: 10,
        metrics: { queries: { reporting: 'SELECT deviceId FROM devices WHERE properties.reported.interval = 5' } },
      } as Configuration);
      assert.equal(created.id, 'prod-settings');
      assert.equal(created.etag, 'MQ==');
      await eventually(async () => (await interval('prod-1')) === 5, 'the content on prod-1', 20_000);
      await eventually(() => desiredSeen.some((patch) => (patch.settings as { interval?: number } | undefined)?.interval === 5), 'the device to receive it');
      assert.equal(await interval('dev-1'), undefined, 'a device outside the condition is untouched');

      const { responseBody: read } = await registry.getConfiguration('prod-settings');
      assert.deepEqual(read.systemMetrics?.results, { targetedCount: 1, appliedCount: 1 });
      assert.deepEqual(read.metrics?.results, { reporting: 0 });
      assert.deepEqual(read.labels, { team: 'ops' });
      await new Promise<void>((resolve, reject) => prodTwin.properties.reported.update({ interval: 5 }, (err?: Error) => (err ? reject(err) : resolve())));
      assert.deepEqual(
        (await registry.getConfiguration('prod-settings')).responseBody.metrics?.results,
        { reporting: 1 },
        'custom metrics are evaluated on demand',
      );
    });

    it('applies it to newly targeted devices when their twins change, and never twice to the same device', async () => {
      const version = (await twinOf('prod-1')).properties.desired.$version;
      await tag('dev-1', { env: 'prod' });
      await eventually(async () => (await interval('dev-1')) === 5, 'the content on the newly targeted dev-1', 20_000);
      await tag('other-1', { unrelated: true }); // another change, another evaluation
      await eventually(async () => (await registry.getConfiguration('prod-settings')).responseBody.systemMetrics?.results?.appliedCount === 2, 'two applied');
      assert.equal((await twinOf('prod-1')).properties.desired.$version, version, 'prod-1 was not written again');
    });

    it('lets the higher priority win on a device two configurations target', async () => {
      await registry.addConfiguration({
        id: 'dev-1-override',
        schemaVersion: '1.0',
        content: { deviceContent: { 'properties.desired.settings': { interval: 1 } } },
        targetCondition: "deviceId = 'dev-1'",
        priority: 20,
      } as Configuration);
      await eventually(async () => (await interval('dev-1')) === 1, 'the higher-priority content on dev-1', 20_000);
      const lowPriority = hub.jobs.client.workflow.getHandle(configurationWorkflowId('prod-settings'));
      const before = (await lowPriority.query(evaluationQuery)).evaluations;
      await tag('other-1', { again: true }); // both configurations evaluate again
      await eventually(async () => (await lowPriority.query(evaluationQuery)).evaluations > before, 'prod-settings to evaluate again', 20_000);
      assert.deepEqual(
        (await lowPriority.query(evaluationQuery)).last,
        { exists: true, targeted: 2, applied: 0 },
        'it targets dev-1 but does not take it back',
      );
      assert.equal(await interval('dev-1'), 1);
      assert.equal((await registry.getConfiguration('prod-settings')).responseBody.systemMetrics?.results?.appliedCount, 1, 'applied on prod-1 only');
      assert.deepEqual((await registry.getConfiguration('dev-1-override')).responseBody.systemMetrics?.results, { targetedCount: 1, appliedCount: 1 });
    });

    it('updates with the etag or force, refuses a stale etag and content changes; lists; removes', async () => {
      const { responseBody: current } = await registry.getConfiguration('dev-1-override');
      const { responseBody: updated } = await registry.updateConfiguration({ ...current, priority: 30 });
      assert.equal(updated.etag, 'Mg==');
      assert.equal(updated.priority, 30);
      await assert.rejects(registry.updateConfiguration({ ...current, priority: 40 }), /PreconditionFailed|Precondition/);
      const { responseBody: forced } = await registry.updateConfiguration({ ...current, priority: 40 }, true);
      assert.equal(forced.priority, 40);
      const contentChange = await hubRequest(hub.hub, {
        method: 'PUT',
        path: '/configurations/dev-1-override',
        headers: { 'if-match': '*' },
        body: { ...forced, content: { deviceContent: { 'properties.desired.settings': { interval: 9 } } } },
      });
      assertHubError(contentChange, 400, 'ArgumentInvalid', /content of configuration 'dev-1-override' cannot be changed/);

      const { responseBody: listed } = await registry.getConfigurations();
      assert.deepEqual(
        listed.map((configuration) => configuration.id),
        ['dev-1-override', 'prod-settings'],
      );
      await registry.removeConfiguration('dev-1-override');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/configurations/dev-1-override' }), 404, 'ConfigurationNotFound');
      const handle = hub.jobs.client.workflow.getHandle(configurationWorkflowId('dev-1-override'));
      await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', 'its workflow to end', 20_000);
    });

    it('refuses a configuration whose targetCondition does not parse, or bad content, creating nothing', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ targetCondition: "tags.env = 'prod", content: { deviceContent: { 'properties.desired.x': 1 } } }, /./],
        [{ targetCondition: '*', content: { deviceContent: { 'tags.x': 1 } } }, /must be a path under properties\.desired/],
        [{ targetCondition: '*', content: {} }, /exactly one of content\.deviceContent and content\.moduleContent/],
        [{ targetCondition: '*', content: { deviceContent: { 'properties.desired.x': 1 } }, priority: -1 }, /priority/],
      ];
      for (const [body, message] of cases) {
        assertHubError(
          await hubRequest(hub.hub, { method: 'PUT', path: '/configurations/broken', body: { id: 'broken', ...body } }),
          400,
          'ArgumentInvalid',
          message,
        );
      }
      assertHubError(await hubRequest(hub.hub, { method: 'PUT', path: '/configurations/Upper', body: {} }), 400, 'ArgumentInvalid', /configuration id/);
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/configurations/broken' }), 404, 'ConfigurationNotFound');
      const duplicate = await hubRequest(hub.hub, {
        method: 'PUT',
        path: '/configurations/prod-settings',
        body: { id: 'prod-settings', targetCondition: '*', content: { deviceContent: { 'properties.desired.x': 1 } } },
      });
      assertHubError(duplicate, 409, 'ConfigurationAlreadyExists');
    });

    it('applyConfigurationContentOnDevice writes the content to one device twin at once', async () => {
      await registry.applyConfigurationContentOnDevice('other-1', { deviceContent: { 'properties.desired.firmware': { version: '2.0' } } });
      assert.deepEqual((await twinOf('other-1')).properties.desired.firmware, { version: '2.0' });
      await assert.rejects(registry.applyConfigurationContentOnDevice('nobody', { deviceContent: { 'properties.desired.x': 1 } }), /DeviceNotFound|Not found/);
    });
  });
}
