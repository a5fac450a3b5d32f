// PUT /jobs/v2/{id} refuses bad requests with IoT Hub's errors and starts nothing; accepts what
// the SDKs send; enforces ids, permissions and the active-job limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertHubError, hubRequest, type HubResponse } from '../helpers/hub-http.js';
import { eventually } from '../helpers/gateway-hub.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { startJobsHub, type JobsTestHub } from './helpers/jobs-hub.js';

const method = { methodName: 'reboot', payload: { a: 1 }, responseTimeoutInSeconds: 30 };
const methodJob = (extra: Record<string, unknown> = {}) => ({ type: 'scheduleDeviceMethod', queryCondition: '*', cloudToDeviceMethod: method, ...extra });
const twinJob = (updateTwin: unknown, extra: Record<string, unknown> = {}) => ({ type: 'scheduleUpdateTwin', queryCondition: '*', updateTwin, ...extra });
const FAR = '2099-01-01T00:00:00Z';

/** [what, job id, body, status, error code, message pattern] */
const REFUSED: Array<[string, string, unknown, number, string, RegExp?]> = [
  ['an id with invalid characters', 'bad_id', methodJob(), 400, 'ArgumentInvalid', /job id/],
  ['an id over 64 characters', 'x'.repeat(65), methodJob(), 400, 'ArgumentInvalid', /64/],
  ['a body jobId other than the path id', 'v-1', methodJob({ jobId: 'other' }), 400, 'ArgumentInvalid', /differs/],
  ['an old doc spelling of the type', 'v-2', { ...methodJob(), type: 'scheduleTwinUpdate' }, 400, 'GenericBadRequest'],
  ['a legacy job type', 'v-3', { ...methodJob(), type: 'export' }, 400, 'GenericBadRequest'],
  ['no type', 'v-4', { queryCondition: '*', cloudToDeviceMethod: method }, 400, 'GenericBadRequest'],
  ['no queryCondition', 'v-5', { type: 'scheduleDeviceMethod', cloudToDeviceMethod: method }, 400, 'ArgumentInvalid', /queryCondition/],
  ['a full SELECT as queryCondition', 'v-6', methodJob({ queryCondition: 'SELECT * FROM devices' }), 400, 'ArgumentInvalid'],
  ['a queryCondition that does not parse', 'v-7', methodJob({ queryCondition: "deviceId = 'a' AND" }), 400, 'ArgumentInvalid'],
  [
    'a queryCondition over 8192 characters',
    'v-8',
    methodJob({ queryCondition: `deviceId IN [${Array(900).fill("'abcdefgh'").join(',')}]` }),
    400,
    'ArgumentInvalid',
  ],
  [
    'a response timeout over 300 s',
    'v-9',
    methodJob({ cloudToDeviceMethod: { ...method, responseTimeoutInSeconds: 301 } }),
    400,
    'ArgumentInvalid',
    /5 and 300/,
  ],
  ['a response timeout under 5 s', 'v-10', methodJob({ cloudToDeviceMethod: { ...method, responseTimeoutInSeconds: 4 } }), 400, 'ArgumentInvalid'],
  [
    'a connect timeout over 300 s',
    'v-11',
    methodJob({ cloudToDeviceMethod: { ...method, connectTimeoutInSeconds: 301 } }),
    400,
    'ArgumentInvalid',
    /0 and 300/,
  ],
  ['no methodName', 'v-12', methodJob({ cloudToDeviceMethod: { payload: 1 } }), 400, 'ArgumentInvalid', /methodName/],
  ['a method payload over 128 KB', 'v-13', methodJob({ cloudToDeviceMethod: { ...method, payload: 'x'.repeat(140_000) } }), 400, 'ArgumentInvalid', /payload/],
  ['no cloudToDeviceMethod', 'v-14', { type: 'scheduleDeviceMethod', queryCondition: '*' }, 400, 'ArgumentInvalid'],
  ['updateTwin with reported properties', 'v-15', twinJob({ properties: { reported: { x: 1 } } }), 400, 'ArgumentInvalid', /reported/],
  [
    'updateTwin with an etag other than *',
    'v-16',
    twinJob({ etag: 'AAAAAAAAAAE=', tags: { a: 1 } }),
    400,
    'ArgumentInvalid',
    /Missing or invalid etag for job type ScheduleUpdateTwin\. ScheduleUpdateTwin job type is a force update, which only accepts '\*' as the Etag\./,
  ],
  ['updateTwin with an invalid tag name', 'v-18', twinJob({ tags: { 'a.b': 1 } }), 400, 'ArgumentInvalid', /'\.'/],
  ['no updateTwin', 'v-19', { type: 'scheduleUpdateTwin', queryCondition: '*' }, 400, 'ArgumentInvalid', /updateTwin/],
  ['a startTime that is not ISO-8601', 'v-20', methodJob({ startTime: 'tomorrow' }), 400, 'ArgumentInvalid', /startTime/],
  ['a negative maxExecutionTimeInSeconds', 'v-21', methodJob({ maxExecutionTimeInSeconds: -1 }), 400, 'ArgumentInvalid', /maxExecutionTimeInSeconds/],
  ['a maxExecutionTimeInSeconds string', 'v-22', methodJob({ maxExecutionTimeInSeconds: '3600' }), 400, 'ArgumentInvalid'],
  ['a body that is not an object', 'v-23', [methodJob()], 400, 'ArgumentInvalid'],
];

for (const variant of STORE_VARIANTS) {
  describe(`jobs API validation (${variant.name})`, { skip: variant.skip }, () => {
    let hub: JobsTestHub;
    const put = (jobId: string, body: unknown, auth?: string): Promise<HubResponse> =>
      hubRequest(hub.hub, { method: 'PUT', path: `/jobs/v2/${encodeURIComponent(jobId)}`, body, auth });
    const listIds = async () =>
      ((await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query' })).body as Array<{ jobId: string }>).map((j) => j.jobId).sort();
    const cancel = (jobId: string) => hubRequest(hub.hub, { method: 'POST', path: `/jobs/v2/${jobId}/cancel` });

    before(async () => {
      hub = await startJobsHub({ variant, settings: { maxActiveJobs: 2 } });
    });
    after(() => hub?.dispose());

    it('refuses each bad request with a 4xx in IoT Hub format and starts nothing', async () => {
      for (const [what, jobId, body, status, code, text] of REFUSED) {
        const response = await put(jobId, body);
        assert.equal(response.status, status, `${what}: ${response.text}`);
        assertHubError(response, status, code, text);
        if (/^[A-Za-z0-9-]{1,64}$/.test(jobId)) assertHubError(await hubRequest(hub.hub, { method: 'GET', path: `/jobs/v2/${jobId}` }), 404, 'JobNotFound');
      }
      assertHubError(await hubRequest(hub.hub, { method: 'PUT', path: '/jobs/v2/v-24', rawBody: '{"type": ' }), 400, 'IotHubFormatError');
      assert.deepEqual(await listIds(), []);
    });

    it('accepts what the SDKs send: etag * / null / absent, null and default start times, 0 for the default time limit', async () => {
      const accepted: Array<[string, unknown]> = [
        ['ok-etag-star', twinJob({ etag: '*', tags: { a: 1 } }, { startTime: FAR })],
        ['ok-etag-null', twinJob({ etag: null, deviceId: null, version: null, properties: { desired: { b: 2 }, reported: {} } }, { startTime: FAR })],
        ['ok-csharp-default-start', methodJob({ startTime: '0001-01-01T00:00:00', maxExecutionTimeInSeconds: 0 })],
      ];
      for (const [jobId, body] of accepted) {
        const response = await put(jobId, body);
        assert.equal(response.status, 200, `${jobId}: ${response.text}`);
        assert.equal(response.body.status, 'queued');
        assert.equal(response.body.jobId, jobId);
        assert.match(String(response.headers['content-type']), /application\/json/);
        await cancel(jobId);
      }
      const csharp = (await put('ok-csharp-default-start-2', methodJob({ startTime: null }))).body;
      assert.equal(csharp.startTime, csharp.createdTime, 'a past or null start means now');
      assert.equal(csharp.maxExecutionTimeInSeconds, 3600);
      assert.deepEqual(csharp.cloudToDeviceMethod, { ...method, connectTimeoutInSeconds: 0 });
      const scheduled = (await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/ok-etag-star' })).body;
      assert.equal(scheduled.startTime, '2099-01-01T00:00:00.0000000Z');
    });

    it('refuses a duplicate id with 409 JobAlreadyExists, also for a finished job', async () => {
      assertHubError(await put('ok-etag-star', methodJob()), 409, 'JobAlreadyExists');
      assertHubError(await put('ok-csharp-default-start', methodJob()), 409, 'JobAlreadyExists');
    });

    it('refuses a job over the active-job limit with 429 ThrottlingMaxActiveJobCountExceeded', async () => {
      const active = async () =>
        (
          await Promise.all(['queued', 'scheduled', 'running'].map((s) => hubRequest(hub.hub, { method: 'GET', path: `/jobs/v2/query?jobStatus=${s}` })))
        ).flatMap((response) => response.body as unknown[]);
      await eventually(async () => (await active()).length === 0, 'the earlier jobs to finish');
      assert.equal((await put('active-1', methodJob({ startTime: FAR }))).status, 200);
      assert.equal((await put('active-2', methodJob({ startTime: FAR }))).status, 200);
      assertHubError(await put('active-3', methodJob({ startTime: FAR })), 429, 'ThrottlingMaxActiveJobCountExceeded');
      assertHubError(await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/active-3' }), 404, 'JobNotFound');
      await cancel('active-1');
      assert.equal((await put('active-3', methodJob({ startTime: FAR }))).status, 200);
      await cancel('active-2');
      await cancel('active-3');

      // Requests arriving together are admitted one by one: exactly the limit passes.
      const together = await Promise.all(['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5'].map((id) => put(id, methodJob({ startTime: FAR }))));
      assert.deepEqual(together.map((response) => response.status).sort(), [200, 200, 429, 429, 429]);
      for (const [i, response] of together.entries()) if (response.status === 200) await cancel(`burst-${i + 1}`);
    });

    it('checks permissions: reading needs RegistryRead or ServiceConnect, writing RegistryWrite or ServiceConnect', async () => {
      assertHubError(await put('perm-1', methodJob(), 'registryRead'), 401, 'IotHubUnauthorizedAccess');
      assertHubError(await put('perm-1', methodJob(), 'device'), 401, 'IotHubUnauthorizedAccess');
      assert.equal((await hubRequest(hub.hub, { method: 'GET', path: '/jobs/v2/query', auth: 'registryRead' })).status, 200);
      assertHubError(await hubRequest(hub.hub, { method: 'POST', path: '/jobs/v2/active-1/cancel', auth: 'registryRead' }), 401, 'IotHubUnauthorizedAccess');
      const written = await put('perm-2', methodJob({ startTime: FAR }), 'registryReadWrite');
      assert.equal(written.status, 200, written.text);
      assert.equal((await hubRequest(hub.hub, { method: 'POST', path: '/jobs/v2/perm-2/cancel', auth: 'service' })).body.status, 'cancelled');
    });
  });
}
