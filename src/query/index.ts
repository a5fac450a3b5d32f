/**
 * The IoT Hub query language (Azure docs, "IoT Hub query language"): parser → AST → SQL per store,
 * plus an in-memory reference evaluator with the same semantics.
 *
 * ## Contract with the stores (src/registry)
 *
 * Each queryable collection is a table with
 *   - a JSON document column holding exactly the document the query addresses:
 *       devices         — the device twin exactly as GET /twins/{id} returns it;
 *       devices.modules — the module twin as GET /twins/{id}/modules/{mid} returns it;
 *       devices.jobs    — one device-job record {deviceId, jobId, jobType, status, startTimeUtc,
 *                         endTimeUtc, createdDateTimeUtc, lastUpdatedDateTimeUtc, outcome, error}
 *                         (write a field the record does not have as absent, not null:
 *                         IS_DEFINED tells the two apart);
 *     SQLite: TEXT holding valid JSON (as JSON.stringify writes it); PostgreSQL: jsonb.
 *   - a unique key: one text column or several (composite, e.g. job_id + device_id). Rows are
 *     returned in key order, compared bytewise: SQLite's default BINARY collation, and in
 *     PostgreSQL the key columns should be declared `COLLATE "C"` (the SQL says COLLATE "C"
 *     explicitly, so a "C" index serves ORDER BY and the keyset condition).
 * The caller describes it with a QuerySource, e.g. for twins
 *   { table: 'devices', docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } }
 * and for device jobs
 *   { table: 'device_jobs', docColumn: 'doc', keyColumn: ['job_id', 'device_id'],
 *     indexedFields: { jobId: 'job_id', deviceId: 'device_id' } }.
 * `indexedFields` maps a top-level document field to a text column that always holds that field's
 * (string) value, so `deviceId = 'x'` and `deviceId IN [...]` use the column and its index.
 * `extraWhere` adds a fixed condition written with its own `$1…$k` placeholders.
 *
 * Generated SQL binds every query value as a parameter, numbered `$1, $2, …` in textual order in
 * both dialects (the stores' SqlDriver convention; its SQLite driver rewrites them to `?`). The
 * table is aliased `src`. Every result row has an `item` column holding one JSON value (the
 * document for SELECT *, a built object otherwise), plus `key_0…` for keyset paging; pass the rows
 * back to decodePage. A store's query is therefore:
 *
 *   const q = compileQuery(body.query, driver.dialect, source, { pageSize: pageSizeFromHeader(h), continuation });
 *   const page = q.decodePage(await driver.query(q.sql, q.params));
 *   // respond: page.items as the JSON array; x-ms-item-type: q.itemType; x-ms-continuation: page.continuation if set
 *
 * The SQL text varies with the query and the page (LIMIT/OFFSET are written inline), so a driver
 * should not keep a prepared statement per text forever. For a job, parse the queryCondition when
 * the job is created (parseQueryCondition) and walk its targets in key order with
 * compileMatchingKeys(condition, dialect, sourceFor(condition.collection), { limit, after: lastKey }).
 *
 * Every client mistake (syntax, unknown function, over-long text, bad continuation or page size)
 * throws HubError('ArgumentInvalid', message naming the problem and its 1-based position).
 *
 * Semantics (evaluator-values.ts has the details): a condition holds only when it is boolean true;
 * missing properties are undefined; comparisons and IN hold only between primitives of one type
 * (null = null is true; strings compare by code point); arithmetic is on doubles and undefined
 * where it would overflow/underflow; AND/OR/NOT are three-valued. System property names match
 * case-insensitively and come back in the twin's casing; tag and property keys are case-sensitive.
 */
export type {
  AggregateName,
  ArithmeticOperator,
  ComparisonOperator,
  Collection,
  ConstantValue,
  Expression,
  FunctionName,
  ItemType,
  LogicalOperator,
  Projection,
  Query,
  QueryCondition,
} from './ast.js';
export { itemTypeOf } from './ast.js';
export { parseQuery, parseQueryCondition } from './parser.js';
export { printCondition, printQuery } from './printer.js';
export { evaluateExpression, evaluateQuery, matchesCondition } from './evaluator.js';
export { compileCondition, compileMatchingKeys, compileQuery } from './compile.js';
export type { CompiledQuery, CompiledSql, PageRequest, QueryPage } from './compile.js';
export type { QuerySource } from './sql/statements.js';
export type { SqlDialectName } from './sql/dialect.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSizeFromHeader } from './paging.js';
export { MAX_QUERY_LENGTH } from './limits.js';
