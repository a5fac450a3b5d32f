// JSON for persisted state: binary payload bytes travel as base64 instead of number arrays.

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
