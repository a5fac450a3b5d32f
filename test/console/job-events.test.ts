// GET /console/job-events: the console's server-sent events, behind the REST API's SAS
// authentication and permissions, with its parameters checked; a stream ends when its token expires.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEvent } from '../../console/src/lib/sse.js';
import type { Hub } from '../../src/hub.js';
import { startCliHub, type CliHub } from '../cli/helpers/cli-hub.js';
import { assertHubError, hubRequest, serviceToken } from '../helpers/hub-http.js';

describe('console job events', () => {
  let hub: CliHub;
  let api: Hub;
  const jobId = `events-${Date.now()}`;

  before(async () => {
    hub = await startCliHub();
    api = { ...hub.node.hub, api: hub.node.hub.api! };
    const at = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await hub.cli(['job', 'schedule-method', '--job-id', jobId, '--method', 'reboot', '--query', '*', '--start-time', at]);
    assert.equal(scheduled.code, 0, scheduled.stderr);
  });
  after(async () => {
    await hub?.dispose();
  });

  it('refuses a request without a token, with a wrong one, or from a policy without read rights', async () => {
    assertHubError(
      await hubRequest(api, { method: 'GET', path: `/console/job-events?ids=${jobId}`, auth: null }),
      401,
      'IotHubUnauthorizedAccess',
      /Authorization header/,
    );
    const forged = serviceToken(api).replace(/sig=[^&]+/, 'sig=AAAA');
    assertHubError(
      await hubRequest(api, { method: 'GET', path: `/console/job-events?ids=${jobId}`, auth: { authorization: forged } }),
      401,
      'IotHubUnauthorizedAccess',
      /signature/,
    );
    assertHubError(
      await hubRequest(api, { method: 'GET', path: `/console/job-events?ids=${jobId}`, auth: 'device' }),
      401,
      'IotHubUnauthorizedAccess',
      /RegistryRead or ServiceConnect/,
    );
  });

  it('checks its job ids', async () => {
    assertHubError(await hubRequest(api, { method: 'GET', path: '/console/job-events' }), 400, 'ArgumentInvalid', /query parameters\.ids/);
    assertHubError(await hubRequest(api, { method: 'GET', path: '/console/job-events?ids=a%20b' }), 400, 'ArgumentInvalid', /job ids/);
    const many = Array.from({ length: 101 }, (_, i) => `j${i}`).join(',');
    assertHubError(await hubRequest(api, { method: 'GET', path: `/console/job-events?ids=${many}` }), 400, 'ArgumentInvalid', /1 to 100/);
  });

  it('streams the jobs’ states (and why one cannot be read) until the token expires', async () => {
    const token = serviceToken(api, 'registryRead', new Date(Date.now() + 3000));
    const response = await hubRequest(api, { method: 'GET', path: `/console/job-events?ids=${jobId},no-such-job`, auth: { authorization: token } });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const events = response.text.split('\n\n').flatMap((block) => parseEvent(block) ?? []);
    const job = events.find((event) => event.event === 'job');
    assert.equal(JSON.parse(job!.data).jobId, jobId);
    assert.equal(JSON.parse(job!.data).status, 'scheduled');
    const error = events.find((event) => event.event === 'error');
    assert.deepEqual(JSON.parse(error!.data), { jobId: 'no-such-job', error: { code: 'JobNotFound', message: "Job 'no-such-job' was not found" } });
    assert.equal(events.at(-1)!.event, 'expired');
  });
});
