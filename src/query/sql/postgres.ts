import type { Dialect, JsonRef, JsonType } from './dialect.js';
import { bind, join, raw, sql, type Sql } from './fragment.js';

function postgresRef(document: Sql, path: readonly string[]): JsonRef {
  // `->` with text keys never indexes into arrays (unlike `#>`), matching the language's lookup.
  const value = sql`(${document}${join(
    path.map((key) => sql` -> CAST(${bind(key)} AS text)`),
    '',
  )})`;
  const typeIs = (type: string) => sql`jsonb_typeof(${value}) = '${raw(type)}'`;
  return {
    isType: (type: JsonType) => sql`COALESCE(${typeIs(type)}, FALSE)`,
    defined: sql`(${value} IS NOT NULL)`,
    number: sql`CASE WHEN ${typeIs('number')} THEN CAST(${value} AS DOUBLE PRECISION) END`,
    exactNumber: sql`CASE WHEN ${typeIs('number')} THEN CAST(${value} AS NUMERIC) END`,
    string: sql`CASE WHEN ${typeIs('string')} THEN ${value} #>> '{}' END`,
    boolean: sql`CASE WHEN ${typeIs('boolean')} THEN CAST(${value} AS BOOLEAN) END`,
    json: value,
  };
}

/**
 * PostgreSQL: the document column is jsonb. Numbers are compared and computed as double precision
 * (as JavaScript does); text comparisons use COLLATE "C" for code point order.
 */
export const postgres: Dialect = {
  name: 'postgres',
  true: raw('TRUE'),
  false: raw('FALSE'),
  nullOf: (type) => raw(`CAST(NULL AS ${type === 'boolean' ? 'BOOLEAN' : type === 'number' ? 'DOUBLE PRECISION' : 'TEXT'})`),
  number: (value) => sql`CAST(${bind(value)} AS DOUBLE PRECISION)`,
  string: (value) => sql`CAST(${bind(value)} AS TEXT)`,
  double: (value) => raw(`CAST(${value} AS DOUBLE PRECISION)`),
  path: postgresRef,
  planningFence: raw(' OFFSET 0'),
  collate: (text) => sql`(${text}) COLLATE "C"`,
  isIntegral: (value) => sql`(${value} = trunc(${value}))`,
  integerRemainder: (a, b) => sql`CAST(mod(CAST(${a} AS BIGINT), CAST(${b} AS BIGINT)) AS DOUBLE PRECISION)`,
  startsWith: (text, prefix) => sql`(left(${text}, length(${prefix})) = ${prefix})`,
  endsWith: (text, suffix) => sql`(right(${text}, length(${suffix})) = ${suffix})`,
  doubleOf: (exact) => sql`CAST(${exact} AS DOUBLE PRECISION)`,
  jsonOf: (value) => sql`to_jsonb(${value})`,
  groupValue: sql`CASE g_rank WHEN 1 THEN 'null'::jsonb WHEN 2 THEN to_jsonb(g_num = 1) WHEN 3 THEN to_jsonb(g_num)
    WHEN 4 THEN to_jsonb(g_str) END`,
  object(entries) {
    const built = sql`jsonb_build_object(${join(
      entries.map((e) => sql`CAST(${bind(e.key)} AS TEXT), ${e.value}`),
      ', ',
    )})`;
    const removals = entries.map((e) => sql`CASE WHEN ${e.present} THEN NULL ELSE CAST(${bind(e.key)} AS TEXT) END`);
    return sql`(${built} - CAST(ARRAY[${join(removals, ', ')}] AS TEXT[]))`;
  },
};
