import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';
import { connectFleet, type Fleet } from '../../src/simulator/fleet.js';
import { dropSchema } from '../helpers/store-variants.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { freePorts, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { jobEnded, pollUntil } from './helpers/poll.js';

const skip =
  process.env.DATABASE_URL && process.env.REDIS_URL ? false : 'DATABASE_URL or REDIS_URL not set: the cluster roles test (PostgreSQL + Redis) is skipped';

describe('a cluster: api, worker and gateway as three processes on PostgreSQL, Redis and one Temporal', { skip }, () => {
  const dir = makeTempDir('iothub-roles-');
  const schema = `test_roles_${randomBytes(5).toString('hex')}`;
  let temporal: TemporalLite;
  const hubs = {} as Record<'api' | 'worker' | 'gateway', StartedHub>;
  let fleet: Fleet | undefined;

  before(async () => {
    temporal = await startTemporalLite({ port: 0, logger: stderrLogger('error') });
    const [https, mqtts] = await freePorts(2);
    const shared = {
      HUB_DATA_DIR: dir.path,
      DATABASE_URL: process.env.DATABASE_URL!,
      HUB_DATABASE_SCHEMA: schema,
      REDIS_URL: process.env.REDIS_URL!,
      HUB_REDIS_PREFIX: `test-${schema}:`,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_CONNECT_TIMEOUT: '10',
      HUB_HTTPS_PORT: String(https),
      HUB_HTTP_PORT: '0',
      HUB_MQTTS_PORT: String(mqtts),
    };
    // All three at once on one empty data directory: they must agree on one set of keys and certificates.
    const [api, worker, gateway] = await Promise.all(['api', 'worker', 'gateway'].map((role) => HubProcess.start({ ...shared, HUB_ROLES: role })));
    Object.assign(hubs, { api, worker, gateway });
  });

  after(async () => {
    await fleet?.close();
    for (const hub of Object.values(hubs)) if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    await temporal?.close();
    await dropSchema(schema);
    dir.remove();
  });

  it('each process runs only its role, with the same keys and certificate', () => {
    const { api, worker, gateway } = hubs;
    for (const hub of [api, worker, gateway]) assert.equal(hub.banner.connectionString, api.banner.connectionString);
    assert.ok(api.banner.httpsPort && !api.banner.mqttsPort && api.banner.temporal, api.output);
    assert.ok(!worker.banner.httpsPort && !worker.banner.mqttsPort && worker.banner.temporal, worker.output);
    assert.ok(!gateway.banner.httpsPort && gateway.banner.mqttsPort && !gateway.banner.temporal, gateway.output);
    assert.match(api.banner.temporal!, /\(external server\)$/);
  });

  it('a method job and a twin job run end to end across the three processes', async () => {
    const { api, gateway } = hubs;
    const ca = readFileSync(api.banner.caFile, 'utf8');
    const address = { port: api.banner.httpsPort!, ca };
    const registry = registryFor(api.banner.connectionString, address);
    const devices = [];
    for (let i = 1; i <= 5; i++) {
      const { responseBody } = await registry.create({ deviceId: `cluster-${i}` });
      devices.push({ deviceId: responseBody.deviceId, key: responseBody.authentication!.symmetricKey!.primaryKey! });
    }
    fleet = await connectFleet({ port: gateway.banner.mqttsPort!, ca, hostName: 'localhost' }, devices, {
      concurrency: 5,
      behaviour: { reportDesired: true, answer: (method, _payload, deviceId) => ({ status: 201, payload: Buffer.from(JSON.stringify({ method, deviceId })) }) },
    });
    assert.equal(fleet.failed, 0);

    const jobs = jobClientFor(api.banner.connectionString, address);
    await jobs.scheduleDeviceMethod('cluster-method', "STARTSWITH(deviceId, 'cluster-')", { methodName: 'ping', payload: null, responseTimeoutInSeconds: 10 });
    const methodJob = await jobEnded(jobs, 'cluster-method', 60_000);
    assert.equal(methodJob.status, 'completed');
    assert.deepEqual(methodJob.deviceJobStatistics, { deviceCount: 5, failedCount: 0, succeededCount: 5, runningCount: 0, pendingCount: 0 });
    const query = registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'cluster-method'", 10);
    const { result: rows } = await query.next(query.continuationToken);
    assert.equal(rows.length, 5);
    for (const row of rows as Array<{ deviceId: string; outcome: { deviceMethodResponse: unknown } }>) {
      assert.deepEqual(row.outcome.deviceMethodResponse, { status: 201, payload: { method: 'ping', deviceId: row.deviceId } });
    }

    await jobs.scheduleTwinUpdate('cluster-twin', "STARTSWITH(deviceId, 'cluster-')", { etag: '*', properties: { desired: { level: 3 } } });
    assert.equal((await jobEnded(jobs, 'cluster-twin', 60_000)).status, 'completed');
    // The worker's desired-property notifications reach the gateway's devices through Redis; they report back.
    for (const { deviceId } of devices) {
      await pollUntil(
        async () => ((await registry.getTwin(deviceId)).responseBody.properties.reported.level === 3 ? true : undefined),
        `${deviceId} to report level 3`,
        15_000,
        100,
      );
    }
  });

  it('every process stops cleanly on SIGTERM', async () => {
    await fleet?.close();
    fleet = undefined;
    for (const [role, hub] of Object.entries(hubs)) assert.deepEqual(await hub.stop('SIGTERM'), { code: 0, signal: null }, `${role}:\n${hub.output}`);
  });
});
