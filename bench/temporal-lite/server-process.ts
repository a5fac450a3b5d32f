// temporal-lite in a process of its own, started through its CLI exactly as an operator (or the
// embedded hub) would: `temporal-lite server start-dev --port 0 [--db-filename FILE]`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procMeter, type ProcessMeter } from './meters.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = process.env.ZZ_CLI ?? join(root, 'dist', 'temporal-lite', 'cli.js');

export interface ServerProcess {
  address: string;
  meter: ProcessMeter;
  close(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Fails unless dist/ holds a build of the current temporal-lite sources (a stale build would be measured). */
export function assertFreshBuild(): void {
  let built: number;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    throw new Error(`${cli} is missing: run \`npm run build\` first`);
  }
  if (newestMtime(join(root, 'temporal-lite')) > built) throw new Error(`${cli} is older than the temporal-lite sources: run \`npm run build\` first`);
}

/** Starts the server; `nodeArgs` go to node itself (e.g. --cpu-prof). */
export async function startServerProcess(dbFile: string | undefined, nodeArgs: string[] = []): Promise<ServerProcess> {
  const args = [...nodeArgs, cli, 'server', 'start-dev', '--port', '0', ...(dbFile ? ['--db-filename', dbFile] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('temporal-lite did not start within 20 s')), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const m = out.match(/listening on (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`temporal-lite exited with code ${code} before listening`));
    });
  });
  return {
    address,
    meter: procMeter(child.pid!),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
