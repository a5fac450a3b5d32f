import { parseArgs } from 'node:util';
import { CliError, EXIT, UsageError, type Command, type CommandContext, type OptionSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { HubClient } from './hub-client.js';
import { resolveHubTarget, type HubTarget } from './hub-target.js';
import { createOutput, type Streams } from './output.js';
import { integerOption } from './values.js';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
  /** Resolves when long-running commands should stop; default: the first SIGINT/SIGTERM. */
  stop?: Promise<void>;
}

/** How every command finds the hub (hub-target.ts). */
const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  'connection-string': { type: 'string', value: 'string', description: 'service connection string (default: IOTHUB_CONNECTION_STRING, else hub.json)' },
  ca: { type: 'string', value: 'file', description: "CA certificate to trust (default: hub.json's; else the system's or NODE_EXTRA_CA_CERTS)" },
  port: { type: 'string', value: 'port', description: "the hub's HTTPS port (default: hub.json's, else 443)" },
  'data-dir': { type: 'string', value: 'dir', description: "a local hub's data directory with hub.json (default: HUB_DATA_DIR, else ./data)" },
};

const PROGRAM = 'iothub-jobs';

function optionLines(options: Record<string, OptionSpec>): string[] {
  const flags = Object.entries(options).map(([name, spec]) => [`--${name}${spec.type === 'string' ? ` <${spec.value}>` : ''}`, spec.description] as const);
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return flags.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

const usageLine = (command: Command) => `usage: ${PROGRAM} ${command.name}${command.args ? ` ${command.args}` : ''} [options]`;

function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length ? ['', 'options:', ...optionLines(command.options)] : [];
  return [usageLine(command), '', command.summary, ...own, '', 'reaching the hub:', ...optionLines(CONNECTION_OPTIONS), ''].join('\n');
}

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length + command.args.length + 1));
  const lines = COMMANDS.map((command) => `  ${`${command.name} ${command.args}`.padEnd(width)}  ${command.summary}`);
  return [
    `usage: ${PROGRAM} <command> [arguments] [options]   (${PROGRAM} <command> --help for its options)`,
    '',
    'Talks to a hub over its REST API with a service connection string; a local hub is found through ./data/hub.json.',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 done, 1 the hub (or the watched job) failed, 2 wrong usage',
    '',
  ].join('\n');
}

/** The command named by the leading words of argv (`job watch x` → `job watch`), and the rest. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  const group = COMMANDS.filter((candidate) => candidate.name.startsWith(`${argv[0]} `));
  if (group.length > 0) {
    const problem = argv[1] === undefined || argv[1].startsWith('-') ? `'${argv[0]}' needs a command` : `unknown command '${argv[0]} ${argv[1]}'`;
    throw new UsageError(`${problem}: ${group.map((command) => command.name).join(', ')}`);
  }
  throw new UsageError(`unknown command '${argv[0]}' (${PROGRAM} --help lists the commands)`);
}

/** Resolves on the first SIGINT/SIGTERM; listens only once a command asks (so Ctrl-C still ends a plain request). */
function firstSignal(): Promise<void> {
  return new Promise((resolve) => {
    const handler = () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** Runs one `iothub-jobs` invocation; resolves with its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = createOutput(io);
  if (argv.length === 0) {
    io.stderr.write(generalHelp());
    return EXIT.usage;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out.line(generalHelp());
    return EXIT.ok;
  }
  let command: Command | undefined;
  try {
    const found = findCommand(argv);
    command = found.command;
    const specs = { ...command.options, ...CONNECTION_OPTIONS };
    const options = {
      ...Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }])),
      help: { type: 'boolean' as const, short: 'h' },
    };
    let parsed;
    try {
      parsed = parseArgs({ args: found.rest, options, strict: true, allowPositionals: true });
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
      out.line(commandHelp(command));
      return EXIT.ok;
    }
    const maxArgs = command.args.split(' ').filter(Boolean).length;
    if (parsed.positionals.length > maxArgs) throw new UsageError(`unexpected argument '${parsed.positionals[maxArgs]}'`);

    let target: HubTarget | undefined;
    let client: HubClient | undefined;
    let stopped: Promise<void> | undefined;
    const context: CommandContext = {
      values,
      positionals: parsed.positionals,
      out,
      env: io.env,
      target: () =>
        (target ??= resolveHubTarget(
          {
            connectionString: values['connection-string'] as string | undefined,
            caFile: values.ca as string | undefined,
            httpsPort: integerOption(context, 'port', { min: 1, max: 65535 }),
            mqttsPort: integerOption(context, 'mqtts-port', { min: 1, max: 65535 }),
            dataDir: values['data-dir'] as string | undefined,
          },
          io.env,
        )),
      client: () => (client ??= new HubClient(context.target())),
      get stopped() {
        return (stopped ??= io.stop ?? firstSignal());
      },
    };
    return (await command.run(context)) ?? EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${PROGRAM}: ${err.message}\n${command ? `${usageLine(command)}   (${PROGRAM} ${command.name} --help)` : ''}\n`);
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr.write(`${PROGRAM}: error: ${err.message}\n`);
      return EXIT.failed;
    }
    io.stderr.write(`${PROGRAM}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  }
}
