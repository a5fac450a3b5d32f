import { isAggregateQuery, itemTypeOf, type ItemType, type Query, type QueryCondition } from './ast.js';
import { checkedPageSize, decodeContinuation, DEFAULT_PAGE_SIZE, encodeContinuation } from './paging.js';
import { parseQuery, parseQueryCondition } from './parser.js';
import type { Dialect, SqlDialectName } from './sql/dialect.js';
import { render } from './sql/fragment.js';
import { postgres } from './sql/postgres.js';
import { sqlite } from './sql/sqlite.js';
import { SourceStatements, type QuerySource } from './sql/statements.js';

const DIALECTS: Record<SqlDialectName, Dialect> = { sqlite, postgres };

export interface PageRequest {
  /** Items per page (default 100, capped at 1000); see pageSizeFromHeader for the header. */
  pageSize?: number;
  /** The `x-ms-continuation` token of the previous page. */
  continuation?: string;
}

export interface QueryPage {
  items: unknown[];
  /** Present only when another page follows (send it as `x-ms-continuation`). */
  continuation?: string;
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** The `x-ms-item-type` header value. */
  itemType: ItemType;
  /** The page from the rows the statement returned (they have an `item` column holding JSON). */
  decodePage(rows: readonly object[]): QueryPage;
}

export interface CompiledSql {
  sql: string;
  params: unknown[];
}

/** SQLite returns JSON columns as text, PostgreSQL's driver has already parsed jsonb. */
const decodeJson = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/** One page of a query as one statement (see the contract in index.ts). */
export function compileQuery(query: Query | string, dialect: SqlDialectName, source: QuerySource, page: PageRequest = {}): CompiledQuery {
  const parsed = typeof query === 'string' ? parseQuery(query) : query;
  const statements = new SourceStatements(DIALECTS[dialect], source);
  const pageSize = checkedPageSize(page.pageSize ?? DEFAULT_PAGE_SIZE);
  // Aggregate results page by offset over the ordered groups; everything else by key.
  const aggregate = isAggregateQuery(parsed);
  const keyLength = aggregate ? 0 : statements.keyCount;
  const cursor = page.continuation ? decodeContinuation(parsed, page.continuation, keyLength) : { returned: 0 };
  const top = parsed.top;
  const limit = top === undefined ? pageSize : Math.max(0, Math.min(pageSize, top - cursor.returned));
  const statement = aggregate ? statements.aggregatePage(parsed, cursor.returned, limit) : statements.keysetPage(parsed, cursor.after, limit);
  return {
    ...render(statement),
    itemType: itemTypeOf(parsed),
    decodePage(rows) {
      const records = rows as readonly Record<string, unknown>[];
      const items = records.slice(0, limit).map((row) => decodeJson(row.item));
      const returned = cursor.returned + items.length;
      if (records.length <= limit || (top !== undefined && returned >= top)) return { items };
      const last = records[limit - 1];
      const after = keyLength === 0 ? undefined : Array.from({ length: keyLength }, (_, i) => String(last[`key_${i}`]));
      return { items, continuation: encodeContinuation(parsed, { returned, after }) };
    },
  };
}

const parsedCondition = (condition: QueryCondition | string): QueryCondition => (typeof condition === 'string' ? parseQueryCondition(condition) : condition);

/**
 * A job's queryCondition as a boolean SQL expression over `source` (aliased `src`; placeholders
 * from $1), including the source's extraWhere. The caller picks the source for condition.collection.
 */
export function compileCondition(condition: QueryCondition | string, dialect: SqlDialectName, source: QuerySource): CompiledSql {
  return render(new SourceStatements(DIALECTS[dialect], source).filter(parsedCondition(condition).where));
}

/**
 * A statement selecting the keys (columns key_0, key_1, … for each key column) of the rows that
 * match a queryCondition, in key order, at most `limit`, strictly after the key `after`: the jobs
 * engine walks its targets in batches by passing the last key of one batch to the next.
 */
export function compileMatchingKeys(
  condition: QueryCondition | string,
  dialect: SqlDialectName,
  source: QuerySource,
  batch: { limit: number; after?: string | readonly string[] },
): CompiledSql {
  const statements = new SourceStatements(DIALECTS[dialect], source);
  const after = typeof batch.after === 'string' ? [batch.after] : batch.after;
  if (!Number.isSafeInteger(batch.limit) || batch.limit < 1) throw new RangeError(`Batch limit must be a positive integer, got ${batch.limit}`);
  if (after && after.length !== statements.keyCount) {
    throw new RangeError(`The batch position has ${after.length} key values but the source has ${statements.keyCount} key columns`);
  }
  return render(statements.matchingKeys(parsedCondition(condition).where, after, batch.limit));
}
