import type { Duration, Timestamp } from '../grpc/api.js';

/** google.protobuf.Timestamp from epoch milliseconds. */
export function timestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Epoch milliseconds from a google.protobuf.Timestamp (undefined stays undefined). */
export function timestampMs(time: Timestamp | undefined | null): number | undefined {
  if (!time) return undefined;
  return Number(time.seconds ?? 0) * 1000 + Math.floor(Number(time.nanos ?? 0) / 1e6);
}

/** google.protobuf.Duration from milliseconds. */
export function duration(ms: number): Duration {
  return timestamp(ms);
}

/** Milliseconds of a google.protobuf.Duration; absent → 0. */
export function durationMs(value: Duration | undefined | null): number {
  return timestampMs(value) ?? 0;
}
