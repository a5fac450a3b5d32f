import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../../src/logger.js';

/** A log line as pino wrote it (JSON), parsed. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A real logger (pino, secrets scrubbed as in a hub process) whose lines land in `lines`. */
export function capturingLogger(lines: LogLine[], level: LogLevel = 'info'): Logger {
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return createLogger({ level, format: 'json', out });
}

/** Errors logged, as `message: error` strings (the fuzz suites expect none). */
export function errorCollector(errors: unknown[]): Logger {
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine & { err?: { message?: string } };
        errors.push(`${line.msg}: ${line.err?.message ?? ''}`);
      }
      done();
    },
  });
  return createLogger({ level: 'error', format: 'json', out });
}
