import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configHelp, ConfigError, environmentWithFlags, loadConfig } from '../../src/config/config.js';
import { CONFIG_VARIABLES } from '../../src/config/variables.js';
import { DEFAULT_JOBS_SETTINGS } from '../../src/jobs/settings.js';

const problemsOf = (env: NodeJS.ProcessEnv): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
};

describe('hub process configuration', () => {
  it('has the documented defaults: all roles, embedded temporal-lite on 7233, namespace default', () => {
    const config = loadConfig({});
    assert.deepEqual(config.run.roles, { api: true, worker: true, gateway: true });
    assert.deepEqual(config.run.temporal, {
      address: undefined,
      namespace: 'default',
      embeddedPort: 7233,
      uiPort: 8233,
      uiWriteActions: false,
      uiUrl: undefined,
      connectTimeoutMs: 60_000,
    });
    assert.equal(config.settings.dataDir, './data');
    assert.equal(config.settings.httpsPort, 8443);
    assert.equal(config.settings.httpPort, 8080);
    assert.equal(config.gateway.mqttsPort, 8883);
    assert.equal(config.gateway.redisUrl, undefined);
    assert.deepEqual(config.jobs.tuning, DEFAULT_JOBS_SETTINGS.tuning);
  });

  it('reads roles, Temporal, Redis, the PostgreSQL schema and job tuning', () => {
    const config = loadConfig({
      HUB_ROLES: ' Worker , api ',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'jobs',
      TEMPORAL_CONNECT_TIMEOUT: '5',
      REDIS_URL: 'redis://redis:6379',
      HUB_DATABASE_SCHEMA: 'hub_a',
      HUB_MAX_ACTIVE_JOBS: '7',
      HUB_JOB_TUNING: '{"scheduleDeviceMethod":{"batchSize":5,"batchConcurrency":1}}',
      HUB_TEMPORAL_UI_PORT: 'OFF',
      HUB_TEMPORAL_UI_WRITE_ACTIONS: 'true',
      HUB_TEMPORAL_UI_URL: 'https://temporal.example.com/ui/',
    });
    assert.equal(config.run.temporal.uiUrl, 'https://temporal.example.com/ui', 'the console appends the workflow path');
    assert.deepEqual(config.run.roles, { api: true, worker: true, gateway: false });
    assert.equal(config.run.temporal.uiPort, undefined, 'no Web UI');
    assert.equal(config.run.temporal.uiWriteActions, true);
    assert.equal(loadConfig({ HUB_TEMPORAL_UI_PORT: '0' }).run.temporal.uiPort, 0);
    assert.equal(config.run.temporal.address, 'temporal:7233');
    assert.equal(config.run.temporal.namespace, 'jobs');
    assert.equal(config.run.temporal.connectTimeoutMs, 5000);
    assert.equal(config.gateway.redisUrl, 'redis://redis:6379');
    assert.equal(config.run.databaseSchema, 'hub_a');
    assert.equal(config.jobs.maxActiveJobs, 7);
    assert.equal(config.jobs.tuning.scheduleDeviceMethod.batchSize, 5);
    assert.equal(config.jobs.tuning.scheduleDeviceMethod.batchConcurrency, 1);
    assert.equal(config.jobs.tuning.scheduleDeviceMethod.shardSize, DEFAULT_JOBS_SETTINGS.tuning.scheduleDeviceMethod.shardSize);
    assert.deepEqual(config.jobs.tuning.scheduleUpdateTwin, DEFAULT_JOBS_SETTINGS.tuning.scheduleUpdateTwin);
  });

  it('reports every bad value once, naming the variable and its flag', () => {
    const problems = problemsOf({
      HUB_HTTPS_PORT: 'https',
      HUB_MQTTS_PORT: 'mqtts',
      HUB_ROLES: 'api,scheduler',
      TEMPORAL_ADDRESS: 'temporal',
      HUB_JOB_TUNING: '{"scheduleDeviceMethod":{"batchSiz":5}}',
      HUB_MAX_ACTIVE_JOBS: 'many',
      HUB_TEMPORAL_UI_URL: 'temporal:8080',
    });
    assert.equal(problems.length, 7, problems.join('\n'));
    const expected = [
      /^HUB_HTTPS_PORT \(--https-port\): expected a port number 0-65535 \(got 'https'\)$/,
      /^HUB_MQTTS_PORT \(--mqtts-port\): expected a port number 0-65535 \(got 'mqtts'\)$/,
      /^HUB_ROLES \(--roles\): expected a comma-separated list of api, worker, gateway \(got 'api,scheduler'\)$/,
      /^TEMPORAL_ADDRESS \(--temporal-address\): expected host:port/,
      /^HUB_JOB_TUNING \(--job-tuning\): expected JSON like .*batchSiz/,
      /^HUB_MAX_ACTIVE_JOBS \(--max-active-jobs\): /,
      /^HUB_TEMPORAL_UI_URL \(--temporal-ui-url\): expected an http:\/\/ or https:\/\/ URL/,
    ];
    for (const pattern of expected)
      assert.ok(
        problems.some((problem) => pattern.test(problem)),
        `${pattern} in\n${problems.join('\n')}`,
      );
  });

  it('takes every variable as a flag too, flags over the environment', () => {
    const env = environmentWithFlags(['--data-dir', '/srv/hub', '--https-port=443', '--roles', 'gateway'], {
      HUB_DATA_DIR: '/elsewhere',
      REDIS_URL: 'redis://r:6379',
    });
    assert.ok(env);
    const config = loadConfig(env);
    assert.equal(config.settings.dataDir, '/srv/hub');
    assert.equal(config.settings.httpsPort, 443);
    assert.deepEqual(config.run.roles, { api: false, worker: false, gateway: true });
    assert.equal(config.gateway.redisUrl, 'redis://r:6379');
    for (const variable of CONFIG_VARIABLES) {
      const flagged = environmentWithFlags([variable.flag, 'x'], {});
      assert.equal(flagged?.[variable.name], 'x', variable.flag);
    }
  });

  it('refuses unknown flags and flags without a value; --help lists every variable', () => {
    assert.throws(
      () => environmentWithFlags(['--data-dri', 'x'], {}),
      (err: unknown) => err instanceof ConfigError && /--data-dri/.test(err.problems[0]!),
    );
    assert.throws(() => environmentWithFlags(['--https-port'], {}), ConfigError);
    assert.throws(() => environmentWithFlags(['serve'], {}), ConfigError);
    assert.equal(environmentWithFlags(['--help'], {}), undefined);
    const help = configHelp('npm start --');
    for (const variable of CONFIG_VARIABLES) assert.ok(help.includes(`${variable.flag} / ${variable.name}`), variable.name);
  });

  it("the README's configuration table lists every variable with its flag", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES) assert.ok(readme.includes(`| \`${variable.name}\` | \`${variable.flag}\` |`), variable.name);
  });
});
