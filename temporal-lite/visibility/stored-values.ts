// How decoded search attribute values are kept: as JSON on the execution row (what lists
// return) and as index rows of the values table (what filters match).
import { canonicalDatetime, parseRfc3339 } from './datetime.js';
import { plainJsonCodec } from '../persistence/json-codec.js';
import type { SaValue } from './payload-values.js';

export type SaValues = Map<string, SaValue>;

// JSON has no bigint: Int values are kept as decimal strings, Datetimes as canonical strings.
type StoredEntry = ['Int' | 'Datetime' | 'Keyword' | 'Text', string] | ['Double', number] | ['Bool', boolean] | ['KeywordList', string[]];

const storedValues = plainJsonCodec<Record<string, StoredEntry>>();

export function toStoredJson(values: SaValues): string | null {
  if (values.size === 0) return null;
  const out: Record<string, StoredEntry> = {};
  for (const [name, value] of [...values].sort(([a], [b]) => (a < b ? -1 : 1))) out[name] = storedEntry(value);
  return storedValues.encode(out);
}

function storedEntry(value: SaValue): StoredEntry {
  switch (value.type) {
    case 'Int':
      return [value.type, value.value.toString()];
    case 'Datetime':
      return [value.type, canonicalDatetime(value.value)];
    case 'Keyword':
    case 'Text':
      return [value.type, value.value];
    case 'Double':
      return [value.type, value.value];
    case 'Bool':
      return [value.type, value.value];
    case 'KeywordList':
      return [value.type, value.value];
  }
}

function storedValue(entry: StoredEntry): SaValue {
  switch (entry[0]) {
    case 'Int':
      return { type: entry[0], value: BigInt(entry[1]) };
    case 'Datetime': {
      const value = parseRfc3339(entry[1]);
      if (value === undefined) throw new Error(`stored datetime '${entry[1]}' does not parse`);
      return { type: entry[0], value };
    }
    case 'Keyword':
    case 'Text':
      return { type: entry[0], value: entry[1] };
    case 'Double':
      return { type: entry[0], value: entry[1] };
    case 'Bool':
      return { type: entry[0], value: entry[1] };
    case 'KeywordList':
      return { type: entry[0], value: entry[1] };
  }
}

export function fromStoredJson(text: string | null): SaValues {
  const values: SaValues = new Map();
  if (!text) return values;
  for (const [name, entry] of Object.entries(storedValues.decode(text))) values.set(name, storedValue(entry));
  return values;
}

/**
 * The values-table entries of a value: one per KeywordList element, Bool as 0/1, Int as a
 * bigint (an INTEGER), Datetime as its canonical string (string order is time order).
 */
export function indexEntries(value: SaValue): (string | number | bigint)[] {
  switch (value.type) {
    case 'KeywordList':
      return [...new Set(value.value)];
    case 'Bool':
      return [value.value ? 1 : 0];
    case 'Datetime':
      return [canonicalDatetime(value.value)];
    default:
      return [value.value];
  }
}
