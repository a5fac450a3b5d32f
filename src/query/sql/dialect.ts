import type { Sql } from './fragment.js';

export type SqlDialectName = 'sqlite' | 'postgres';

/** JSON value types as the compiled SQL distinguishes them. */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/**
 * Typed views of the JSON value at one path of the row's document. Each typed view is SQL NULL
 * unless the value exists and has that type, which is exactly the query language's "undefined"
 * for operators that need that type.
 */
export interface JsonRef {
  /** Never NULL: whether the value exists and has `type`. */
  isType(type: JsonType): Sql;
  /** Never NULL: whether the value exists (JSON null included). */
  readonly defined: Sql;
  /** A double. */
  readonly number: Sql;
  /** The exact decimal where the dialect has one (for SUM/AVG). */
  readonly exactNumber: Sql;
  readonly string: Sql;
  readonly boolean: Sql;
  /** The value itself as JSON, for building result rows. */
  readonly json: Sql;
}

export interface Dialect {
  readonly name: SqlDialectName;
  readonly true: Sql;
  readonly false: Sql;
  nullOf(type: 'boolean' | 'number' | 'string'): Sql;
  /** Bound user constants. */
  number(value: number): Sql;
  string(value: string): Sql;
  /** A constant of the compiler itself, as a double. */
  double(value: number): Sql;
  path(document: Sql, path: readonly string[]): JsonRef;
  /**
   * Ends a one-row derived table that names subexpressions, so the planner keeps it as is:
   * PostgreSQL would otherwise pull it up and substitute the expressions back in, repeatedly.
   */
  readonly planningFence: Sql;
  /** Code point (UTF-8 byte) order for a text expression. */
  collate(text: Sql): Sql;
  isIntegral(value: Sql): Sql;
  /** `a % b` for integral doubles within ±2^53, as a double. */
  integerRemainder(a: Sql, b: Sql): Sql;
  startsWith(text: Sql, prefix: Sql): Sql;
  endsWith(text: Sql, suffix: Sql): Sql;
  /** An exact aggregate result (SUM/AVG of `exactNumber`) as a double. */
  doubleOf(exact: Sql): Sql;
  /** A number or string aggregate result as JSON (MIN/MAX mix both in one CASE). */
  jsonOf(value: Sql): Sql;
  /** The JSON value of a group key (columns g_rank, g_num, g_str of the grouped query). */
  readonly groupValue: Sql;
  /** One JSON object per row; entries whose `present` is false are left out. */
  object(entries: readonly { key: string; value: Sql; present: Sql }[]): Sql;
}
