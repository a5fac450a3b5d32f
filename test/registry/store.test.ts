import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HubError, type HubErrorCode } from '../../src/errors/hub-error.js';
import { MIGRATIONS } from '../../src/registry/sql/migrations.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { NEVER } from '../../src/registry/time.js';
import { MAX_WEBHOOKS } from '../../src/registry/sql/sql-webhooks.js';
import type { WebhookDeliveryRecord, WebhookInput } from '../../src/webhooks/model.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

const hubError = (code: HubErrorCode, message?: RegExp) => (err: unknown) =>
  err instanceof HubError && err.code === code && (message === undefined || message.test(err.message));

for (const variant of STORE_VARIANTS) {
  describe(`HubStore (${variant.name})`, { skip: variant.skip }, () => {
    let testStore: TestStore;
    let store: SqlHubStore;
    let n = 0;
    const newId = () => `dev-${++n}`;

    before(async () => {
      testStore = await openTestStore(variant);
      store = testStore.store;
    });
    after(() => testStore.dispose());

    describe('schema', () => {
      it('migrations are recorded and idempotent', async () => {
        await store.migrate();
        const rows = await store.db.query<{ version: number }>('SELECT version FROM hub_schema_migrations ORDER BY version');
        assert.deepEqual(
          rows.map((row) => Number(row.version)),
          MIGRATIONS.map((migration) => migration.version),
        );
      });

      it('data survives reopening the store', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const again = await testStore.reopen();
        assert.equal((await again.getDevice(deviceId))?.deviceId, deviceId);
      });
    });

    describe('configurations', () => {
      const content = (interval: number) => ({ deviceContent: { 'properties.desired.settings.interval': interval } });

      it('applies content once per configuration etag, lets priority decide, and forgets deleted devices', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        await store.updateTwin(deviceId, { tags: { ring: 'cfg' } }, { mode: 'patch' });
        const low = await store.createConfiguration({ id: `low-${deviceId}`, targetCondition: "tags.ring = 'cfg'", priority: 1, content: content(1) });
        const high = await store.createConfiguration({ id: `high-${deviceId}`, targetCondition: "tags.ring = 'cfg'", priority: 2, content: content(2) });
        assert.deepEqual(await store.matchingTargets(low.targetCondition, undefined, 10), [deviceId]);

        const first = await store.applyConfiguration(low.id, low.etag, [deviceId]);
        assert.equal(first.applied, 1);
        assert.deepEqual(first.desiredChanges[0]!.patch, { settings: { interval: 1 } });
        const version = (await store.getTwin(deviceId))!.properties.desired.$version;
        assert.equal((await store.applyConfiguration(low.id, low.etag, [deviceId])).applied, 0, 'a repeated apply writes nothing');
        assert.equal((await store.getTwin(deviceId))!.properties.desired.$version, version);

        assert.equal((await store.applyConfiguration(high.id, high.etag, [deviceId])).applied, 1, 'the higher priority takes over');
        assert.equal((await store.applyConfiguration(low.id, low.etag, [deviceId])).applied, 0, 'and keeps the device');
        assert.deepEqual((await store.getTwin(deviceId))!.properties.desired.settings, { interval: 2 });
        assert.deepEqual([...(await store.appliedTargets(high.id, high.etag))], [deviceId]);
        assert.equal((await store.applyConfiguration(high.id, 'stale', [deviceId])).applied, 0, 'an outdated etag applies nothing');

        await store.deleteDevice(deviceId);
        assert.equal((await store.appliedTargets(high.id, high.etag)).size, 0);
        await assert.rejects(store.createConfiguration({ id: low.id, targetCondition: '*', content: content(3) }), hubError('ConfigurationAlreadyExists'));
        await assert.rejects(store.createConfiguration({ id: 'bad-cond', targetCondition: 'tags.x = ', content: content(3) }), hubError('ArgumentInvalid'));
        assert.equal(await store.getConfiguration('bad-cond'), undefined);
        await assert.rejects(store.replaceConfiguration({ ...low, priority: 5 }, '"OTk="'), hubError('PreconditionFailed'));
        await store.deleteConfiguration(low.id, undefined);
        assert.equal(await store.getConfiguration(low.id), undefined);
      });

      it('targets module twins with moduleContent and a devices.modules condition', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        await store.createModule({ deviceId, moduleId: 'sensor' });
        await store.createModule({ deviceId, moduleId: 'other' });
        const configuration = await store.createConfiguration({
          id: `modules-${deviceId}`,
          targetCondition: `FROM devices.modules WHERE moduleId = 'sensor' AND deviceId = '${deviceId}'`,
          content: { moduleContent: { 'properties.desired.rate': 7 } },
        });
        const targets = await store.matchingTargets(configuration.targetCondition, undefined, 10);
        assert.deepEqual(targets, [`${deviceId}/sensor`]);
        assert.deepEqual(await store.matchingTargets(configuration.targetCondition, targets[0], 10), []);
        const { applied, desiredChanges } = await store.applyConfiguration(configuration.id, configuration.etag, targets);
        assert.equal(applied, 1);
        assert.equal(desiredChanges[0]!.deviceId, `${deviceId}/sensor`);
        assert.equal((await store.getModuleTwin(deviceId, 'sensor'))!.properties.desired.rate, 7);
        assert.equal((await store.getModuleTwin(deviceId, 'other'))!.properties.desired.rate, undefined);
        await store.deleteDevice(deviceId);
        assert.equal((await store.appliedTargets(configuration.id, configuration.etag)).size, 0, "the module's record went with its device");
      });
    });

    describe('webhooks', () => {
      const hook = (id: string, extra: Partial<WebhookInput> = {}): WebhookInput => ({
        id,
        url: 'https://receiver.example/hooks',
        events: ['job.completed'],
        secret: 'a-secret-of-16-chars',
        ...extra,
      });
      const delivery = (hookId: string, id: string, at: string, extra: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord => ({
        id,
        hookId,
        jobId: 'job-1',
        type: 'job.completed',
        status: 'pending',
        attempts: 1,
        firstAttemptTime: at,
        lastAttemptTime: at,
        ...extra,
      });

      it('creates and replaces hooks keeping createdTime, keeps the secret apart, deletes them with their deliveries', async () => {
        const created = await store.putWebhook(hook('hook-a', { jobFilter: { jobType: 'scheduleDeviceMethod', jobIdPrefix: 'nightly-' } }));
        assert.equal(created.created, true);
        assert.equal('secret' in created.webhook, false, 'the secret is not part of the hook shown');
        const replaced = await store.putWebhook(hook('hook-a', { events: ['job.failed', 'job.devicesFailed'], secret: 'another-secret-16ch' }));
        assert.equal(replaced.created, false);
        assert.equal(replaced.webhook.createdTime, created.webhook.createdTime);
        assert.deepEqual(replaced.webhook.events, ['job.failed', 'job.devicesFailed']);
        assert.equal(replaced.webhook.jobFilter, undefined, 'a replace drops what the new body leaves out');
        const stored = await store.getWebhook('hook-a');
        assert.equal(stored?.secret, 'another-secret-16ch');
        await store.putWebhook(hook('hook-b'));
        assert.deepEqual(
          (await store.listWebhooks()).map((each) => each.id).filter((id) => id.startsWith('hook-')),
          ['hook-a', 'hook-b'],
        );

        await store.recordWebhookDelivery(delivery('hook-a', 'job-1.job.failed', '2026-01-01T00:00:01.0000000Z'));
        assert.equal(await store.deleteWebhook('hook-a'), true);
        assert.equal(await store.getWebhook('hook-a'), undefined);
        assert.deepEqual(await store.listWebhookDeliveries('hook-a', 10), [], 'its deliveries went with it');
        assert.equal(await store.deleteWebhook('hook-a'), false);
        await store.deleteWebhook('hook-b');
      });

      it('keeps one delivery record per event, rewritten at each attempt, newest first, and gives up on one', async () => {
        await store.putWebhook(hook('hook-d'));
        await store.recordWebhookDelivery(delivery('hook-d', 'job-1.job.started', '2026-01-01T00:00:01.0000000Z', { lastError: 'connect ECONNREFUSED' }));
        await store.recordWebhookDelivery(
          delivery('hook-d', 'job-1.job.started', '2026-01-01T00:00:03.0000000Z', { attempts: 2, status: 'delivered', statusCode: 200 }),
        );
        await store.recordWebhookDelivery(
          delivery('hook-d', 'job-1.job.completed', '2026-01-01T00:00:04.0000000Z', { statusCode: 503, lastError: 'The receiver answered 503' }),
        );
        const [completed, started] = await store.listWebhookDeliveries('hook-d', 10);
        assert.deepEqual(
          started,
          delivery('hook-d', 'job-1.job.started', '2026-01-01T00:00:03.0000000Z', {
            attempts: 2,
            status: 'delivered',
            statusCode: 200,
            firstAttemptTime: '2026-01-01T00:00:03.0000000Z',
          }),
        );
        assert.equal(completed?.id, 'job-1.job.completed');
        assert.equal((await store.listWebhookDeliveries('hook-d', 1)).length, 1);

        await store.giveUpWebhookDelivery('hook-d', 'job-1.job.completed', 'retried for 24 hours');
        const givenUp = await store.getWebhookDelivery('hook-d', 'job-1.job.completed');
        assert.equal(givenUp?.status, 'failed');
        assert.equal(givenUp?.lastError, 'retried for 24 hours');
        assert.equal(givenUp?.statusCode, 503);

        assert.equal(await store.purgeWebhookDeliveries('2026-01-01T00:00:03.5000000Z'), 1);
        assert.deepEqual(
          (await store.listWebhookDeliveries('hook-d', 10)).map((each) => each.id),
          ['job-1.job.completed'],
        );
        await store.deleteWebhook('hook-d');
      });

      it('refuses more than MAX_WEBHOOKS hooks without writing', async () => {
        for (let i = 0; i < MAX_WEBHOOKS; i++) await store.putWebhook(hook(`quota-${i}`));
        await assert.rejects(store.putWebhook(hook('quota-over')), hubError('IotHubQuotaExceeded'));
        assert.equal(await store.getWebhook('quota-over'), undefined);
        await store.putWebhook(hook('quota-0', { url: 'https://replaced.example/' })); // replacing one is not adding one
        for (let i = 0; i < MAX_WEBHOOKS; i++) await store.deleteWebhook(`quota-${i}`);
      });

      it("lists a job range's failed devices with their errors, in record order", async () => {
        const ids = [newId(), newId(), newId()];
        for (const deviceId of ids) await store.createDevice({ deviceId });
        const job = {
          jobId: `hooks-job-${ids[0]}`,
          jobType: 'scheduleDeviceMethod' as const,
          queryCondition: `deviceId IN [${ids.map((id) => `'${id}'`).join(', ')}]`,
          createdTime: '2026-01-01T00:00:00.0000000Z',
        };
        await store.snapshotJobDevices(job, 10);
        const error = { code: 'DeviceNotOnline', description: 'The device is not online' };
        await store.finishDeviceJobs(
          job.jobId,
          [
            { deviceId: ids[0]!, status: 'failed', error },
            { deviceId: ids[1]!, status: 'completed', methodResponse: { status: 200, payload: null } },
            { deviceId: ids[2]!, status: 'failed', error },
          ],
          '2026-01-01T00:00:01.0000000Z',
        );
        assert.deepEqual(
          await store.failedDeviceJobs(job.jobId, [
            { from: 0, to: 2 },
            { from: 2, to: 3 },
          ]),
          [
            { deviceId: ids[0], error },
            { deviceId: ids[2], error },
          ],
        );
        assert.deepEqual(await store.failedDeviceJobs(job.jobId, [{ from: 1, to: 2 }]), []);
      });
    });

    describe('module identities', () => {
      it('creates modules of existing devices only, with their twins, and refuses duplicates', async () => {
        const deviceId = newId();
        await assert.rejects(store.createModule({ deviceId, moduleId: 'm' }), hubError('DeviceNotFound'));
        await store.createDevice({ deviceId });
        const module = await store.createModule({ deviceId, moduleId: 'm' });
        assert.deepEqual(await store.getModule(deviceId, 'm'), module);
        await assert.rejects(store.createModule({ deviceId, moduleId: 'm' }), hubError('ModuleAlreadyExistsOnDevice'));
        const twin = (await store.getModuleTwin(deviceId, 'm'))!;
        assert.equal(twin.moduleId, 'm');
        assert.equal(twin.etag, 'AAAAAAAAAAE=');
        assert.equal(twin.deviceEtag, module.etag);
        assert.deepEqual(await store.listModules(deviceId), [module]);
        await assert.rejects(store.listModules('no-such-device'), hubError('DeviceNotFound'));
      });

      it('updates a module and its twin with etags, and deletes the modules with their device', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const module = await store.createModule({ deviceId, moduleId: 'a' });
        await store.createModule({ deviceId, moduleId: 'b' });
        await assert.rejects(store.updateModule({ deviceId, moduleId: 'a', managedBy: 'x' }, '"OTk="'), hubError('PreconditionFailed'));
        const updated = await store.updateModule({ deviceId, moduleId: 'a', managedBy: 'x' }, `"${module.etag}"`);
        assert.equal(updated.etag, 'Mg==');
        assert.equal((await store.getModuleTwin(deviceId, 'a'))!.deviceEtag, 'Mg==');
        const { twin, desiredChange } = await store.updateModuleTwin(deviceId, 'a', { desired: { x: 1 } }, { mode: 'patch' });
        assert.deepEqual(desiredChange, { deviceId: `${deviceId}/a`, patch: { x: 1 }, version: twin.properties.desired.$version });
        assert.equal(await store.patchModuleReported(deviceId, 'a', { y: 2 }), 2);
        await store.setModuleConnectionState(deviceId, 'a', 'Connected', new Date());
        assert.equal((await store.getModule(deviceId, 'a'))!.connectionState, 'Connected');
        assert.equal((await store.getModuleTwin(deviceId, 'a'))!.properties.reported.y, 2);

        assert.deepEqual(await store.deleteDevice(deviceId), { moduleIds: ['a', 'b'] });
        assert.equal(await store.getModule(deviceId, 'a'), undefined);
        await store.createDevice({ deviceId });
        assert.deepEqual(await store.listModules(deviceId), []);
        await assert.rejects(store.deleteModule(deviceId, 'a'), hubError('ModuleNotFound'));
      });
    });

    describe('device identities', () => {
      it('creates, gets, lists in id order, and refuses duplicates', async () => {
        const created = await store.createDevice({ deviceId: 'list-b', status: 'disabled', statusReason: 'later' });
        await store.createDevice({ deviceId: 'list-A' });
        assert.deepEqual(await store.getDevice('list-b'), created);
        await assert.rejects(store.createDevice({ deviceId: 'list-b' }), hubError('DeviceAlreadyExists', /'list-b' already exists/));
        const ids = (await store.listDevices()).map((device) => device.deviceId).filter((id) => id.startsWith('list-'));
        assert.deepEqual(ids, ['list-A', 'list-b']); // bytewise: uppercase first in both stores
        assert.equal((await store.listDevices(1)).length, 1);
        assert.equal(await store.getDevice('no-such-device'), undefined);
      });

      it('updates with If-Match and keeps the twin in sync', async () => {
        const deviceId = newId();
        const created = await store.createDevice({ deviceId });
        const twinBefore = (await store.getTwin(deviceId))!;
        await assert.rejects(store.updateDevice({ deviceId, status: 'disabled' }, '"Mg=="'), hubError('PreconditionFailed'));
        assert.deepEqual(await store.getDevice(deviceId), created);
        const updated = await store.updateDevice({ deviceId, status: 'disabled', statusReason: 'stolen' }, `"${created.etag}"`);
        assert.equal(updated.etag, 'Mg==');
        assert.deepEqual(updated.authentication.symmetricKey, created.authentication.symmetricKey);
        const twin = (await store.getTwin(deviceId))!;
        assert.equal(twin.status, 'disabled');
        assert.equal(twin.statusReason, 'stolen');
        assert.equal(twin.deviceEtag, 'Mg==');
        assert.equal(twin.statusUpdateTime, updated.statusUpdatedTime);
        assert.equal(twin.etag, twinBefore.etag, 'identity changes do not move the twin etag');
        await assert.rejects(store.updateDevice({ deviceId: 'no-such-device' }, '*'), hubError('DeviceNotFound'));
      });

      it('deletes with If-Match', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        await assert.rejects(store.deleteDevice(deviceId, '"OTk="'), hubError('PreconditionFailed'));
        await store.deleteDevice(deviceId, '"MQ=="');
        assert.equal(await store.getDevice(deviceId), undefined);
        assert.equal(await store.getTwin(deviceId), undefined);
        await assert.rejects(store.deleteDevice(deviceId), hubError('DeviceNotFound'));
      });

      it('rejects invalid input without writing', async () => {
        await assert.rejects(store.createDevice({ deviceId: 'bad id' }), hubError('ArgumentInvalid'));
        assert.equal(await store.getDevice('bad id'), undefined);
      });

      it('records connection state and activity on device and twin', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const at = new Date('2024-05-10T07:11:30.123Z');
        await store.setConnectionState(deviceId, 'Connected', at);
        assert.equal(await store.recordActivity([[deviceId, new Date('2024-05-10T07:12:00.000Z')]]), 1);
        const device = (await store.getDevice(deviceId))!;
        assert.equal(device.connectionState, 'Connected');
        assert.equal(device.connectionStateUpdatedTime, '2024-05-10T07:11:30.1230000Z');
        assert.equal(device.lastActivityTime, '2024-05-10T07:12:00.0000000Z');
        const twin = (await store.getTwin(deviceId))!;
        assert.equal(twin.connectionState, 'Connected');
        assert.equal(twin.lastActivityTime, '2024-05-10T07:12:00.0000000Z');
        await assert.rejects(store.setConnectionState('no-such-device', 'Connected', at), hubError('DeviceNotFound'));
      });

      it('records activity of many devices in one write, skipping devices that are gone', async () => {
        const ids = [newId(), newId(), newId()];
        for (const deviceId of ids) await store.createDevice({ deviceId });
        const at = (second: number) => new Date(Date.UTC(2024, 4, 10, 7, 0, second));
        assert.equal(
          await store.recordActivity([
            [ids[0]!, at(1)],
            ['no-such-device', at(2)],
            [ids[2]!, at(3)],
          ]),
          2,
        );
        const times = await Promise.all(
          ids.map(async (deviceId) => [(await store.getDevice(deviceId))!.lastActivityTime, (await store.getTwin(deviceId))!.lastActivityTime]),
        );
        assert.deepEqual(times, [
          ['2024-05-10T07:00:01.0000000Z', '2024-05-10T07:00:01.0000000Z'],
          [NEVER, NEVER],
          ['2024-05-10T07:00:03.0000000Z', '2024-05-10T07:00:03.0000000Z'],
        ]);
      });

      it('ignores stale connection-state writes; on a tie Connected wins', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const write = (state: 'Connected' | 'Disconnected', iso: string) => store.setConnectionState(deviceId, state, new Date(iso));
        const stored = async () => {
          const device = (await store.getDevice(deviceId))!;
          const twin = (await store.getTwin(deviceId))!;
          assert.equal(twin.connectionState, device.connectionState, 'the twin follows the device');
          return `${device.connectionState} ${device.connectionStateUpdatedTime}`;
        };
        await write('Connected', '2024-05-10T07:00:00.500Z');
        await write('Disconnected', '2024-05-10T07:00:00.499Z'); // a slower process's older drop
        assert.equal(await stored(), 'Connected 2024-05-10T07:00:00.5000000Z');
        await write('Disconnected', '2024-05-10T07:00:00.500Z'); // same millisecond, another process
        assert.equal(await stored(), 'Connected 2024-05-10T07:00:00.5000000Z');
        await write('Disconnected', '2024-05-10T07:00:01.000Z');
        assert.equal(await stored(), 'Disconnected 2024-05-10T07:00:01.0000000Z');
        await write('Connected', '2024-05-10T07:00:01.000Z'); // tie: Connected wins
        assert.equal(await stored(), 'Connected 2024-05-10T07:00:01.0000000Z');
        await write('Disconnected', '2024-05-09T23:59:59.999Z'); // the day before
        await write('Disconnected', '1999-12-31T23:59:59.999Z');
        assert.equal(await stored(), 'Connected 2024-05-10T07:00:01.0000000Z');
        await write('Disconnected', '2024-05-10T07:00:01.001Z');
        assert.equal(await stored(), 'Disconnected 2024-05-10T07:00:01.0010000Z');
        await write('Connected', '2025-01-01T00:00:00.000Z');
        assert.equal(await stored(), 'Connected 2025-01-01T00:00:00.0000000Z');
        await store.deleteDevice(deviceId);
        await assert.rejects(write('Disconnected', '2026-01-01T00:00:00.000Z'), hubError('DeviceNotFound'));
        await assert.rejects(write('Disconnected', '2024-01-01T00:00:00.000Z'), hubError('DeviceNotFound'));
      });
    });

    describe('twins', () => {
      it('a new device has the documented twin', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const twin = (await store.getTwin(deviceId))!;
        assert.equal(twin.deviceId, deviceId);
        assert.equal(twin.etag, 'AAAAAAAAAAE=');
        assert.equal(twin.version, 2);
        assert.equal(twin.properties.desired.$version, 1);
        assert.equal(twin.properties.reported.$version, 1);
        assert.deepEqual(Object.keys(twin).slice(0, 3), ['deviceId', 'etag', 'deviceEtag']);
      });

      it('PATCH and PUT with If-Match; the stored twin equals the returned one', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const patched = await store.updateTwin(deviceId, { tags: { site: 'a' }, desired: { mode: 'eco' } }, { mode: 'patch', ifMatch: '"AAAAAAAAAAE="' });
        assert.deepEqual(patched.desiredChange, { deviceId, patch: { mode: 'eco' }, version: 2 });
        assert.deepEqual(await store.getTwin(deviceId), patched.twin);
        await assert.rejects(store.updateTwin(deviceId, { tags: { site: 'b' } }, { mode: 'patch', ifMatch: '"AAAAAAAAAAE="' }), hubError('PreconditionFailed'));
        const replaced = await store.updateTwin(deviceId, { tags: { other: 1 } }, { mode: 'replace', ifMatch: '*' });
        assert.deepEqual(replaced.twin.tags, { other: 1 });
        assert.equal(replaced.desiredChange, undefined);
        assert.deepEqual(await store.getTwin(deviceId), replaced.twin);
        await assert.rejects(store.updateTwin('no-such-device', { tags: {} }, { mode: 'patch' }), hubError('DeviceNotFound'));
      });

      it('an invalid update writes nothing', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        await store.updateTwin(deviceId, { tags: { keep: 1 } }, { mode: 'patch' });
        const before = await store.getTwin(deviceId);
        await assert.rejects(store.updateTwin(deviceId, { tags: { ok: 2 }, desired: { 'bad.key': 1 } }, { mode: 'patch' }), hubError('ArgumentInvalid'));
        await assert.rejects(store.updateTwin(deviceId, { tags: { big: 'x'.repeat(5000) } }, { mode: 'replace' }), hubError('ArgumentInvalid'));
        assert.deepEqual(await store.getTwin(deviceId), before);
      });

      it('reported patches bump reported $version, not the etag', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        assert.equal(await store.patchReported(deviceId, { fw: '1.0' }), 2);
        assert.equal(await store.patchReported(deviceId, { fw: null, temp: 21.5 }), 3);
        const twin = (await store.getTwin(deviceId))!;
        assert.equal(twin.etag, 'AAAAAAAAAAE=');
        assert.equal(twin.version, 4);
        assert.equal(twin.properties.reported.temp, 21.5);
        assert.equal(twin.properties.reported.fw, undefined);
        await assert.rejects(store.patchReported(deviceId, { 'a b': 1 }), hubError('ArgumentInvalid'));
        await assert.rejects(store.patchReported('no-such-device', { a: 1 }), hubError('DeviceNotFound'));
      });

      it('concurrent writers to one twin all land (compare-and-set retries)', async () => {
        const deviceId = newId();
        await store.createDevice({ deviceId });
        const writes = 20;
        await Promise.all([
          ...Array.from({ length: writes }, (_, i) => store.updateTwin(deviceId, { desired: { [`k${i}`]: i } }, { mode: 'patch' })),
          ...Array.from({ length: writes }, (_, i) => store.patchReported(deviceId, { [`r${i}`]: i })),
          ...Array.from({ length: writes }, (_, i) => store.recordActivity([[deviceId, new Date(Date.UTC(2024, 0, 1, 0, 0, i))]])),
        ]);
        const twin = (await store.getTwin(deviceId))!;
        for (let i = 0; i < writes; i++) {
          assert.equal(twin.properties.desired[`k${i}`], i);
          assert.equal(twin.properties.reported[`r${i}`], i);
        }
        assert.equal(twin.properties.desired.$version, 1 + writes);
        assert.equal(twin.properties.reported.$version, 1 + writes);
        assert.equal(twin.version, 1 + writes + 1 + writes);
        assert.match(twin.lastActivityTime, /^2024-01-01T00:00:\d\d\.0000000Z$/);
      });
    });
  });
}
