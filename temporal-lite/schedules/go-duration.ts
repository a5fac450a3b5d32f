// Durations in Go's time.ParseDuration syntax ("1h30m", "90s", "1.5h", "2d" as Temporal also
// accepts days), as cron strings' @every takes them.
import { SpecError } from './spec-error.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** Milliseconds of a duration string; SpecError if malformed. */
export function parseGoDuration(text: string): number {
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/gy;
  if (!text) throw new SpecError('malformed duration');
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = pattern.lastIndex;
  }
  if (consumed !== text.length) throw new SpecError(`malformed duration '${text}'`);
  return Math.round(total);
}
