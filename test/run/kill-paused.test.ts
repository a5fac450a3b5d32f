// A paced rollout job paused, the all-in-one hub killed (SIGKILL) and started again: the job is still
// paused, resumes at its rate, and every device's twin was patched exactly once. Driven by the CLI
// (schedule with --rate, pause, show, resume) and checked with the official service SDK.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type iothub from 'azure-iothub';
import { makeTempDir } from '../helpers/temp-dir.js';
import { registryFor } from '../helpers/service-sdk.js';
import { cliJson } from './helpers/cli.js';
import { allInOneEnv, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { pollUntil } from './helpers/poll.js';

const DEVICES = 12;
const RATE = 30; // a device every 2 s

interface JobJson {
  status: string;
  paused?: boolean;
  currentRatePerMinute?: number;
  deviceJobStatistics?: { succeededCount: number; failedCount: number; deviceCount: number };
}

const cli = (dataDir: string, args: string[]) => cliJson<JobJson>(dataDir, args);

async function twinVersions(registry: iothub.Registry): Promise<Map<string, { version: number; wave?: number }>> {
  const query = registry.createQuery("SELECT * FROM devices WHERE STARTSWITH(deviceId, 'kp-')", 100);
  const rows = (await query.next()).result as Array<{ deviceId: string; properties: { desired: { $version: number } }; tags?: { wave?: number } }>;
  return new Map(rows.map((row) => [row.deviceId, { version: row.properties.desired.$version, wave: row.tags?.wave }]));
}

describe('SIGKILL of the all-in-one hub while a rollout job is paused', () => {
  const dir = makeTempDir('iothub-kill-paused-');
  after(() => dir.remove());

  it('after a restart the job is still paused, resumes at its rate, and patches every twin once', async () => {
    const env = await allInOneEnv(dir.path, { HUB_JOB_TUNING: '{"scheduleUpdateTwin":{"batchSize":1}}' });
    const first = await HubProcess.start(env);
    let second: StartedHub | undefined;
    try {
      const address = { port: first.banner.httpsPort!, ca: readFileSync(first.banner.caFile, 'utf8') };
      const registry = registryFor(first.banner.connectionString, address);
      for (let i = 0; i < DEVICES; i++) await registry.create({ deviceId: `kp-${String(i).padStart(2, '0')}` });
      const created = await cli(dir.path, [
        'job',
        'schedule-twin',
        '--job-id',
        'paused-1',
        '--query',
        "STARTSWITH(deviceId, 'kp-')",
        '--desired',
        '{"firmware":"4.2"}',
        '--tags',
        '{"wave":1}',
        '--rate',
        String(RATE),
      ]);
      assert.equal(created.currentRatePerMinute, RATE);
      await pollUntil(
        async () => ((await cli(dir.path, ['job', 'show', 'paused-1'])).deviceJobStatistics?.succeededCount ?? 0) >= 2 || undefined,
        'two devices done',
        60_000,
        500,
      );
      const paused = await cli(dir.path, ['job', 'pause', 'paused-1']);
      assert.equal(paused.paused, true);

      assert.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
      second = await HubProcess.start(env);
      const again = await cli(dir.path, ['job', 'show', 'paused-1']);
      assert.equal(again.status, 'running');
      assert.equal(again.paused, true, 'still paused after the restart');
      const doneBefore = again.deviceJobStatistics!.succeededCount;
      assert.ok(doneBefore >= 2 && doneBefore < DEVICES, `${doneBefore} done at the pause`);

      const resumedAt = Date.now();
      assert.equal((await cli(dir.path, ['job', 'resume', 'paused-1'])).paused, false);
      const done = await pollUntil(
        async () => {
          const job = await cli(dir.path, ['job', 'show', 'paused-1']);
          return job.status === 'completed' ? job : undefined;
        },
        'the job to complete',
        120_000,
        500,
      );
      assert.equal(done.deviceJobStatistics!.succeededCount, DEVICES);
      // The devices left were started at 30 a minute: one each 2 s after the resume.
      const seconds = (Date.now() - resumedAt) / 1000;
      assert.ok(seconds >= ((DEVICES - doneBefore - 1) * 60) / RATE, `the rest took ${seconds} s`);

      const secondRegistry = registryFor(second.banner.connectionString, { ...address, port: second.banner.httpsPort! });
      const twins = await twinVersions(secondRegistry);
      assert.equal(twins.size, DEVICES);
      // A new twin's desired $version is 1; the job's one patch makes it 2 (never 3: no patch twice).
      for (const [deviceId, twin] of twins) assert.deepEqual(twin, { version: 2, wave: 1 }, deviceId);
      assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null }, second.output);
    } finally {
      for (const hub of [first, second]) if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    }
  });
});
