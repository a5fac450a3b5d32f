// Search attribute value types, by the names Temporal uses in payload metadata ("Keyword") and
// in the proto enum (INDEXED_VALUE_TYPE_KEYWORD).
import type { temporal } from '@temporalio/proto';
import type { EnumName } from '../grpc/plain.js';

export type IndexedValueType = EnumName<temporal.api.enums.v1.IndexedValueType>;

export const VALUE_TYPES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const ENUM_NAMES: Record<ValueType, IndexedValueType> = {
  Text: 'INDEXED_VALUE_TYPE_TEXT',
  Keyword: 'INDEXED_VALUE_TYPE_KEYWORD',
  Int: 'INDEXED_VALUE_TYPE_INT',
  Double: 'INDEXED_VALUE_TYPE_DOUBLE',
  Bool: 'INDEXED_VALUE_TYPE_BOOL',
  Datetime: 'INDEXED_VALUE_TYPE_DATETIME',
  KeywordList: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
};

/** The proto enum value name, e.g. 'INDEXED_VALUE_TYPE_KEYWORD_LIST'. */
export function valueTypeEnumName(type: ValueType): IndexedValueType {
  return ENUM_NAMES[type];
}

/**
 * Reads a type as written by people and protocols: 'Keyword', 'keyword', 'KEYWORD_LIST',
 * 'INDEXED_VALUE_TYPE_KEYWORD', or the enum number (2). Undefined when it names no type
 * (including UNSPECIFIED).
 */
export function parseValueType(input: unknown): ValueType | undefined {
  // VALUE_TYPES is in enum order: Text = 1 … KeywordList = 7.
  if (typeof input === 'number') return Number.isInteger(input) ? VALUE_TYPES[input - 1] : undefined;
  if (typeof input !== 'string') return undefined;
  const key = input
    .trim()
    .replace(/^INDEXED_VALUE_TYPE_/i, '')
    .replace(/_/g, '')
    .toLowerCase();
  return VALUE_TYPES.find((type) => type.toLowerCase() === key);
}
