// Datetimes as Temporal's server reads them (Go's time.Parse with RFC 3339) kept exact to the
// nanosecond as bigint epoch nanoseconds, which JS Date cannot hold.

const NANOS_PER_MS = 1_000_000n;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

// Canonical values must stay within four-digit years so that their strings sort like time.
const MIN_NANOS = BigInt(utcMs(0, 1, 1, 0, 0, 0)) * NANOS_PER_MS;
const MAX_NANOS = (BigInt(utcMs(9999, 12, 31, 23, 59, 59)) + 1000n) * NANOS_PER_MS - 1n;

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Epoch nanoseconds of an RFC 3339 string (fraction optional), or undefined if it is not one. */
export function parseRfc3339(text: string): bigint | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = utcMs(year, month, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined; // e.g. 2023-02-30
  const fraction = BigInt((match[7] ?? '').slice(0, 9).padEnd(9, '0'));
  let offsetMinutes = 0;
  if (match[8] !== 'Z') {
    const [oh, om] = match[8].slice(1).split(':').map(Number);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (match[8][0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const nanos = BigInt(ms - offsetMinutes * 60_000) * NANOS_PER_MS + fraction;
  return nanos < MIN_NANOS || nanos > MAX_NANOS ? undefined : nanos;
}

/** Floor division that rounds toward −∞ for negative instants too. */
function floorDiv(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  return dividend % divisor !== 0n && dividend < 0n ? quotient - 1n : quotient;
}

/** Milliseconds below and above an instant, and whether it falls on a whole millisecond. */
export function msBounds(nanos: bigint): { floor: number; ceil: number; exact: boolean } {
  const floor = floorDiv(nanos, NANOS_PER_MS);
  const exact = floor * NANOS_PER_MS === nanos;
  return { floor: Number(floor), ceil: Number(exact ? floor : floor + 1n), exact };
}

function parts(nanos: bigint): { isoMs: string; fraction: string } {
  const ms = floorDiv(nanos, NANOS_PER_MS);
  const subMs = nanos - ms * NANOS_PER_MS;
  const isoMs = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return { isoMs, fraction: isoMs.slice(20, 23) + subMs.toString().padStart(6, '0') };
}

/** Fixed-width 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ': equal instants give equal strings, and strings sort by time. */
export function canonicalDatetime(nanos: bigint): string {
  const { isoMs, fraction } = parts(nanos);
  return `${isoMs.slice(0, 19)}.${fraction}Z`;
}

/** Go's RFC3339Nano rendering (trailing fraction zeros dropped), as the server encodes datetimes. */
export function formatRfc3339Nano(nanos: bigint): string {
  const { isoMs, fraction } = parts(nanos);
  const trimmed = fraction.replace(/0+$/, '');
  return `${isoMs.slice(0, 19)}${trimmed ? '.' + trimmed : ''}Z`;
}
