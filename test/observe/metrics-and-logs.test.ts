import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSasToken } from '../../src/auth/sas-token.js';
import { connectFleet, type Fleet } from '../../src/simulator/fleet.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { parseScrape, valueOf, type Sample } from '../helpers/prometheus.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { allInOneEnv, HubProcess, type StartedHub } from '../run/helpers/hub-process.js';
import { jobEnded, pollUntil } from '../run/helpers/poll.js';

const DEVICES = 3;

/** One HTTPS request to the hub (its own CA), with the headers given. */
function request(
  hub: StartedHub,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const ca = readFileSync(hub.banner.caFile, 'utf8');
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: hub.banner.httpsPort, path, servername: 'localhost', ca, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('metrics and logs of a hub process running real jobs', () => {
  const dir = makeTempDir('iothub-observe-');
  let hub: StartedHub;
  let fleet: Fleet | undefined;
  let metricsUrl: string;
  const scrape = async (): Promise<{ samples: Sample[]; bytes: number }> => {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    return { samples: parseScrape(text), bytes: Buffer.byteLength(text) };
  };
  const logLines = () =>
    hub.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  // Secrets the hub holds or is sent: none may appear in a log line.
  const secrets: string[] = [];
  let before0: Sample[];
  let after1: Sample[];
  let echoedRequestId: string | undefined;

  before(async () => {
    hub = await HubProcess.start(await allInOneEnv(dir.path, { LOG_LEVEL: 'debug' }));
    metricsUrl = `http://127.0.0.1:${hub.banner.httpPort}/metrics`;
    const hubFile = JSON.parse(readFileSync(join(dir.path, 'hub.json'), 'utf8')) as {
      sharedAccessPolicies: Array<{ primaryKey: string; secondaryKey: string }>;
    };
    for (const policy of hubFile.sharedAccessPolicies) secrets.push(policy.primaryKey, policy.secondaryKey);
    before0 = (await scrape()).samples;

    const ca = readFileSync(hub.banner.caFile, 'utf8');
    const address = { port: hub.banner.httpsPort!, ca };
    const registry = registryFor(hub.banner.connectionString, address);
    const devices = [];
    for (let i = 1; i <= DEVICES; i++) {
      const { responseBody } = await registry.create({ deviceId: `obs-${i}` });
      const key = responseBody.authentication!.symmetricKey!.primaryKey!;
      secrets.push(key, responseBody.authentication!.symmetricKey!.secondaryKey!);
      devices.push({ deviceId: responseBody.deviceId, key });
    }
    const gateway = { port: hub.banner.mqttsPort!, ca, hostName: 'localhost' };
    fleet = await connectFleet(gateway, devices, {
      concurrency: DEVICES,
      behaviour: { reportDesired: true, answer: (method) => ({ status: 200, payload: Buffer.from(JSON.stringify({ method })) }) },
    });
    assert.equal(fleet.failed, 0);

    // Auth failures: a device with a wrong key, service calls with a forged and an expired token, and
    // a SAS token and key in a query string.
    const wrongKey = randomBytes(32).toString('base64');
    secrets.push(wrongKey);
    const refused = await connectFleet(gateway, [{ deviceId: 'obs-1', key: wrongKey }], { concurrency: 1 });
    assert.equal(refused.failed, 1);
    const forged = createSasToken({ sr: 'localhost', key: wrongKey, keyName: 'iothubowner', expiresAt: new Date(Date.now() + 3600_000) });
    const expired = createSasToken({
      sr: 'localhost',
      key: hubFile.sharedAccessPolicies[0]!.primaryKey,
      keyName: 'iothubowner',
      expiresAt: new Date(Date.now() - 60_000),
    });
    for (const token of [forged, expired]) {
      secrets.push(new URLSearchParams(token.replace(/^SharedAccessSignature /, '')).get('sig')!);
      assert.equal((await request(hub, '/devices/obs-1?api-version=2021-04-12', { authorization: token })).status, 401);
    }
    const leaked = await request(hub, `/nothing?api-version=2021-04-12&sig=${encodeURIComponent(forged)}&SharedAccessKey=${encodeURIComponent(wrongKey)}`, {});
    assert.equal(leaked.status, 401);

    // A request id given by the caller is echoed and logged.
    const owner = createSasToken({
      sr: 'localhost',
      key: hubFile.sharedAccessPolicies[0]!.primaryKey,
      keyName: 'iothubowner',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    secrets.push(new URLSearchParams(owner.replace(/^SharedAccessSignature /, '')).get('sig')!);
    const traced = await request(hub, '/twins/obs-2?api-version=2021-04-12', { authorization: owner, 'request-id': 'trace-0042' });
    assert.equal(traced.status, 200);
    echoedRequestId = traced.headers['x-request-id'] as string | undefined;

    const jobs = jobClientFor(hub.banner.connectionString, address);
    await jobs.scheduleDeviceMethod('obs-method', "STARTSWITH(deviceId, 'obs-')", { methodName: 'ping', payload: null, responseTimeoutInSeconds: 10 });
    assert.equal((await jobEnded(jobs, 'obs-method', 60_000)).status, 'completed');
    await jobs.scheduleTwinUpdate('obs-twin', "STARTSWITH(deviceId, 'obs-')", { etag: '*', properties: { desired: { level: 7 } } });
    assert.equal((await jobEnded(jobs, 'obs-twin', 60_000)).status, 'completed');
    // GET answers 'completed' once the job stored its final response, from within its workflow's last
    // task; iothub_jobs counts the workflows in Temporal's visibility, which the task's completion
    // updates a little later: wait until it holds no running job.
    const { samples, bytes } = await pollUntil(
      async () => {
        const scraped = await scrape();
        const counted = scraped.samples.some((sample) => sample.name === 'iothub_jobs');
        return counted && valueOf(scraped.samples, 'iothub_jobs', { status: 'running' }) === 0 ? scraped : undefined;
      },
      'the jobs closed in visibility',
      30_000,
    );
    after1 = samples;
    console.log(`# scrape after two jobs: ${bytes} bytes, ${samples.length} samples`);
  });

  after(async () => {
    await fleet?.close();
    if (hub && hub.child.exitCode === null) await hub.stop();
    dir.remove();
  });

  const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after1, name, labels) - valueOf(before0, name, labels);

  it('job counters moved by exactly the jobs and devices processed', () => {
    for (const type of ['scheduleDeviceMethod', 'scheduleUpdateTwin']) {
      assert.equal(delta('iothub_jobs_created_total', { type }), 1, type);
      assert.equal(delta('iothub_jobs_started_total', { type }), 1, type);
      assert.equal(delta('iothub_jobs_finished_total', { type, status: 'completed' }), 1, type);
      assert.equal(delta('iothub_job_devices_processed_total', { type, outcome: 'completed' }), DEVICES, type);
      assert.equal(delta('iothub_job_devices_processed_total', { type, outcome: 'failed' }), 0, type);
      assert.equal(valueOf(after1, 'iothub_jobs', { type, status: 'completed' }), 1, type);
      assert.equal(valueOf(after1, 'iothub_jobs', { type, status: 'running' }), 0, type);
    }
    assert.equal(delta('iothub_method_round_trip_seconds_count', { outcome: 'response' }), DEVICES);
    assert.ok(delta('iothub_twin_write_duration_seconds_count', { operation: 'applyTwinJobBatch' }) >= 1);
    // Devices reported the desired level back: reported patches were written and counted.
    assert.ok(delta('iothub_mqtt_messages_total', { kind: 'method_request' }) >= DEVICES);
    assert.ok(delta('iothub_mqtt_messages_total', { kind: 'desired_notification' }) >= DEVICES);
  });

  it('REST requests by route template and status, MQTT connections, store statements', () => {
    assert.equal(delta('iothub_http_request_duration_seconds_count', { method: 'PUT', route: '/jobs/v2/:id', status: '200' }), 2);
    assert.equal(delta('iothub_http_request_duration_seconds_count', { method: 'PUT', route: '/devices/:id', status: '200' }), DEVICES);
    assert.equal(delta('iothub_http_request_duration_seconds_count', { status: '401' }), 3);
    assert.equal(delta('iothub_mqtt_connections_total', { result: 'accepted' }), DEVICES);
    assert.equal(delta('iothub_mqtt_connections_total', { result: 'refused' }), 1);
    assert.equal(valueOf(after1, 'iothub_mqtt_connected_devices'), DEVICES);
    assert.ok(delta('iothub_store_query_duration_seconds_count', { statement: 'select' }) > 0);
    assert.ok(delta('iothub_store_query_duration_seconds_count', { statement: 'update' }) > 0);
  });

  it("temporal-lite's server metrics, the Temporal SDK worker's and the process's are in the same scrape", () => {
    assert.ok(delta('temporal_lite_service_latency_seconds_count', { method: 'WorkflowService/StartWorkflowExecution', code: 'OK' }) >= 2);
    assert.ok(delta('temporal_lite_persistence_latency_seconds_count', { operation: 'transaction' }) > 0);
    assert.ok(after1.some((sample) => sample.name === 'temporal_lite_approximate_backlog_count' && sample.labels.kind === 'activity'));
    // The SDK core's metrics (https://docs.temporal.io/references/sdk-metrics), seconds and _total as configured.
    assert.ok(delta('temporal_activity_execution_latency_seconds_count') >= 2, 'activity executions counted by the SDK');
    assert.ok(after1.some((sample) => sample.name === 'temporal_worker_task_slots_available'));
    assert.ok(valueOf(after1, 'process_cpu_seconds_total') > 0);
    assert.ok(valueOf(after1, 'nodejs_heap_size_used_bytes') > 0);
  });

  it('no label holds a device id or a job id', () => {
    for (const sample of after1) {
      for (const value of Object.values(sample.labels)) assert.doesNotMatch(value, /obs-/, `${sample.name} ${JSON.stringify(sample.labels)}`);
    }
  });

  it('log lines are JSON with the job and device ids, and the request id echoed in x-request-id', () => {
    const lines = logLines();
    const find = (what: Record<string, unknown>) => lines.find((line) => Object.entries(what).every(([key, value]) => line[key] === value));
    for (const jobId of ['obs-method', 'obs-twin']) {
      assert.ok(find({ msg: 'Job created', jobId }), `Job created ${jobId}`);
      assert.ok(find({ msg: 'Job started', jobId }), `Job started ${jobId}`);
      assert.ok(find({ msg: 'Job finished', jobId, status: 'completed' }), `Job finished ${jobId}`);
      assert.ok(find({ msg: 'request', method: 'PUT', route: '/jobs/v2/:id', jobId, status: 200 }), `request line of ${jobId}`);
    }
    assert.ok(find({ msg: 'Device connection refused', deviceId: 'obs-1' }));
    assert.ok(find({ msg: 'Device connected', deviceId: 'obs-2' }));
    assert.equal(echoedRequestId, 'trace-0042');
    assert.ok(find({ msg: 'request', requestId: 'trace-0042', route: '/twins/:id', deviceId: 'obs-2', status: 200 }));
    for (const line of lines) assert.ok(typeof line.time === 'string' && typeof line.level === 'number', JSON.stringify(line));
  });

  it('no key, SAS signature or connection-string key in any log line', () => {
    const logged = hub.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .join('\n');
    assert.ok(logged.length > 0);
    for (const secret of secrets) {
      assert.ok(!logged.includes(secret), `a secret was logged: ${secret}`);
      assert.ok(!logged.includes(encodeURIComponent(secret)), `a secret was logged (URL-encoded): ${secret}`);
    }
    assert.doesNotMatch(logged, /sig=(?!\[redacted\])/);
    assert.doesNotMatch(logged, /SharedAccessKey=(?!\[redacted\])/);
  });
});
