import type { Dialect, JsonRef, JsonType } from './dialect.js';
import { bind, join, raw, sql, type Sql } from './fragment.js';

/** json_type() names per query type; JSON true and false are distinct types in SQLite. */
const SQLITE_TYPES: Record<JsonType, string> = {
  null: `'null'`,
  boolean: `'true', 'false'`,
  number: `'integer', 'real'`,
  string: `'text'`,
  array: `'array'`,
  object: `'object'`,
};

/**
 * A JSON path for SQLite with every key quoted. Inside quotes SQLite only ends the key at `"`, and it
 * compares keys after decoding escapes, so `"` and `\` (and control characters) are written as \uXXXX.
 */
export function sqlitePath(path: readonly string[]): string {
  const escape = (key: string) => key.replace(/["\\\u0000-\u001f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `$${path.map((key) => `."${escape(key)}"`).join('')}`;
}

function sqliteRef(document: Sql, path: readonly string[]): JsonRef {
  const at = bind(sqlitePath(path));
  const type = sql`json_type(${document}, ${at})`;
  const number = sql`CASE WHEN ${type} IN (${raw(SQLITE_TYPES.number)}) THEN CAST(json_extract(${document}, ${at}) AS REAL) END`;
  return {
    isType: (t) => sql`COALESCE(${type} IN (${raw(SQLITE_TYPES[t])}), 0)`,
    defined: sql`(${type} IS NOT NULL)`,
    number,
    exactNumber: number,
    string: sql`CASE WHEN ${type} = 'text' THEN json_extract(${document}, ${at}) END`,
    boolean: sql`CASE ${type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`,
    // `->` returns the value's JSON text (numbers exactly as stored) with the JSON subtype.
    json: sql`(${document} -> ${at})`,
  };
}

/** SQLite: the document column is TEXT holding JSON; booleans are 1/0; numbers are compared as REAL. */
export const sqlite: Dialect = {
  name: 'sqlite',
  true: raw('1'),
  false: raw('0'),
  nullOf: () => raw('NULL'),
  number: (value) => bind(value),
  string: (value) => bind(value),
  double: (value) => raw(String(value)),
  path: sqliteRef,
  planningFence: raw(''),
  collate: (text) => text,
  isIntegral: (value) => sql`(${value} = CAST(${value} AS INTEGER))`,
  integerRemainder: (a, b) => sql`CAST(CAST(${a} AS INTEGER) % CAST(${b} AS INTEGER) AS REAL)`,
  startsWith: (text, prefix) => sql`(substr(${text}, 1, length(${prefix})) = ${prefix})`,
  // When the suffix is longer, substr() gets a start ≤ 0 and returns at most the whole text: no match.
  endsWith: (text, suffix) => sql`(substr(${text}, length(${text}) - length(${suffix}) + 1) = ${suffix})`,
  doubleOf: (exact) => exact,
  jsonOf: (value) => value,
  groupValue: sql`json(CASE g_rank WHEN 1 THEN 'null' WHEN 2 THEN (CASE WHEN g_num = 1 THEN 'true' ELSE 'false' END)
    WHEN 3 THEN json_quote(g_num) WHEN 4 THEN json_quote(g_str) END)`,
  object(entries) {
    const built = sql`json_object(${join(
      entries.map((e) => sql`${bind(e.key)}, ${e.value}`),
      ', ',
    )})`;
    // json_remove() with a NULL path returns NULL, so present entries "remove" '$[0]', a no-op on objects.
    const removals = entries.map((e) => sql`CASE WHEN ${e.present} THEN '$[0]' ELSE ${bind(sqlitePath([e.key]))} END`);
    return sql`json_remove(${built}, ${join(removals, ', ')})`;
  },
};
