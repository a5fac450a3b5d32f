// Page tokens: the order-key values of the last row of a page, as JSON bytes (opaque to clients).
import { invalidArgument } from '../errors.js';

type KeyValue = string | number | bigint | null;
type Encoded = string | number | null | { i: string };

export function encodePageToken(values: KeyValue[]): Buffer {
  const encoded: Encoded[] = values.map((value) => (typeof value === 'bigint' ? { i: value.toString() } : value));
  return Buffer.from(JSON.stringify({ k: encoded }));
}

/** The key values of a token; INVALID_ARGUMENT if it is not one of ours for this order. */
export function decodePageToken(token: Uint8Array | string, keyCount: number): KeyValue[] {
  const bytes = typeof token === 'string' ? Buffer.from(token, 'base64') : Buffer.from(token);
  const bad = () => invalidArgument('Invalid NextPageToken: it does not belong to this query.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad();
  }
  const keys = typeof parsed === 'object' && parsed !== null && 'k' in parsed ? parsed.k : undefined;
  if (!Array.isArray(keys) || keys.length !== keyCount) throw bad();
  return keys.map((key: unknown) => {
    if (key === null || typeof key === 'string' || typeof key === 'number') return key;
    if (typeof key === 'object' && 'i' in key && typeof key.i === 'string' && /^-?\d+$/.test(key.i)) return BigInt(key.i);
    throw bad();
  });
}

/** Whether a request carries a page token (protobuf bytes default to empty). */
export function hasPageToken(token: Uint8Array | string | null | undefined): token is Uint8Array | string {
  return token != null && token.length > 0;
}
