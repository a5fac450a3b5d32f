// JSON for persisted state. Each kind of stored record has one codec, declared with the type it
// holds: what a codec writes is of that type, so what it reads back is too (the one place
// stored JSON becomes typed; the schema migrations keep old rows in that shape).

export interface JsonCodec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

/** For records with payloads: binary bytes travel as base64 instead of number arrays. */
export function jsonCodec<T>(): JsonCodec<T> {
  return { encode: toJson, decode: fromJson };
}

/** For records without binary fields (rewritten often: no replacer to run). */
export function plainJsonCodec<T>(): JsonCodec<T> {
  return { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as T };
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, bytesToBase64);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, base64ToBytes) as T;
}

/** JSON.stringify has already turned a Buffer into { type: 'Buffer', data: [bytes] } when the replacer sees it. */
function isSerializedBuffer(field: unknown): field is { type: 'Buffer'; data: number[] } {
  return typeof field === 'object' && field !== null && 'type' in field && field.type === 'Buffer' && 'data' in field && Array.isArray(field.data);
}

function isBase64Bytes(field: unknown): field is { $b: string } {
  return typeof field === 'object' && field !== null && '$b' in field && typeof field.$b === 'string' && Object.keys(field).length === 1;
}

function bytesToBase64(_key: string, field: unknown): unknown {
  if (isSerializedBuffer(field)) return { $b: Buffer.from(field.data).toString('base64') };
  if (field instanceof Uint8Array) return { $b: Buffer.from(field).toString('base64') };
  return field;
}

function base64ToBytes(_key: string, field: unknown): unknown {
  return isBase64Bytes(field) ? Buffer.from(field.$b, 'base64') : field;
}
