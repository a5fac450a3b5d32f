import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { readHubFile } from '../../src/config/hub-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { jobClientFor, registryFor } from '../helpers/service-sdk.js';
import { allInOneEnv, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { waitFor } from '../helpers/wait.js';
import { jobEnded } from './helpers/poll.js';

describe('npm start: the all-in-one hub', () => {
  const dir = makeTempDir('iothub-start-');
  after(() => dir.remove());

  it('refuses bad settings with one line per value and exit code 2, starting nothing', async () => {
    const hub = HubProcess.spawn({ HUB_DATA_DIR: join(dir.path, 'refused'), HUB_HTTPS_PORT: 'x' }, [
      '--roles',
      'api,scheduler',
      '--temporal-address',
      'nowhere',
    ]);
    assert.equal(await hub.exited, 2, hub.output);
    assert.equal(
      hub.output,
      [
        'iothub-jobs: invalid configuration',
        "  HUB_HTTPS_PORT (--https-port): expected a port number 0-65535 (got 'x')",
        "  HUB_ROLES (--roles): expected a comma-separated list of api, worker, gateway (got 'api,scheduler')",
        "  TEMPORAL_ADDRESS (--temporal-address): expected host:port, e.g. temporal:7233 (got 'nowhere')",
        '',
      ].join('\n'),
    );
    assert.equal(existsSync(join(dir.path, 'refused')), false);
  });

  it('a Ctrl-C during start-up lets the start complete, then shuts down cleanly without printing the banner', async () => {
    const dataDir = join(dir.path, 'early-stop');
    const hub = HubProcess.spawn(await allInOneEnv(dataDir));
    try {
      // hub.json is written once Temporal is up, before the store, the gateway, the worker and the API start.
      await waitFor(() => existsSync(join(dataDir, 'hub.json')), 'hub.json', 60_000);
      assert.deepEqual(await hub.stop('SIGINT'), { code: 0, signal: null }, hub.output);
      assert.equal(hub.output, 'SIGINT: shutting down once the start completes…\nStopped.\n');
    } finally {
      if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    }
  });

  it('comes up on first start, works with the official SDK, stops on SIGINT, and a second start resumes a scheduled job', async () => {
    const dataDir = join(dir.path, 'hub');
    const env = await allInOneEnv(dataDir, { HUB_JOB_RETENTION_DAYS: '7' });
    const first = await HubProcess.start(env);
    let second: StartedHub | undefined;
    try {
      const { banner } = first;
      const hubFile = readHubFile(dataDir)!;
      const owner = hubFile.sharedAccessPolicies.find((policy) => policy.keyName === 'iothubowner')!;
      assert.equal(banner.connectionString, `HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=${owner.primaryKey}`);
      assert.equal(banner.caFile, join(dataDir, 'tls', 'ca.pem'));
      assert.deepEqual(
        [banner.httpsPort, banner.httpPort, banner.mqttsPort],
        [Number(env.HUB_HTTPS_PORT), Number(env.HUB_HTTP_PORT), Number(env.HUB_MQTTS_PORT)],
      );
      assert.match(
        banner.temporal!,
        new RegExp(`^127\\.0\\.0\\.1:${env.HUB_TEMPORAL_PORT} namespace default \\(embedded temporal-lite, .*temporal-lite\\.db\\)$`),
      );
      assert.match(banner.temporalUi!, /^http:\/\/127\.0\.0\.1:\d+$/);
      const temporalUi = Number(new URL(banner.temporalUi!).port);
      assert.deepEqual(hubFile.ports, { https: banner.httpsPort, http: banner.httpPort, mqtts: banner.mqttsPort, temporalUi });
      assert.equal(banner.console, `https://localhost:${banner.httpsPort}/ui/`);
      assert.equal(banner.consoleHttp, `http://localhost:${banner.httpPort}/ui/`);
      const consolePage = await fetch(banner.consoleHttp!, { signal: AbortSignal.timeout(5_000) });
      assert.equal(consolePage.status, 200);
      assert.match(await consolePage.text(), /<title>iothub-jobs console<\/title>/);
      const settings = await fetch(`${banner.temporalUi}/api/v1/settings`, { signal: AbortSignal.timeout(5_000) });
      const { DisableWriteActions } = (await settings.json()) as { DisableWriteActions?: boolean };
      assert.equal(DisableWriteActions, true, 'the UI is read-only by default');
      const temporal = await Connection.connect({ address: banner.temporal!.split(' ')[0]! });
      try {
        const { config } = await temporal.workflowService.describeNamespace({ namespace: 'default' });
        assert.equal(Number(config!.workflowExecutionRetentionTtl!.seconds), 8 * 24 * 3600, 'temporal-lite keeps closed jobs a day longer than the hub does');
      } finally {
        await temporal.close();
      }
      assert.equal(hubFile.hostName, 'localhost');
      const ca = readFileSync(banner.caFile, 'utf8');

      // The printed connection string, as a user would paste it into the official SDK (port via the agent override).
      const address = { port: banner.httpsPort!, ca };
      const registry = registryFor(banner.connectionString, address);
      for (const deviceId of ['resume-a', 'resume-b']) await registry.create({ deviceId });
      assert.equal((await registry.getTwin('resume-a')).responseBody.deviceId, 'resume-a');
      const jobs = jobClientFor(banner.connectionString, address);
      const startTime = new Date(Date.now() + 3000);
      const scheduled = await jobs.scheduleTwinUpdate(
        'resume-1',
        "deviceId IN ['resume-a', 'resume-b']",
        { etag: '*', properties: { desired: { mode: 'eco' } } },
        startTime,
        3600,
      );
      assert.ok(['queued', 'scheduled'].includes(scheduled.jobStatus.status), scheduled.jobStatus.status);

      const stopped = await first.stop('SIGINT');
      assert.deepEqual(stopped, { code: 0, signal: null }, first.output);
      assert.match(first.output, /SIGINT: shutting down…\nStopped\.\n$/);

      second = await HubProcess.start(env);
      assert.equal(second.banner.connectionString, banner.connectionString, 'the keys are kept');
      assert.equal(readFileSync(second.banner.caFile, 'utf8'), ca, 'the CA is kept');
      const resumed = jobClientFor(second.banner.connectionString, { port: second.banner.httpsPort!, ca });
      const job = await jobEnded(resumed, 'resume-1', 60_000);
      assert.equal(job.status, 'completed');
      assert.deepEqual(job.deviceJobStatistics, { deviceCount: 2, failedCount: 0, succeededCount: 2, runningCount: 0, pendingCount: 0 });
      assert.ok(new Date(job.startTime).getTime() >= startTime.getTime() - 1000, `started ${job.startTime}, scheduled for ${startTime.toISOString()}`);
      const twins = registryFor(second.banner.connectionString, { port: second.banner.httpsPort!, ca });
      for (const deviceId of ['resume-a', 'resume-b']) assert.equal((await twins.getTwin(deviceId)).responseBody.properties.desired.mode, 'eco');

      assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null }, second.output);
    } finally {
      for (const hub of [first, second]) if (hub && hub.child.exitCode === null) await hub.stop('SIGKILL');
    }
  });
});
