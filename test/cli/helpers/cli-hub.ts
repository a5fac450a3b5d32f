/**
 * A hub composed as `npm start` composes it (startHubNode: embedded temporal-lite, gateway, jobs,
 * REST API) in this process on OS-picked ports, and `iothub-jobs` invocations against it run
 * in-process through runCli with captured output. The CLI finds the hub through its hub.json
 * (`HUB_DATA_DIR`), as it does next to a local hub.
 */
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/logger.js';
import { startHubNode, type HubNode } from '../../../src/run/hub-node.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { TEST_CACHE_DIR } from '../../run/helpers/hub-process.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running invocation (e.g. `simulate`) that ends when `stop()` is called. */
export interface RunningCli {
  /** The output so far. */
  stdout(): string;
  stop(): Promise<CliResult>;
}

export interface CliHub {
  node: HubNode;
  dataDir: string;
  /** Runs one invocation with `HUB_DATA_DIR` pointing at the hub (plus `env`). */
  cli(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Starts a long-running invocation; resolves once its stdout matches `ready`. */
  background(argv: string[], ready: RegExp): Promise<RunningCli>;
  dispose(): Promise<void>;
}

function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, text: () => text };
}

function invoke(argv: string[], env: NodeJS.ProcessEnv, stop?: Promise<void>) {
  const stdout = capture();
  const stderr = capture();
  const done = runCli(argv, { stdout: stdout.stream, stderr: stderr.stream, env, stop }).then((code) => ({
    code,
    stdout: stdout.text(),
    stderr: stderr.text(),
  }));
  return { done, stdout: stdout.text };
}

/** `settings`: more configuration variables for the hub (e.g. HUB_WEBHOOKS_CA_FILE). */
export async function startCliHub(settings: NodeJS.ProcessEnv = {}): Promise<CliHub> {
  const dir = makeTempDir('iothub-cli-');
  const config = loadConfig({
    ...settings,
    HUB_DATA_DIR: dir.path,
    HUB_HTTPS_PORT: '0',
    HUB_HTTP_PORT: '0',
    HUB_MQTTS_PORT: '0',
    HUB_TEMPORAL_PORT: '0',
    HUB_TEMPORAL_UI_PORT: '0',
    HUB_CACHE_DIR: TEST_CACHE_DIR,
  });
  const node = await startHubNode(config, silentLogger).catch((err: unknown) => {
    dir.remove();
    throw err;
  });
  const env = { HUB_DATA_DIR: dir.path };
  return {
    node,
    dataDir: dir.path,
    cli: (argv, extra = {}) => invoke(argv, { ...env, ...extra }).done,
    async background(argv, ready) {
      let release!: () => void;
      const stop = new Promise<void>((resolve) => (release = resolve));
      const running = invoke(argv, env, stop);
      const deadline = Date.now() + 30_000;
      let finished: CliResult | undefined;
      void running.done.then((result) => (finished = result));
      while (!ready.test(running.stdout())) {
        if (finished) throw new Error(`iothub-jobs ${argv.join(' ')} ended (${finished.code}) before printing ${ready}:\n${finished.stdout}${finished.stderr}`);
        if (Date.now() > deadline) throw new Error(`iothub-jobs ${argv.join(' ')} did not print ${ready}:\n${running.stdout()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return {
        stdout: running.stdout,
        stop: () => {
          release();
          return running.done;
        },
      };
    },
    async dispose() {
      await node.close();
      dir.remove();
    },
  };
}
