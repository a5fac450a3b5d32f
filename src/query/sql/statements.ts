import type { Expression, Projection, Query } from '../ast.js';
import type { Dialect } from './dialect.js';
import { ExpressionCompiler } from './expression.js';
import { external, join, quoteIdentifier, raw, sql, type Sql } from './fragment.js';

/** How a queryable collection is stored; see the contract in ../index.ts. */
export interface QuerySource {
  /** Table name, optionally schema-qualified (`schema.table`); quoted by the compiler. */
  table: string;
  /** The JSON document column (SQLite TEXT, PostgreSQL jsonb). */
  docColumn: string;
  /** Unique key: one text column, or several forming a composite key (e.g. job_id, device_id). */
  keyColumn: string | readonly string[];
  /** Top-level document fields whose string value is also stored in an indexed text column. */
  indexedFields?: Readonly<Record<string, string>>;
  /** A condition always applied, written with its own `$1…$k` placeholders. */
  extraWhere?: { sql: string; params: readonly unknown[] };
}

// A double: the largest finite one. PostgreSQL reads the literal as numeric (exact aggregates).
const MAX_DOUBLE = raw('1.7976931348623157e+308');

/** Builds the statements over one source: keyset pages, aggregate pages, matching keys. */
export class SourceStatements {
  private readonly table: Sql;
  private readonly document: Sql;
  private readonly keys: Sql[];
  private readonly expressions: ExpressionCompiler;
  private readonly extraWhere?: Sql;

  constructor(
    private readonly dialect: Dialect,
    source: QuerySource,
  ) {
    const column = (name: string) => sql`src.${quoteIdentifier(name)}`;
    this.table = join(source.table.split('.').map(quoteIdentifier), '.');
    this.document = column(source.docColumn);
    this.keys = (typeof source.keyColumn === 'string' ? [source.keyColumn] : source.keyColumn).map(column);
    const indexed = Object.entries(source.indexedFields ?? {}).map(([field, name]) => [field, column(name)] as const);
    this.expressions = new ExpressionCompiler(dialect, this.document, new Map(indexed));
    if (source.extraWhere) this.extraWhere = external(source.extraWhere.sql, source.extraWhere.params);
  }

  get keyCount(): number {
    return this.keys.length;
  }

  /** The row filter: the query's condition, the source's extra condition, and the keyset position. */
  filter(where: Expression | undefined, after?: readonly string[]): Sql {
    const parts: Sql[] = [];
    if (where) parts.push(this.expressions.condition(where));
    if (this.extraWhere) parts.push(sql`(${this.extraWhere})`);
    if (after) parts.push(this.keysAfter(after));
    return parts.length === 0 ? this.dialect.true : join(parts, ' AND ');
  }

  /** Non-aggregate queries: rows in key order after `after`, one extra row to tell if more follow. */
  keysetPage(query: Query, after: readonly string[] | undefined, limit: number): Sql {
    const keys = join(
      this.keys.map((key, i) => sql`${key} AS ${raw(`key_${i}`)}`),
      ', ',
    );
    return sql`SELECT ${this.item(query)} AS item, ${keys} FROM ${this.table} AS src WHERE ${this.filter(query.where, after)}
      ORDER BY ${this.order()} LIMIT ${raw(String(limit + 1))}`;
  }

  /** Aggregate queries: groups in group-key order, paged by offset. */
  aggregatePage(query: Query, offset: number, limit: number): Sql {
    const projections = query.select as Projection[];
    const inner: Sql[] = [];
    if (query.groupBy) inner.push(...this.groupColumns(query.groupBy));
    const entries = projections.map((projection, i) => {
      if (projection.type === 'path') return { key: projection.alias, value: this.dialect.groupValue, present: raw('(g_rank > 0)') };
      const value = this.aggregate(projection, i, inner);
      return { key: projection.alias, value, present: projection.name === 'COUNT' ? this.dialect.true : sql`(${value} IS NOT NULL)` };
    });
    if (inner.length === 0) inner.push(raw('1 AS one'));
    const grouping = query.groupBy ? sql` GROUP BY g_rank, g_num, g_str ORDER BY g_rank, g_num, ${this.dialect.collate(raw('g_str'))}` : sql``;
    return sql`SELECT ${this.dialect.object(entries)} AS item FROM (SELECT ${join(inner, ', ')} FROM ${this.table} AS src
      WHERE ${this.filter(query.where)}) AS grouped${grouping} LIMIT ${raw(String(limit + 1))} OFFSET ${raw(String(offset))}`;
  }

  /** Keys (columns key_0…) of the rows matching `where`, in key order, after `after`. */
  matchingKeys(where: Expression | undefined, after: readonly string[] | undefined, limit: number): Sql {
    const keys = join(
      this.keys.map((key, i) => sql`${key} AS ${raw(`key_${i}`)}`),
      ', ',
    );
    return sql`SELECT ${keys} FROM ${this.table} AS src WHERE ${this.filter(where, after)} ORDER BY ${this.order()}
      LIMIT ${raw(String(limit))}`;
  }

  private item(query: Query): Sql {
    if (query.select === '*') return this.document;
    return this.dialect.object(
      query.select.map((projection) => {
        const ref = this.expressions.path(projection.path!);
        return { key: projection.alias, value: ref.json, present: ref.defined };
      }),
    );
  }

  private order(): Sql {
    return join(
      this.keys.map((key) => this.dialect.collate(key)),
      ', ',
    );
  }

  private keysAfter(after: readonly string[]): Sql {
    const values = after.map((key) => this.dialect.string(key));
    if (this.keys.length === 1) return sql`${this.dialect.collate(this.keys[0])} > ${values[0]}`;
    return sql`(${join(
      this.keys.map((key) => this.dialect.collate(key)),
      ', ',
    )}) > (${join(values, ', ')})`;
  }

  /**
   * The group key split by type, as the evaluator orders groups: rank 0 = missing/object/array,
   * 1 = null, 2 = boolean (g_num 0/1), 3 = number (g_num), 4 = string (g_str).
   */
  private groupColumns(path: readonly string[]): Sql[] {
    const ref = this.expressions.path(path);
    const rank = sql`CASE WHEN ${ref.isType('null')} THEN 1 WHEN ${ref.isType('boolean')} THEN 2
      WHEN ${ref.isType('number')} THEN 3 WHEN ${ref.isType('string')} THEN 4 ELSE 0 END`;
    const number = sql`CASE WHEN ${ref.isType('boolean')} THEN (CASE WHEN ${ref.boolean} THEN 1 ELSE 0 END) ELSE ${ref.number} END`;
    return [sql`${rank} AS g_rank`, sql`${number} AS g_num`, sql`${ref.string} AS g_str`];
  }

  /** An aggregate over inner columns it adds; semantics as evaluator-groups.ts `aggregate`. */
  private aggregate(projection: Extract<Projection, { type: 'aggregate' }>, index: number, inner: Sql[]): Sql {
    const d = this.dialect;
    if (projection.name === 'COUNT') return raw('count(*)');
    const ref = this.expressions.path(projection.path!);
    const column = (suffix: string, value: Sql) => {
      const name = raw(`a${index}_${suffix}`);
      inner.push(sql`${value} AS ${name}`);
      return name;
    };
    if (projection.name === 'SUM' || projection.name === 'AVG') {
      const total = sql`${raw(projection.name.toLowerCase())}(${column('x', ref.exactNumber)})`;
      return sql`CASE WHEN abs(${total}) <= ${MAX_DOUBLE} THEN ${d.doubleOf(total)} END`;
    }
    const fn = raw(projection.name.toLowerCase());
    const numbers = column('n', ref.number);
    const strings = column('s', ref.string);
    return sql`CASE WHEN count(${numbers}) > 0 THEN ${d.jsonOf(sql`${fn}(${numbers})`)} ELSE ${d.jsonOf(sql`${fn}(${d.collate(strings)})`)} END`;
  }
}
