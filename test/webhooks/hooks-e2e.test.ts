// Webhooks on a hub composed as `npm start` composes it, trusting an HTTPS receiver's own CA by its
// setting (HUB_WEBHOOKS_CA_FILE): the REST API's refusals, a real twin job's events received with
// verified signatures in order, a rollout job paused and resumed over REST telling its hook so, the
// delivery history over REST and the CLI, and the secret never shown.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hub } from '../../src/hub.js';
import { hubRequest } from '../helpers/hub-http.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { startCliHub, type CliHub } from '../cli/helpers/cli-hub.js';
import { receiverCa, startWebhookReceiver, type WebhookReceiver } from './helpers/receiver.js';

const SECRET = 'e2e-receiver-secret';
const hookBody = (extra: Record<string, unknown> = {}) => ({ url: 'https://hooks.example.com/events', events: ['job.completed'], secret: SECRET, ...extra });

describe('webhooks through the REST API and the CLI', () => {
  let hub: CliHub;
  let api: Hub;
  let receiver: WebhookReceiver;
  const caDir = makeTempDir('iothub-hooks-ca-');

  before(async () => {
    const caFile = join(caDir.path, 'receiver-ca.pem');
    writeFileSync(caFile, receiverCa());
    receiver = await startWebhookReceiver(SECRET);
    hub = await startCliHub({ HUB_WEBHOOKS_CA_FILE: caFile });
    const { api: served } = hub.node.hub;
    assert.ok(served);
    api = { ...hub.node.hub, api: served };
  });
  after(async () => {
    await receiver?.close();
    await hub?.dispose();
    caDir.remove();
  });

  it('refuses bad hooks with 400s naming the field, and writes nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['not a URL', hookBody({ url: 'hooks.example.com' }), /Invalid body\.url: not an absolute URL/],
      ['another scheme', hookBody({ url: 'ftp://hooks.example.com/' }), /Invalid body\.url: the scheme must be https/],
      ['http off loopback', hookBody({ url: 'http://hooks.example.com/' }), /Invalid body\.url: http is allowed to loopback addresses only/],
      [
        'a private address',
        hookBody({ url: 'https://10.1.2.3/events' }),
        /Invalid body\.url: 10\.1\.2\.3 is a private-network address.*HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS/,
      ],
      ['a private IPv6 address', hookBody({ url: 'https://[fd00::5]/events' }), /Invalid body\.url: fd00::5 is a private-network address/],
      ['an unknown event', hookBody({ events: ['job.completed', 'job.exploded'] }), /Invalid body\.events\.1: unknown event type "job\.exploded"/],
      ['no events', hookBody({ events: [] }), /Invalid body\.events: events must name at least one event type/],
      ['no secret', hookBody({ secret: undefined }), /Invalid body\.secret: secret is required/],
      ['a short secret', hookBody({ secret: 'short' }), /Invalid body\.secret: secret must be at least 16 characters/],
      [
        'an unknown job type',
        hookBody({ jobFilter: { jobType: 'reboot' } }),
        /Invalid body\.jobFilter\.jobType: expected scheduleDeviceMethod or scheduleUpdateTwin/,
      ],
      ['credentials in the URL', hookBody({ url: 'https://user:pw@hooks.example.com/' }), /Invalid body\.url: credentials in the URL are not allowed/],
    ];
    for (const [what, body, message] of cases) {
      const response = await hubRequest(api, { method: 'PUT', path: '/hooks/refused', body });
      assert.equal(response.status, 400, what);
      assert.equal(response.headers['iothub-errorcode'], 'ArgumentInvalid', what);
      assert.match(response.body.Message, message, what);
    }
    const badId = await hubRequest(api, { method: 'PUT', path: '/hooks/bad%20id', body: hookBody() });
    assert.equal(badId.status, 400);
    assert.match(badId.body.Message, /Invalid path parameter id/);
    assert.equal((await hubRequest(api, { method: 'GET', path: '/hooks/refused' })).status, 404);
    assert.equal(
      (await hubRequest(api, { method: 'PUT', path: '/hooks/reader', body: hookBody(), auth: 'registryRead' })).status,
      401,
      'writing takes RegistryWrite',
    );
  });

  it('keeps hooks with write-only secrets: PUT, GET, list, DELETE', async () => {
    const put = await hubRequest(api, {
      method: 'PUT',
      path: '/hooks/crud',
      body: hookBody({ url: 'http://127.0.0.1:9/loopback-is-fine', jobFilter: { jobIdPrefix: 'nightly-' } }),
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.id, 'crud');
    assert.equal(put.text.includes(SECRET), false, 'the secret is not answered');
    const got = await hubRequest(api, { method: 'GET', path: '/hooks/crud', auth: 'registryRead' });
    assert.deepEqual(got.body, put.body);
    const listed = await hubRequest(api, { method: 'GET', path: '/hooks' });
    assert.ok(listed.body.some((hook: { id: string }) => hook.id === 'crud'));
    assert.equal(listed.text.includes(SECRET), false);
    assert.equal((await hubRequest(api, { method: 'DELETE', path: '/hooks/crud' })).status, 204);
    assert.equal((await hubRequest(api, { method: 'GET', path: '/hooks/crud' })).status, 404);
    assert.equal((await hubRequest(api, { method: 'DELETE', path: '/hooks/crud' })).status, 404);
  });

  it('tells a hook of a rollout job paused and resumed through the REST API: job.paused then job.resumed, signed', async (t) => {
    const own = await startWebhookReceiver(SECRET);
    t.after(() => own.close());
    const added = await hub.cli([
      'hooks',
      'add',
      'control',
      '--url',
      own.url,
      '--events',
      'job.paused,job.resumed,job.completed',
      '--job-id-prefix',
      'ctl-',
      '--secret',
      SECRET,
    ]);
    assert.equal(added.code, 0, added.stderr);
    const { body: document } = await hubRequest(api, { method: 'GET', path: '/openapi.json', apiVersion: null, auth: null });
    const documentedTypes = document.paths['/hooks/{id}'].put.requestBody.content['application/json'].schema.properties.events.items.enum;
    for (const type of ['job.paused', 'job.resumed']) assert.ok(documentedTypes.includes(type), `the OpenAPI document lists ${type}`);

    for (const id of ['ctl-1', 'ctl-2']) assert.equal((await hubRequest(api, { method: 'PUT', path: `/devices/${id}`, body: {} })).status, 200);
    const job = await hubRequest(api, {
      method: 'PUT',
      path: '/jobs/v2/ctl-rollout',
      body: {
        type: 'scheduleUpdateTwin',
        queryCondition: "STARTSWITH(deviceId, 'ctl-')",
        updateTwin: { tags: { ctl: 1 } },
        rollout: { maxDevicesPerMinute: 30 },
      },
    });
    assert.equal(job.status, 200, job.text);
    const paused = await hubRequest(api, { method: 'POST', path: '/jobs/v2/ctl-rollout/pause' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.paused, true);
    const resumed = await hubRequest(api, { method: 'POST', path: '/jobs/v2/ctl-rollout/resume' });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.body.paused, false);

    const received = () => own.accepted();
    await waitFor(() => received().length >= 3, 'the pause, the resume and the end received', 60_000);
    const events = received().map((request) => request.event);
    assert.deepEqual(
      events.map((event) => [event.type, event.id, event.data.paused]),
      [
        ['job.paused', 'ctl-rollout.3.job.paused', true],
        ['job.resumed', 'ctl-rollout.4.job.resumed', false],
        ['job.completed', 'ctl-rollout.5.job.completed', false],
      ],
    );
    for (const request of received()) {
      assert.ok(request.verified, `the Standard Webhooks signature of ${request.event.id} verifies`);
      assert.equal(request.headers['webhook-id'], request.event.id);
    }
    assert.equal((await hub.cli(['hooks', 'remove', 'control'])).code, 0);
  });

  it("delivers a twin job's events, signed and in order, and shows the deliveries (REST and CLI)", async () => {
    const added = await hub.cli([
      'hooks',
      'add',
      'e2e',
      '--url',
      receiver.url,
      '--events',
      'job.created,job.started,job.completed',
      '--job-id-prefix',
      'e2e-',
      '--secret',
      SECRET,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).url, receiver.url);
    assert.equal(added.stdout.includes(SECRET), false);

    assert.equal((await hubRequest(api, { method: 'PUT', path: '/devices/hooked-1', body: {} })).status, 200);
    const job = await hubRequest(api, {
      method: 'PUT',
      path: '/jobs/v2/e2e-twin',
      body: { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'hooked-1'", updateTwin: { tags: { hooked: true } } },
    });
    assert.equal(job.status, 200, job.text);
    await waitFor(() => receiver.accepted().length >= 3, 'three events received', 60_000);

    const events = receiver.accepted().map((request) => request.event);
    assert.deepEqual(
      events.map((event) => event.type),
      ['job.created', 'job.started', 'job.completed'],
    );
    assert.ok(
      receiver.requests.every((request) => request.verified),
      'every signature verifies with the secret',
    );
    assert.deepEqual(events[2].data.deviceJobStatistics, { deviceCount: 1, failedCount: 0, succeededCount: 1, runningCount: 0, pendingCount: 0 });
    assert.equal(events[2].data.updateTwin, undefined, "the operation's content stays out of events");

    const deliveries = await waitFor(
      async () => {
        const { body } = await hubRequest(api, { method: 'GET', path: '/hooks/e2e/deliveries' });
        return body.length === 3 && body.every((delivery: { status: string }) => delivery.status === 'delivered') ? body : undefined;
      },
      'three delivered records',
      10_000,
    );
    for (const delivery of deliveries) {
      assert.equal(delivery.statusCode, 200);
      assert.equal(delivery.attempts, 1);
      assert.equal(delivery.jobId, 'e2e-twin');
    }

    const table = await hub.cli(['hooks', 'deliveries', 'e2e']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^EVENT ID\s+TYPE\s+STATUS\s+ATTEMPTS\s+HTTP/);
    assert.match(table.stdout, /e2e-twin\.3\.job\.completed\s+job\.completed\s+delivered\s+1\s+200/);
    const list = await hub.cli(['hooks', 'list']);
    assert.match(list.stdout, new RegExp(`e2e\\s+${receiver.url.replace(/[.]/g, '\\.')}\\s+job\\.created,job\\.started,job\\.completed\\s+e2e-\\*`));

    const generated = await hub.cli(['hooks', 'add', 'generated', '--url', receiver.url, '--events', 'job.failed']);
    assert.equal(generated.code, 0, generated.stderr);
    const secret = /^Webhook secret \(verify the webhook-signature header with it\): (\S+)\n$/.exec(generated.stderr)?.[1];
    assert.ok(secret && secret.length >= 40, generated.stderr);
    assert.equal(generated.stdout.includes(secret), false);

    for (const id of ['e2e', 'generated']) assert.equal((await hub.cli(['hooks', 'remove', id])).code, 0);
    const gone = await hub.cli(['hooks', 'deliveries', 'e2e']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /GenericNotFound: Hook 'e2e' was not found/);
  });
});
