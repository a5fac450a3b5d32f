import { pino, stdTimeFunctions, type Logger as PinoLogger } from 'pino';
import { readableLine } from './observe/readable-log.js';
import { scrubSecrets } from './observe/secrets.js';

/**
 * The hub's logger: pino. Lines about a job carry `jobId`, about a device `deviceId` (as fields, so
 * a log pipeline can filter on them); errors go in `err`. Tests pass `silentLogger` or their own.
 */
export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `json`: one JSON object per line; `readable`: a line for people; `auto`: readable on a terminal. */
export type LogFormat = 'json' | 'readable' | 'auto';

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (the process's stdout). */
  out: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Every line passes through scrubSecrets before it is written, whatever logged it: keys, SAS
 * signatures and connection strings never reach the output even inside an error message.
 */
export function createLogger(options: LoggerOptions): Logger {
  const readable = options.format === 'readable' || (options.format === 'auto' && options.out.isTTY === true);
  const destination = {
    write(line: string) {
      const clean = scrubSecrets(line);
      options.out.write(readable ? readableLine(clean) : clean);
    },
  };
  return pino({ level: options.level, base: { pid: process.pid }, timestamp: stdTimeFunctions.isoTime }, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** For library callers that pass no logger: info and above, on stdout. */
export const defaultLogger: Logger = createLogger({ level: 'info', format: 'auto', out: process.stdout });
