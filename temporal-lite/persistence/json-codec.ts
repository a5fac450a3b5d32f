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
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data)) {
      return { $b: Buffer.from(v.data).toString('base64') };
    }
    if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
    return v;
  });
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && typeof v.$b === 'string' && Object.keys(v).length === 1) {
      return Buffer.from(v.$b, 'base64');
    }
    return v;
  }) as T;
}
