import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/hub-process.js';

const available = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: Array<{ published: number | string; target: number }>;
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}

/**
 * The file as docker-compose resolves it (defaults filled in, anchors merged), as JSON: Debian's
 * docker-compose prints YAML, and its own dependency python3-yaml reads it.
 */
function resolvedCompose(): { services: Record<string, ComposeService>; volumes: Record<string, unknown> } {
  const yaml = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, env: { PATH: process.env.PATH } });
  const json = execFileSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: yaml });
  return JSON.parse(json.toString('utf8'));
}

describe('docker-compose.yml', { skip: available ? false : 'docker-compose not installed (.ci/run installs it): compose validation skipped' }, () => {
  it('is valid (docker-compose config -q)', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('runs Temporal on PostgreSQL with its UI, Redis, and the hub roles as services of one image sharing one data volume', () => {
    const { services, volumes } = resolvedCompose();
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'gateway',
      'postgresql',
      'redis',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    assert.match(services.temporal!.image!, /^temporalio\/server:1\.(2[6-9]|[3-9]\d)\./, 'a current server release, not the retired auto-setup image');
    assert.equal(services.temporal!.environment!.DB, 'postgres12');
    assert.match(services['temporal-ui']!.image!, /^temporalio\/ui:/);
    const roles = { api: 'api', worker: 'worker', gateway: 'gateway' };
    for (const [service, role] of Object.entries(roles)) {
      const hub = services[service]!;
      assert.ok(hub.build, `${service} is built from the Dockerfile`);
      assert.equal(hub.image, services.api!.image);
      assert.equal(hub.environment!.HUB_ROLES, role);
      assert.equal(hub.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.match(hub.environment!.DATABASE_URL!, /^postgres:\/\/.*@postgresql:5432\//);
      assert.equal(hub.environment!.REDIS_URL, 'redis://redis:6379');
      assert.equal(hub.environment!.HUB_DATA_DIR, '/data');
      assert.ok(
        hub.volumes!.some((volume) => volume.startsWith('hub-data:/data')),
        `${service} mounts the shared data volume`,
      );
    }
    assert.ok('hub-data' in volumes);
    const published = (service: string) => (services[service]!.ports ?? []).map((port) => `${port.published}->${port.target}`);
    assert.ok(published('api').includes(`443->${services.api!.environment!.HUB_HTTPS_PORT}`), 'the service SDK dials 443');
    assert.ok(published('gateway').includes(`8883->${services.gateway!.environment!.HUB_MQTTS_PORT}`), 'the device SDK dials 8883');
    assert.deepEqual(published('worker'), [], 'workers scale freely');
  });

  it('starts each piece once what it needs is healthy, the hub roles probed on GET /readyz', () => {
    const { services } = resolvedCompose();
    const condition = (service: string, on: string) => services[service]!.depends_on?.[on]?.condition;
    assert.equal(condition('temporal-schema', 'postgresql'), 'service_healthy');
    assert.equal(condition('temporal', 'temporal-schema'), 'service_completed_successfully');
    assert.equal(condition('temporal-namespace', 'temporal'), 'service_healthy');
    assert.ok(services.temporal!.healthcheck?.test?.length, 'temporal has a healthcheck');
    for (const service of ['api', 'worker', 'gateway']) {
      assert.equal(condition(service, 'temporal'), 'service_healthy', service);
      assert.equal(condition(service, 'temporal-namespace'), 'service_completed_successfully', service);
      assert.match(services[service]!.healthcheck!.test!.join(' '), /http:\/\/127\.0\.0\.1:8080\/readyz/, service);
      assert.equal(services[service]!.environment!.HUB_HTTP_PORT, '8080', `${service} serves its probes on 8080`);
    }
  });

  it('builds the image that `npm start` runs', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    const start = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts.start as string;
    assert.match(dockerfile, /^FROM node:20\S* AS build$/m);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
    assert.deepEqual(JSON.parse(cmd), start.split(' '));
  });
});
