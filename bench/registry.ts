/**
 * `npm run bench:registry [-- --devices 100000]`
 *
 * How fast operators bring a fleet in and out: `iothub-jobs devices import <file>` of N devices in
 * IoT Hub's export format (keys given, tags and desired properties on every device), then
 * `iothub-jobs devices export <file>` of the same hub, both end to end: the CLI in its own process as
 * an operator runs it, streaming to the hub's REST API over HTTPS; the hub (this process) writing
 * SQLite, or PostgreSQL when DATABASE_URL is set. The rate is the one the CLI reports (from its
 * request to the hub's last answer, without its own start-up). Target: at least 10,000 devices/s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startHub } from '../src/hub.js';
import { silentLogger } from '../src/logger.js';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '100000' } } });
const devices = Number(args.devices);

const CLI = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

/**
 * Runs the CLI in a child process; returns the devices/s it reports on stderr, and the devices per
 * CPU-second of the hub (this process) meanwhile — the figure that holds on a machine shared with
 * other work, where wall-clock rates fall with the CPU share the hub gets.
 */
async function reportedRate(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const cpu = process.cpuUsage();
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...argv], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const used = process.cpuUsage(cpu);
  const rate = /in ([\d.]+ s) \((\d+)\/s\)/.exec(stderr);
  if (!rate) throw new Error(`iothub-jobs ${argv.join(' ')} said: ${stderr}`);
  const hubCpuSeconds = (used.user + used.system) / 1e6;
  return `${rate[1]} = ${rate[2]} devices/s; hub CPU ${hubCpuSeconds.toFixed(1)} s = ${Math.round(devices / hubCpuSeconds)} devices per CPU-second`;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-registry-'));
const databaseSchema = process.env.DATABASE_URL ? `bench_registry_${process.pid}` : undefined;
const hub = await startHub({ dataDir: dir, httpsPort: 0, databaseUrl: process.env.DATABASE_URL, databaseSchema, log: silentLogger });
try {
  const key = (n: number) => Buffer.alloc(32, n).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < devices; i++) {
    lines.push(
      JSON.stringify({
        id: `fleet-${String(i).padStart(7, '0')}`,
        status: 'enabled',
        authentication: { type: 'sas', symmetricKey: { primaryKey: key(i % 251), secondaryKey: key((i + 1) % 251) } },
        capabilities: { iotEdge: false },
        tags: { site: `site-${i % 100}`, floor: i % 7 },
        properties: { desired: { telemetryInterval: 30 } },
      }),
    );
  }
  const input = join(dir, 'fleet.jsonl');
  writeFileSync(input, lines.join('\n') + '\n');
  const env = { HUB_DATA_DIR: dir };
  const store = process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite';
  console.log(`devices import: ${devices} devices in ${await reportedRate(['devices', 'import', input], env)} (${store})`);
  console.log(`devices export: ${devices} devices in ${await reportedRate(['devices', 'export', join(dir, 'export.jsonl')], env)} (${store})`);
} finally {
  if (databaseSchema) await hub.store.db.execute(`DROP SCHEMA IF EXISTS "${databaseSchema}" CASCADE`);
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
}
