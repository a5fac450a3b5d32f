// Cluster chaos on PostgreSQL + Redis: api, two workers and two gateways as processes on one
// temporal-lite; kill -9 of one worker and one gateway in the middle of a method job and a twin
// job. The jobs finish on the surviving worker; the killed gateway's devices come back to it once
// it restarts (within the reconnect grace), so nothing is lost: every device one record, called
// once, every twin patched once; only the calls in flight at the kills lack an answer, and their
// records say why.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';
import { ensureDevices } from '../../src/cli/ensure-devices.js';
import { HubClient } from '../../src/cli/hub-client.js';
import { resolveHubTarget } from '../../src/cli/hub-target.js';
import { OUTCOME_UNKNOWN } from '../../src/registry/job-records.js';
import { connectFleet, type Fleet } from '../../src/simulator/fleet.js';
import { dropSchema } from '../helpers/store-variants.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { deviceJobRecords } from '../run/helpers/fleet.js';
import { freePorts, HubProcess, type StartedHub } from '../run/helpers/hub-process.js';
import { jobEnded, pollUntil } from '../run/helpers/poll.js';

const skip =
  process.env.DATABASE_URL && process.env.REDIS_URL ? false : 'DATABASE_URL or REDIS_URL not set: the cluster chaos test (PostgreSQL + Redis) is skipped';
const DEVICES = 40;

describe('cluster chaos: kill -9 of one of two workers and one of two gateways mid-job', { skip }, () => {
  const dir = makeTempDir('iothub-cluster-chaos-');
  const schema = `test_chaos_${randomBytes(5).toString('hex')}`;
  let temporal: TemporalLite | undefined;
  const hubs: StartedHub[] = [];
  const fleets: Fleet[] = [];

  after(async () => {
    for (const fleet of fleets) await fleet.close();
    for (const hub of hubs) if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    await temporal?.close();
    await dropSchema(schema);
    dir.remove();
  });

  it('the jobs finish on the survivors with nothing lost', async () => {
    temporal = await startTemporalLite({ port: 0, logger: stderrLogger('error') });
    const [https, mqttsA, mqttsB] = await freePorts(3);
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
      // Small batches, two at a time: both workers take some.
      HUB_JOB_TUNING: JSON.stringify({
        scheduleDeviceMethod: { batchSize: 5, deviceConcurrency: 2, batchConcurrency: 4 },
        scheduleUpdateTwin: { batchSize: 5, batchConcurrency: 4 },
      }),
    };
    const gatewayEnv = (port: number) => ({ ...shared, HUB_ROLES: 'gateway', HUB_MQTTS_PORT: String(port) });
    const api = await HubProcess.start({ ...shared, HUB_ROLES: 'api', HUB_MQTTS_PORT: String(mqttsA) });
    hubs.push(api);
    const [workerA, workerB, gatewayA, gatewayB] = await Promise.all([
      HubProcess.start({ ...shared, HUB_ROLES: 'worker' }),
      HubProcess.start({ ...shared, HUB_ROLES: 'worker' }),
      HubProcess.start(gatewayEnv(mqttsA!)),
      HubProcess.start(gatewayEnv(mqttsB!)),
    ]);
    hubs.push(workerA!, workerB!, gatewayA!, gatewayB!);

    const target = resolveHubTarget({ dataDir: dir.path, httpsPort: https }, {});
    const identities = await ensureDevices(
      new HubClient(target),
      Array.from({ length: DEVICES }, (_, i) => `cc-${String(i).padStart(3, '0')}`),
    );
    const calls = new Map<string, number>();
    const behaviour = {
      answer: (_method: string, _payload: Buffer, deviceId: string) => {
        calls.set(deviceId, (calls.get(deviceId) ?? 0) + 1);
        return { status: 200, payload: Buffer.from('{}') };
      },
      answerDelayMs: 700,
      reconnectAfterMs: 500,
    };
    const gatewayTarget = (port: number) => ({ host: target.host, port, ca: target.ca, servername: target.servername, hostName: target.connection.hostName });
    for (const [port, half] of [
      [mqttsA!, identities.slice(0, DEVICES / 2)],
      [mqttsB!, identities.slice(DEVICES / 2)],
    ] as const) {
      const fleet = await connectFleet(gatewayTarget(port), half, { concurrency: 20, behaviour });
      fleets.push(fleet);
      assert.equal(fleet.failed, 0);
    }

    const address = { port: api.banner.httpsPort!, ca: target.ca! };
    const jobs = jobClientFor(api.banner.connectionString, address);
    await jobs.scheduleDeviceMethod('cc-method', "STARTSWITH(deviceId, 'cc-')", { methodName: 'work', payload: {}, responseTimeoutInSeconds: 30 });
    await jobs.scheduleTwinUpdate('cc-twin', "STARTSWITH(deviceId, 'cc-')", { etag: '*', properties: { desired: { chaos: 'cc-twin' } } });
    await pollUntil(
      async () => ((await jobs.getJob('cc-method')).jobStatus.deviceJobStatistics?.succeededCount >= 4 ? true : undefined),
      'the method job under way',
      60_000,
      100,
    );

    await Promise.all([workerA!.stop('SIGKILL'), gatewayA!.stop('SIGKILL')]);
    // The killed gateway comes back on its port; its devices reconnect to it within the grace.
    hubs.push(await HubProcess.start(gatewayEnv(mqttsA!)));

    const registry = registryFor(api.banner.connectionString, address);
    for (const jobId of ['cc-method', 'cc-twin']) {
      const job = await jobEnded(jobs, jobId, 150_000);
      assert.equal(job.status, 'completed', JSON.stringify(job));
      const records = await deviceJobRecords(registry, jobId);
      assert.equal(new Set(records.map((record) => record.deviceId)).size, DEVICES, `${jobId}: one record per device`);
      assert.equal(records.length, DEVICES);
      assert.equal(job.deviceJobStatistics.succeededCount + job.deviceJobStatistics.failedCount, DEVICES);
      // Only the calls in flight at the kills may lack an answer, saying why truthfully: the killed
      // worker's (MethodOutcomeUnknown, not called again) and those through the killed gateway
      // (GatewayTimeout: the hub waited for the answer in vain); every other device is done.
      const killedHalf = new Set(identities.slice(0, DEVICES / 2).map((identity) => identity.deviceId));
      const lostAnswers = records.filter((record) => record.status !== 'completed');
      for (const record of lostAnswers) {
        const truthful = record.error?.code === OUTCOME_UNKNOWN.code || (killedHalf.has(record.deviceId) && record.error?.code === 'GatewayTimeout');
        assert.ok(jobId === 'cc-method' && truthful, JSON.stringify(record));
      }
      assert.ok(lostAnswers.length <= 8, `${lostAnswers.length} answers lost: at most the calls in flight (4 batches × 2 lanes)`);
    }
    assert.equal(calls.size, DEVICES, 'every device was called');
    assert.deepEqual(
      [...calls.values()].filter((n) => n !== 1),
      [],
      'no device called twice',
    );
    for (const identity of identities) {
      const twin = await registry.getTwin(identity.deviceId);
      assert.equal(twin.responseBody.properties.desired.chaos, 'cc-twin');
      assert.equal(twin.responseBody.properties.desired.$version, 2, `${identity.deviceId}: patched once`);
    }
  });
});
