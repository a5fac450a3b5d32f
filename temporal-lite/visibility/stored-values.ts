// How decoded search attribute values are kept: as JSON on the execution row (what lists
// return) and as index rows of the values table (what filters match).
import { canonicalDatetime, parseRfc3339 } from './datetime.js';
import type { SaValue } from './payload-values.js';
import type { ValueType } from './value-types.js';

export type SaValues = Map<string, SaValue>;

// JSON has no bigint: Int values are kept as decimal strings, Datetimes as canonical strings.
type StoredEntry = [ValueType, string | number | boolean | string[]];

export function toStoredJson(values: SaValues): string | null {
  if (values.size === 0) return null;
  const out: Record<string, StoredEntry> = {};
  for (const [name, v] of [...values].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (v.type === 'Int') out[name] = [v.type, v.value.toString()];
    else if (v.type === 'Datetime') out[name] = [v.type, canonicalDatetime(v.value)];
    else out[name] = [v.type, v.value];
  }
  return JSON.stringify(out);
}

export function fromStoredJson(text: string | null): SaValues {
  const values: SaValues = new Map();
  if (!text) return values;
  for (const [name, [type, raw]] of Object.entries(JSON.parse(text) as Record<string, StoredEntry>)) {
    if (type === 'Int') values.set(name, { type, value: BigInt(raw as string) });
    else if (type === 'Datetime') values.set(name, { type, value: parseRfc3339(raw as string)! });
    else values.set(name, { type, value: raw } as SaValue);
  }
  return values;
}

/**
 * The values-table entries of a value: one per KeywordList element, Bool as 0/1, Int as a
 * bigint (an INTEGER), Datetime as its canonical string (string order is time order).
 */
export function indexEntries(v: SaValue): (string | number | bigint)[] {
  switch (v.type) {
    case 'KeywordList':
      return [...new Set(v.value)];
    case 'Bool':
      return [v.value ? 1 : 0];
    case 'Datetime':
      return [canonicalDatetime(v.value)];
    default:
      return [v.value];
  }
}
