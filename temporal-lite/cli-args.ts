// Command-line forms of temporal-lite:
//   temporal-lite <port> [--enable-time-skipping]        what Core spawns for createTimeSkipping
//   temporal-lite server start-dev [--port N] [--namespace X]... [--ip A]
//                 [--search-attribute K=Type]... [--db-filename FILE]     what createLocal spawns
import type { TemporalLiteOptions } from './server.js';

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
      development server (as spawned by TestWorkflowEnvironment.createLocal); without
      --db-filename all state is in memory`;

function parsePort(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`invalid ${what} '${value ?? ''}': expected a number from 0 to 65535`);
  return Number(value);
}

/** Flags of the real dev server that temporal-lite accepts and ignores, with or without a value. */
const IGNORED_WITH_VALUE = new Set(['--log-format', '--log-level', '--dynamic-config-value', '--ui-port', '--ui-ip', '--http-port', '--metrics-port', '--config', '--env', '--log-config', '--sqlite-pragma', '--ui-asset-path', '--ui-codec-endpoint', '--ui-public-path']);
const IGNORED_FLAGS = new Set(['--headless', '--ui', '--no-ui']);

export function parseArgs(argv: string[]): ParsedArgs {
  const warnings: string[] = [];
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) return { options: {}, warnings, help: true };
  if (/^\d+$/.test(argv[0])) {
    const options: TemporalLiteOptions = { port: parsePort(argv[0], 'port'), timeSkipping: true, timeSkippingLocked: true };
    for (const arg of argv.slice(1)) {
      if (arg === '--enable-time-skipping') options.timeSkippingLocked = false;
      else warnings.push(`ignoring unknown argument '${arg}'`);
    }
    return { options, warnings, help: false };
  }
  if (argv[0] !== 'server' || argv[1] !== 'start-dev') {
    throw new UsageError(`unknown command '${argv.slice(0, 2).join(' ')}'; expected '<port>' or 'server start-dev'`);
  }
  const options: TemporalLiteOptions = { port: 7233, host: '127.0.0.1' };
  const namespaces: string[] = [];
  const searchAttributes: string[] = [];
  const rest = argv.slice(2);
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].startsWith('--') && rest[i].includes('=') ? [rest[i].slice(0, rest[i].indexOf('=')), rest[i].slice(rest[i].indexOf('=') + 1)] : [rest[i], undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case '--port':
      case '-p':
        options.port = parsePort(value(), 'port');
        break;
      case '--ip':
        options.host = value();
        break;
      case '--namespace':
      case '-n':
        namespaces.push(value());
        break;
      case '--search-attribute': {
        const v = value();
        if (!/^[^=]+=[A-Za-z]+$/.test(v)) throw new UsageError(`invalid --search-attribute '${v}': expected NAME=TYPE, e.g. CustomerId=Keyword`);
        searchAttributes.push(v);
        break;
      }
      case '--db-filename':
      case '-f':
        options.dbFile = value();
        break;
      default:
        if (IGNORED_FLAGS.has(flag)) break;
        if (IGNORED_WITH_VALUE.has(flag)) {
          value();
          break;
        }
        warnings.push(`ignoring unknown flag '${flag}'`);
        // An unknown flag followed by a non-flag word: take that word as its value.
        if (inline === undefined && rest[i + 1] !== undefined && !rest[i + 1].startsWith('-')) i++;
    }
  }
  if (namespaces.length) options.namespace = namespaces;
  if (searchAttributes.length) options.searchAttributes = searchAttributes;
  return { options, warnings, help: false };
}
