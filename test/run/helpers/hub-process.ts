/**
 * `npm start` as a child process: `node dist/src/main.js` (built by `npm run build`, which `npm test`
 * runs first) with its configuration in the environment, and what it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = `${ROOT}dist/src/main.js`;
/** Workflow bundles shared by every start in the test run (as the jobs tests do). */
export const TEST_CACHE_DIR = `${ROOT}.cache`;

/** Ports nobody listens on right now: each bound to port 0 at once, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The labelled lines of the start banner (src/run/banner.ts). */
export interface Banner {
  connectionString: string;
  caFile: string;
  httpsPort?: number;
  httpPort?: number;
  mqttsPort?: number;
  temporal?: string;
  temporalUi?: string;
  /** The console's URLs (HTTPS, and plain HTTP when served). */
  console?: string;
  consoleHttp?: string;
}

function parseBanner(output: string): Banner {
  const field = (label: string) => new RegExp(`^  ${label.replace(/[()]/g, '\\$&')}:\\s+(.+)$`, 'm').exec(output)?.[1];
  const portOf = (url: string | undefined) => (url === undefined ? undefined : Number(/:(\d+)(\/|$)/.exec(url)![1]));
  return {
    connectionString: field('Service connection string')!,
    caFile: field('CA certificate')!,
    httpsPort: portOf(field('REST API (HTTPS)')),
    httpPort: portOf(field('REST API (HTTP)')),
    mqttsPort: portOf(field('Devices (MQTTS)')),
    temporal: field('Temporal'),
    temporalUi: field('Temporal Web UI'),
    console: field('Console'),
    consoleHttp: field('Console (HTTP)'),
  };
}

/** A hub process that printed its banner. */
export type StartedHub = HubProcess & { banner: Banner };

export class HubProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private exitSignal: NodeJS.Signals | null = null;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitSignal = signal;
        resolve(code);
      }),
    );
  }

  /** Spawns the hub with `env` over a minimal environment (no HUB_* or DATABASE_URL of the caller leaks in). */
  static spawn(env: Record<string, string>, args: string[] = []): HubProcess {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HUB_CACHE_DIR: TEST_CACHE_DIR, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new HubProcess(child);
  }

  /** Spawns and waits for the banner; fails with the output if the process exits or takes too long. */
  static async start(env: Record<string, string>, timeoutMs = 90_000): Promise<StartedHub> {
    const hub = HubProcess.spawn(env);
    await hub.waitForOutput(/Press Ctrl-C to stop\./, timeoutMs);
    return Object.assign(hub, { banner: parseBanner(hub.output) });
  }

  /** Resolves once the output matches; rejects (with the output) on exit or timeout. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!pattern.test(this.output)) {
      if (exited) throw new Error(`the hub exited (code ${await this.exited}) before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`the hub did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends a signal and resolves with the exit code (null when the signal killed it). */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, signal: this.exitSignal };
  }
}

/** The environment of an all-in-one hub in `dataDir` on free ports. */
export async function allInOneEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const [https, http, mqtts, temporal] = await freePorts(4);
  return {
    HUB_DATA_DIR: dataDir,
    HUB_HTTPS_PORT: String(https),
    HUB_HTTP_PORT: String(http),
    HUB_MQTTS_PORT: String(mqtts),
    HUB_TEMPORAL_PORT: String(temporal),
    HUB_TEMPORAL_UI_PORT: '0',
    ...extra,
  };
}
