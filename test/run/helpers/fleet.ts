/** Simulated devices as their own process (`iothub-jobs simulate`), and device records read back with the official SDK. */
import { spawn, type ChildProcess } from 'node:child_process';
import type iothub from 'azure-iothub';
import { ROOT } from './hub-process.js';

export interface Simulation {
  child: ChildProcess;
  output: () => string;
}

/** `iothub-jobs simulate` on the hub of `dataDir`; resolves once the fleet is connected. */
export async function simulate(dataDir: string, args: string[], timeoutMs = 60_000): Promise<Simulation> {
  const child = spawn(process.execPath, [`${ROOT}bin/iothub-jobs.js`, 'simulate', '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + timeoutMs;
  while (!/devices connected/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`simulate did not connect:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}

/** One `devices.jobs` row as the SDK returns it. */
export interface DeviceJobRow {
  deviceId: string;
  status: string;
  error?: { code: string; description: string };
  outcome?: { deviceMethodResponse: { status: number; payload: unknown } | null };
}

/** Every page of a devices.jobs query through the official SDK (next follows continuations). */
export async function deviceJobRecords(registry: iothub.Registry, jobId: string): Promise<DeviceJobRow[]> {
  const query = registry.createQuery(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, 100);
  const rows: DeviceJobRow[] = [];
  while (query.hasMoreResults) rows.push(...((await query.next(query.continuationToken)).result as DeviceJobRow[]));
  return rows;
}
