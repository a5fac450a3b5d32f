import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';
import { parseScrape, valueOf } from '../helpers/prometheus.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { freePorts, HubProcess, type StartedHub } from '../run/helpers/hub-process.js';
import { pollUntil } from '../run/helpers/poll.js';

interface Readiness {
  status: number;
  body: { status: string; failing?: string[]; checks: Record<string, string> };
}

const adminUrl = process.env.DATABASE_URL;

/** A database of the test's own on the PostgreSQL of DATABASE_URL, whose connections it can refuse. */
async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('GET /readyz of a hub process as its store and Temporal go away and come back', () => {
  const dir = makeTempDir('iothub-ready-');
  const temporalDir = makeTempDir('iothub-ready-temporal-');
  const database = `iothub_ready_${randomBytes(4).toString('hex')}`;
  let temporal: TemporalLite | undefined;
  let temporalPort: number;
  let hub: StartedHub;
  let base: string;

  const readiness = async (): Promise<Readiness> => {
    const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Readiness['body'] };
  };
  const until = (what: string, accept: (r: Readiness) => boolean) =>
    pollUntil(
      async () => {
        const r = await readiness();
        return accept(r) ? r : undefined;
      },
      what,
      30_000,
    );

  before(async () => {
    const ports = await freePorts(4);
    temporalPort = ports[0]!;
    temporal = await startTemporalLite({ port: temporalPort, dataDir: temporalDir.path, logger: stderrLogger('error') });
    const env: Record<string, string> = {
      HUB_DATA_DIR: dir.path,
      HUB_HTTPS_PORT: String(ports[1]),
      HUB_HTTP_PORT: String(ports[2]),
      HUB_MQTTS_PORT: String(ports[3]),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_CONNECT_TIMEOUT: '10',
    };
    if (adminUrl) {
      await admin((client) => client.query(`CREATE DATABASE ${database}`));
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      env.DATABASE_URL = url.toString();
    }
    hub = await HubProcess.start(env);
    base = `http://127.0.0.1:${ports[2]}`;
  });

  after(async () => {
    if (hub && hub.child.exitCode === null) await hub.stop();
    await temporal?.close();
    if (adminUrl) {
      await admin(async (client) => {
        await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      });
    }
    dir.remove();
    temporalDir.remove();
  });

  it('is 200 with every part ok once started; /healthz is 200', async () => {
    const ready = await readiness();
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, { status: 'ready', checks: { store: 'ok', broker: 'ok', temporal: 'ok', worker: 'ok' } });
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  it('turns 503 naming temporal while the Temporal server is down, and back to 200 when it returns', async () => {
    await temporal!.close();
    temporal = undefined;
    const down = await until('readiness to fail on Temporal', (r) => r.status === 503);
    assert.deepEqual(down.body.failing, ['temporal'], JSON.stringify(down.body));
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the process is still up');
    // The scrape is still served, without the job counts read from Temporal (a failed read is
    // counted as the scrape is written, so the second scrape shows the first one's).
    const scrape = async () => {
      const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 200);
      return parseScrape(await response.text());
    };
    await scrape();
    const samples = await scrape();
    assert.ok(valueOf(samples, 'iothub_metrics_read_failures_total', { metric: 'iothub_jobs' }) >= 1);
    assert.ok(!samples.some((sample) => sample.name === 'iothub_jobs'));

    temporal = await startTemporalLite({ port: temporalPort, dataDir: temporalDir.path, logger: stderrLogger('error') });
    await until('readiness to recover', (r) => r.status === 200);
  });

  it(
    'turns 503 naming the store while PostgreSQL refuses its connections, and back to 200',
    { skip: adminUrl ? false : 'DATABASE_URL not set: the store part of readiness is checked on PostgreSQL' },
    async () => {
      await admin(async (client) => {
        await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      });
      const down = await until('readiness to fail on the store', (r) => r.status === 503);
      assert.ok(down.body.failing?.includes('store'), JSON.stringify(down.body));
      assert.match(down.body.checks.store!, /not currently accepting connections|terminat/);

      await admin((client) => client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`));
      await until('readiness to recover', (r) => r.status === 200);
    },
  );
});
