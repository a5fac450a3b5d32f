// google.protobuf.Timestamp / Duration ⇄ epoch milliseconds, as plain protobufjs objects.

export interface ProtoTimestamp {
  seconds?: number | string | bigint | { toString(): string } | null;
  nanos?: number | null;
}

/** A Timestamp (epoch ms) or Duration (ms): both are {seconds, nanos}. */
export function secondsNanos(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Epoch nanoseconds of a Timestamp (exact; seconds may arrive as number, string or Long). */
export function timestampNanos(time: ProtoTimestamp): bigint {
  return BigInt(String(time.seconds ?? 0)) * 1_000_000_000n + BigInt(time.nanos ?? 0);
}

/** Whether a Timestamp is absent or the zero value (which Temporal treats as unset). */
export function isUnsetTimestamp(time: ProtoTimestamp | null | undefined): time is null | undefined {
  return time == null || timestampNanos(time) === 0n;
}
