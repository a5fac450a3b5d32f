// The reconnect grace after the hub's own crash, with the real hub process and real MQTT devices:
// devices connected when the hub was killed are waited for (HUB_RECONNECT_GRACE_SECONDS, default
// 60) by a method job that starts before they are back; a device that was not connected then fails
// DeviceNotOnline at once, as before.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { allInOneEnv, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { deviceJobRecords, simulate, type Simulation } from './helpers/fleet.js';
import { jobEnded } from './helpers/poll.js';

const DEVICES = 6;

describe('reconnect grace after a SIGKILL of the all-in-one hub', () => {
  const dir = makeTempDir('iothub-grace-');
  after(() => dir.remove());

  it('a method job started before the fleet is back waits for the devices that were connected, not for the others', async () => {
    const env = await allInOneEnv(dir.path);
    const hubs: StartedHub[] = [];
    const fleets: Simulation[] = [];
    try {
      hubs.push(await HubProcess.start(env));
      const address = { port: hubs[0]!.banner.httpsPort!, ca: readFileSync(hubs[0]!.banner.caFile, 'utf8') };
      await registryFor(hubs[0]!.banner.connectionString, address).create({ deviceId: 'never-online' });
      fleets.push(await simulate(dir.path, ['--devices', String(DEVICES), '--prefix', 'grace-']));

      // The hub and the devices' process die together; the hub comes back first.
      assert.equal((await hubs[0]!.stop('SIGKILL')).signal, 'SIGKILL');
      fleets[0]!.child.kill('SIGKILL');
      hubs.push(await HubProcess.start(env));
      const jobs = jobClientFor(hubs[1]!.banner.connectionString, address);
      await jobs.scheduleDeviceMethod('after-restart', "STARTSWITH(deviceId, 'grace-') OR deviceId = 'never-online'", {
        methodName: 'work',
        payload: {},
        responseTimeoutInSeconds: 30,
      });
      fleets.push(await simulate(dir.path, ['--devices', String(DEVICES), '--prefix', 'grace-']));

      const job = await jobEnded(jobs, 'after-restart', 90_000);
      assert.equal(job.status, 'completed', JSON.stringify(job));
      const records = await deviceJobRecords(registryFor(hubs[1]!.banner.connectionString, address), 'after-restart');
      assert.equal(records.length, DEVICES + 1);
      for (const record of records) {
        if (record.deviceId === 'never-online') assert.equal(record.error?.code, 'DeviceNotOnline', JSON.stringify(record));
        else assert.equal(record.status, 'completed', JSON.stringify(record));
      }
      assert.equal(job.deviceJobStatistics.succeededCount, DEVICES);
      assert.equal(job.deviceJobStatistics.failedCount, 1);
    } finally {
      for (const fleet of fleets) if (fleet.child.exitCode === null && fleet.child.signalCode === null) fleet.child.kill('SIGKILL');
      for (const hub of hubs) if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    }
  });
});
