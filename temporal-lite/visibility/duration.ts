// ExecutionDuration values in queries: integer nanoseconds, or a string as Temporal accepts it —
// nanoseconds ('1000'), a Go duration with Temporal's extra 'd' unit ('1h30m', '-1.5h', '2d'),
// or 'hh:mm:ss'.

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

const GO_DURATION = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/;
const GO_TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g;
const HHMMSS = /^(\d+):([0-5]\d):([0-5]\d)$/;

function termNanos(amount: string, unit: bigint): bigint {
  const [whole, fraction = ''] = amount.split('.');
  const digits = fraction.slice(0, 18);
  const scale = 10n ** BigInt(digits.length);
  return BigInt(whole || '0') * unit + (BigInt(digits || '0') * unit) / scale;
}

/** Nanoseconds of a duration string, or undefined if it is not one. */
export function parseDurationNanos(text: string): bigint | undefined {
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  const go = GO_DURATION.exec(text);
  if (go) {
    let total = 0n;
    for (const [, amount, unit] of text.matchAll(GO_TERM)) total += termNanos(amount, UNIT_NANOS[unit]);
    return go[1] === '-' ? -total : total;
  }
  const hms = HHMMSS.exec(text);
  if (hms) {
    const [hours, minutes, seconds] = hms.slice(1).map(BigInt);
    return ((hours * 60n + minutes) * 60n + seconds) * UNIT_NANOS.s;
  }
  return undefined;
}
