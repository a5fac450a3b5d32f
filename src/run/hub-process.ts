import { configHelp, ConfigError, environmentWithFlags, loadConfig, type HubConfig } from '../config/config.js';
import { roleList } from '../config/run-settings.js';
import { createLogger, type Logger } from '../logger.js';
import { startBanner } from './banner.js';
import { startHubNode, type HubNode } from './hub-node.js';
import { shutdownSignal } from './shutdown.js';

export interface ProcessIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Exit codes: 0 after a clean shutdown, 1 when start-up fails or a part stops working, 2 for a bad flag or setting. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function clusterWarnings(config: HubConfig): string[] {
  const { roles } = config.run;
  if ((roles.api && roles.worker && roles.gateway) || config.gateway.redisUrl) return [];
  return [
    `HUB_ROLES=${roleList(roles)} without REDIS_URL: direct methods and desired-property notifications stay inside this process; set REDIS_URL on every process of a cluster`,
  ];
}

/**
 * The hub process (`npm start`): reads the configuration from the environment and flags, starts
 * the roles, prints how to reach the hub, and runs until SIGINT/SIGTERM, then shuts down cleanly.
 */
export async function runHubProcess(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProcessIo): Promise<number> {
  let config: HubConfig;
  try {
    const merged = environmentWithFlags(argv, env);
    if (!merged) {
      io.out.write(configHelp('npm start --'));
      return EXIT.ok;
    }
    config = loadConfig(merged);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err.write(`iothub-jobs: invalid configuration\n${err.problems.map((problem) => `  ${problem}\n`).join('')}`);
    return EXIT.usage;
  }
  for (const warning of clusterWarnings(config)) io.err.write(`iothub-jobs: warning: ${warning}\n`);
  const log: Logger = createLogger({ ...config.run.log, out: io.out });

  // Listening from the start: a Ctrl-C while the parts start lets them finish starting, then closes them.
  const stopRequested = shutdownSignal((again) => {
    io.err.write(`iothub-jobs: ${again} again, exiting without a clean shutdown\n`);
    process.exit(EXIT.failed);
  });
  let signalDuringStart: NodeJS.Signals | undefined;
  void stopRequested.then((signal) => {
    if (!node) {
      signalDuringStart = signal;
      io.out.write(`${signal}: shutting down once the start completes…\n`);
    }
  });
  let node: HubNode | undefined;
  try {
    node = await startHubNode(config, log);
  } catch (err) {
    log.fatal({ err }, 'cannot start');
    io.err.write(`iothub-jobs: cannot start: ${message(err)}\n`);
    return EXIT.failed;
  }
  // A part that stopped working (the jobs worker) ends the process like a signal, but exits non-zero.
  let failure: Error | undefined;
  if (signalDuringStart === undefined) {
    io.out.write(startBanner(node));
    const ending = await Promise.race([stopRequested, node.hub.failed.then((reason) => (failure = reason))]);
    if (failure) log.fatal({ err: failure }, 'a part of the hub stopped working: shutting down to be restarted');
    else io.out.write(`${String(ending)}: shutting down…\n`);
  }
  try {
    await node.close();
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    io.err.write(`iothub-jobs: shutdown failed: ${message(err)}\n`);
    return EXIT.failed;
  }
  io.out.write('Stopped.\n');
  return failure ? EXIT.failed : EXIT.ok;
}
