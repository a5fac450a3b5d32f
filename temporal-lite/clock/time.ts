import type { Msg } from '../grpc/proto.js';

/** google.protobuf.Timestamp from epoch milliseconds. */
export function timestamp(ms: number): Msg {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Epoch milliseconds from a google.protobuf.Timestamp (undefined stays undefined). */
export function timestampMs(t: Msg | undefined | null): number | undefined {
  if (!t) return undefined;
  return Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6);
}

/** google.protobuf.Duration from milliseconds. */
export function duration(ms: number): Msg {
  return timestamp(ms);
}

/** Milliseconds of a google.protobuf.Duration; absent → 0. */
export function durationMs(d: Msg | undefined | null): number {
  return timestampMs(d) ?? 0;
}
