// google.protobuf.Timestamp and Duration in their proto3 JSON forms: a Timestamp is an RFC 3339
// UTC string ("2024-05-01T10:00:00.250Z"), a Duration a number of seconds with an 's' suffix
// ("1.5s"); fractions have 0, 3, 6 or 9 digits on output and up to 9 on input.

export interface SecondsNanos {
  seconds: number;
  nanos: number;
}

/** Fractional seconds as proto3 JSON prints them: none, or 3, 6 or 9 digits. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1_000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

export function formatTimestamp({ seconds, nanos }: SecondsNanos): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new RangeError(`timestamp ${seconds}s is outside 0001-01-01 to 9999-12-31`);
  const iso = new Date(seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}${fraction(nanos)}Z`;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses an RFC 3339 timestamp; undefined if it is not one. */
export function parseTimestamp(text: string): SecondsNanos | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, dateTime, digits = '', zone] = match;
  const millis = Date.parse(`${dateTime}${zone.toUpperCase() === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(millis)) return undefined;
  return { seconds: Math.floor(millis / 1000), nanos: Number(digits.padEnd(9, '0')) };
}

export function formatDuration({ seconds, nanos }: SecondsNanos): string {
  const negative = seconds < 0 || nanos < 0;
  return `${negative ? '-' : ''}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
}

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** Parses "1.5s", "-0.001s", "30s"; undefined if it is not a duration. */
export function parseDuration(text: string): SecondsNanos | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [, minus, whole, digits = ''] = match;
  const sign = minus ? -1 : 1;
  const seconds = Number(whole);
  const nanos = Number(digits.padEnd(9, '0'));
  return { seconds: seconds === 0 ? 0 : sign * seconds, nanos: nanos === 0 ? 0 : sign * nanos };
}
