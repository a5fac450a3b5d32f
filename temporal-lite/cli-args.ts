// Command-line forms of temporal-lite:
//   temporal-lite <port> [--enable-time-skipping]        what Core spawns for createTimeSkipping
//   temporal-lite server start-dev [--port N] [--namespace X]... [--ip A]
//                 [--search-attribute K=Type]... [--db-filename FILE]     what createLocal spawns
//                 [--headless | --ui-port N] [--ui-ip A] [--http-port N]  the Web UI and HTTP API
import type { TemporalLiteOptions, WebUiSettings } from './server.js';

export class UsageError extends Error {}

export interface ParsedArgs {
  options: TemporalLiteOptions;
  warnings: string[];
  help: boolean;
}

export const USAGE = `usage:
  temporal-lite <port> [--enable-time-skipping]
      time-skipping test server (as spawned by TestWorkflowEnvironment.createTimeSkipping);
      time skipping starts locked unless --enable-time-skipping is given
  temporal-lite server start-dev [--port N] [--ip ADDRESS] [--namespace NAME]...
                                 [--search-attribute NAME=TYPE]... [--db-filename FILE]
                                 [--headless] [--ui-port N] [--ui-ip ADDRESS] [--ui-asset-path DIR]
                                 [--ui-write-actions] [--http-port N] [--metrics-port N]
      development server (as spawned by TestWorkflowEnvironment.createLocal); without
      --db-filename all state is in memory. The Temporal Web UI is served on --ui-port
      (default: --port + 1000, so 8233; any free port with --port 0) at 127.0.0.1 unless
      --ui-ip says otherwise, read-only unless --ui-write-actions; --headless turns it off.
      --http-port serves Temporal's HTTP API (/api/v1/...; off by default), --metrics-port
      GET /metrics in Prometheus text format (RPCs, task queue backlog, persistence latency).`;

function parsePort(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535)
    throw new UsageError(`invalid ${what} '${value ?? ''}': expected a number from 0 to 65535`);
  return Number(value);
}

/** Flags of the real dev server that temporal-lite accepts and ignores, with or without a value. */
const IGNORED_WITH_VALUE = new Set([
  '--log-format',
  '--log-level',
  '--dynamic-config-value',
  '--config',
  '--env',
  '--log-config',
  '--sqlite-pragma',
  '--ui-codec-endpoint',
  '--ui-public-path',
]);
const IGNORED_FLAGS = new Set(['--ui', '--no-ui']);

export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) return { options: {}, warnings: [], help: true };
  if (/^\d+$/.test(argv[0])) return testServerArgs(argv);
  if (argv[0] !== 'server' || argv[1] !== 'start-dev') {
    throw new UsageError(`unknown command '${argv.slice(0, 2).join(' ')}'; expected '<port>' or 'server start-dev'`);
  }
  return startDevArgs(argv.slice(2));
}

/** `<port> [--enable-time-skipping]`: the time-skipping test server. */
function testServerArgs(argv: string[]): ParsedArgs {
  const warnings: string[] = [];
  const options: TemporalLiteOptions = { port: parsePort(argv[0], 'port'), timeSkipping: true, timeSkippingLocked: true };
  for (const arg of argv.slice(1)) {
    if (arg === '--enable-time-skipping') options.timeSkippingLocked = false;
    else warnings.push(`ignoring unknown argument '${arg}'`);
  }
  return { options, warnings, help: false };
}

/** Reads `--flag value` and `--flag=value` pairs in order. */
class FlagReader {
  private index = -1;
  private inline: string | undefined;
  flag = '';

  constructor(private readonly args: string[]) {}

  next(): boolean {
    const arg = this.args[++this.index];
    if (arg === undefined) return false;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    [this.flag, this.inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    return true;
  }

  value(): string {
    if (this.inline !== undefined) return this.inline;
    const value = this.args[++this.index];
    if (value === undefined) throw new UsageError(`missing value for ${this.flag}`);
    return value;
  }

  /** An unknown flag followed by a non-flag word: take that word as its value. */
  skipUnknownValue(): void {
    const following = this.args[this.index + 1];
    if (this.inline === undefined && following !== undefined && !following.startsWith('-')) this.index++;
  }
}

/** `server start-dev [flags]`: the development server, with the real dev server's flags. */
function startDevArgs(args: string[]): ParsedArgs {
  const warnings: string[] = [];
  const options: TemporalLiteOptions = { port: 7233, host: '127.0.0.1' };
  const namespaces: string[] = [];
  const searchAttributes: string[] = [];
  const ui: WebUiFlags = { headless: false, writeActions: false };
  const flags = new FlagReader(args);
  while (flags.next()) {
    switch (flags.flag) {
      case '--port':
      case '-p':
        options.port = parsePort(flags.value(), 'port');
        break;
      case '--ip':
        options.host = flags.value();
        break;
      case '--namespace':
      case '-n':
        namespaces.push(flags.value());
        break;
      case '--search-attribute':
        searchAttributes.push(searchAttributeFlag(flags.value()));
        break;
      case '--db-filename':
      case '-f':
        options.dbFile = flags.value();
        break;
      case '--http-port':
        options.httpPort = parsePort(flags.value(), 'HTTP port');
        break;
      case '--metrics-port':
        options.metricsPort = parsePort(flags.value(), 'metrics port');
        break;
      case '--headless':
        ui.headless = true;
        break;
      case '--ui-port':
        ui.port = parsePort(flags.value(), 'UI port');
        break;
      case '--ui-ip':
        ui.host = flags.value();
        break;
      case '--ui-asset-path':
        ui.assetsDir = flags.value();
        break;
      case '--ui-write-actions':
        ui.writeActions = true;
        break;
      default:
        if (IGNORED_FLAGS.has(flags.flag)) break;
        if (IGNORED_WITH_VALUE.has(flags.flag)) {
          flags.value();
          break;
        }
        warnings.push(`ignoring unknown flag '${flags.flag}'`);
        flags.skipUnknownValue();
    }
  }
  if (namespaces.length) options.namespace = namespaces;
  if (searchAttributes.length) options.searchAttributes = searchAttributes;
  if (!ui.headless) options.ui = webUiSettings(ui, options.port ?? 0);
  return { options, warnings, help: false };
}

interface WebUiFlags {
  headless: boolean;
  port?: number;
  host?: string;
  assetsDir?: string;
  writeActions: boolean;
}

/** As Temporal's dev server: the UI on --port + 1000 unless --ui-port; with --port 0, any free port. */
function webUiSettings(flags: WebUiFlags, grpcPort: number): WebUiSettings {
  const settings: WebUiSettings = { port: flags.port ?? (grpcPort === 0 ? 0 : Math.min(grpcPort + 1000, 65535)), host: flags.host ?? '127.0.0.1' };
  if (flags.assetsDir !== undefined) settings.assetsDir = flags.assetsDir;
  if (flags.writeActions) settings.writeActions = true;
  return settings;
}

function searchAttributeFlag(value: string): string {
  if (!/^[^=]+=[A-Za-z]+$/.test(value)) throw new UsageError(`invalid --search-attribute '${value}': expected NAME=TYPE, e.g. CustomerId=Keyword`);
  return value;
}
