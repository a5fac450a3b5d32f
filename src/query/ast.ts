/**
 * The parsed form of an IoT Hub query (Azure docs, "IoT Hub query language"). Attribute paths are
 * stored canonically, relative to the queried document: system names already carry the twin's
 * casing (`DeviceId` → `deviceId`) and `devices.jobs.<field>` is stored as `<field>`, so the
 * evaluator and the SQL compiler never deal with spelling variants.
 */

export type Collection = 'devices' | 'devices.modules' | 'devices.jobs';

/** What `x-ms-item-type` reports for a query's rows (PascalCase, as the C# SDK expects). */
export type ItemType = 'Twin' | 'DeviceJob' | 'Raw';

export type ConstantValue = undefined | null | boolean | number | string | ConstantValue[];

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
/** `<>` is parsed as `!=`. */
export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';
export type LogicalOperator = 'AND' | 'OR';

export const FUNCTION_NAMES = [
  'IS_DEFINED',
  'STARTSWITH',
  'ENDSWITH',
  'IS_ARRAY',
  'IS_BOOL',
  'IS_NULL',
  'IS_NUMBER',
  'IS_OBJECT',
  'IS_PRIMITIVE',
  'IS_STRING',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const AGGREGATE_NAMES = ['COUNT', 'AVG', 'SUM', 'MIN', 'MAX'] as const;
export type AggregateName = (typeof AGGREGATE_NAMES)[number];

export type Expression =
  | { type: 'constant'; value: ConstantValue }
  | { type: 'path'; path: string[] }
  | { type: 'negate'; operand: Expression }
  | { type: 'not'; operand: Expression }
  | { type: 'arithmetic'; operator: ArithmeticOperator; left: Expression; right: Expression }
  | { type: 'comparison'; operator: ComparisonOperator; left: Expression; right: Expression }
  /** AND/OR chains are flattened (both are associative under the three-valued logic). */
  | { type: 'logical'; operator: LogicalOperator; operands: Expression[] }
  /** `IN [..]` / `NIN [..]`: the list is always an array constant. */
  | { type: 'membership'; negated: boolean; operand: Expression; values: ConstantValue[] }
  | { type: 'call'; name: FunctionName; args: Expression[] };

export type Projection =
  | { type: 'path'; path: string[]; alias: string }
  /** `COUNT()` has no path; the others aggregate the values at `path`. */
  | { type: 'aggregate'; name: AggregateName; path?: string[]; alias: string };

export interface Query {
  collection: Collection;
  top?: number;
  select: '*' | Projection[];
  where?: Expression;
  groupBy?: string[];
}

/** A job's `queryCondition`: which twins (`devices` or `devices.modules`) and, unless `*`, a filter. */
export interface QueryCondition {
  collection: 'devices' | 'devices.modules';
  where?: Expression;
}

export const itemTypeOf = (query: Query): ItemType => (query.select !== '*' ? 'Raw' : query.collection === 'devices.jobs' ? 'DeviceJob' : 'Twin');

export const isAggregateQuery = (query: Query): boolean =>
  query.groupBy !== undefined || (query.select !== '*' && query.select.some((p) => p.type === 'aggregate'));
