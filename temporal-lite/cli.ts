// The temporal-lite executable: parses the command line, runs the server until a signal.
import { parseArgs, USAGE, UsageError } from './cli-args.js';
import { stderrLogger } from './logger.js';
import { StorageOpenError } from './persistence/open-database.js';
import { startTemporalLite } from './server.js';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`temporal-lite: ${err.message} (see temporal-lite --help)\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  for (const warning of parsed.warnings) process.stderr.write(`temporal-lite: warning: ${warning}\n`);
  let server;
  try {
    server = await startTemporalLite({ ...parsed.options, logger: stderrLogger('warn') });
  } catch (err) {
    if (err instanceof StorageOpenError || isListenError(err) || isUserError(err)) {
      process.stderr.write(`temporal-lite: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(`temporal-lite listening on ${server.address}\n`);
  if (server.httpPort !== undefined) process.stdout.write(`temporal-lite HTTP API on port ${server.httpPort}\n`);
  if (server.metricsPort !== undefined)
    process.stdout.write(`temporal-lite metrics on http://${parsed.options.host ?? '127.0.0.1'}:${server.metricsPort}/metrics\n`);
  if (server.uiUrl !== undefined) process.stdout.write(`temporal-lite Web UI at ${server.uiUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

function isListenError(err: unknown): err is Error {
  return err instanceof Error && /No address added|EADDRINUSE|bind/i.test(err.message);
}

/** Errors about the configuration the user gave (e.g. a bad search attribute type). */
function isUserError(err: unknown): err is Error {
  return err instanceof Error && 'grpcCode' in err;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`temporal-lite: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
