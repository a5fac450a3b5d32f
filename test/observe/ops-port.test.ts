import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub, type Hub } from '../../src/hub.js';
import { silentLogger } from '../../src/logger.js';
import { hubRequest, serviceToken } from '../helpers/hub-http.js';
import { parseScrape, valueOf } from '../helpers/prometheus.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('HUB_METRICS_PORT and HUB_METRICS_POLICY: the operations endpoints on a port of their own, /metrics behind a policy', () => {
  const dir = makeTempDir('iothub-ops-');
  let hub: Hub;
  let base: string;

  before(async () => {
    hub = await startHub({ dataDir: dir.path, httpsPort: 0, log: silentLogger, ops: { port: 0, metricsPolicy: 'registryRead' } });
    base = `http://127.0.0.1:${hub.opsPort}`;
  });
  after(async () => {
    await hub?.close();
    dir.remove();
  });

  it('serves the probes there without a token', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: 'ok' } });
  });

  it('answers /metrics only with a SAS token of the named policy (401 in IoT Hub error form otherwise)', async () => {
    const none = await fetch(`${base}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('iothub-errorcode'), 'IotHubUnauthorizedAccess');
    const owner = await fetch(`${base}/metrics`, { headers: { authorization: serviceToken(hub, 'iothubowner') } });
    assert.equal(owner.status, 401, 'a token of another policy, however mighty, is refused');
    const reader = await fetch(`${base}/metrics`, { headers: { authorization: serviceToken(hub, 'registryRead') } });
    assert.equal(reader.status, 200);
    assert.ok(valueOf(parseScrape(await reader.text()), 'iothub_store_query_duration_seconds_count') > 0);
  });

  it("leaves the REST ports to IoT Hub's API, where the REST requests are counted by route template", async () => {
    const onApi = await hubRequest(hub, { method: 'GET', path: '/metrics' });
    assert.notEqual(onApi.status, 200);
    assert.equal((await hubRequest(hub, { method: 'GET', path: '/devices/nobody' })).status, 404);
    const scrape = parseScrape(await (await fetch(`${base}/metrics`, { headers: { authorization: serviceToken(hub, 'registryRead') } })).text());
    assert.equal(valueOf(scrape, 'iothub_http_request_duration_seconds_count', { method: 'GET', route: '/devices/:id', status: '404' }), 1);
  });
});
