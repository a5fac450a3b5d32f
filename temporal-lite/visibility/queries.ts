// The read side of visibility: list filters run as SQL over the indexes, never in memory.
import type Database from 'better-sqlite3';
import type { WorkflowExecutionInfo } from '../grpc/api.js';
import { preparedQuery } from '../persistence/statements.js';
import { invalidQuery } from './errors.js';
import { executionInfo, type ExecutionRow } from './execution-info.js';
import { Binder, type BoundQuery } from './query/binder.js';
import { ConditionCompiler } from './query/condition-sql.js';
import { afterCursor, orderByClause, planOrder } from './query/order-sql.js';
import { decodePageToken, encodePageToken, hasPageToken } from './query/page-token.js';
import { parseQuery } from './query/parser.js';
import { SqlParams } from './query/sql-params.js';
import type { AttributeLookup, SearchAttributeRegistry } from './registry.js';

export interface ListResult {
  executions: WorkflowExecutionInfo[];
  /** Empty when this is the last page. */
  nextPageToken: Buffer;
}

export interface CountResult {
  count: number;
  /** Only for GROUP BY ExecutionStatus: per status number, in status order. */
  groups?: { status: number; count: number }[];
}

/** A listed row with its order-key values as k0, k1, …. */
type KeyedRow = ExecutionRow & { [key: `k${number}`]: string | number | bigint | null };
type NamedParams = [Record<string, unknown>];

export class VisibilityQueries {
  constructor(
    private readonly db: Database.Database,
    private readonly registry: SearchAttributeRegistry,
  ) {}

  private bind(namespace: string, query: string | null | undefined): { bound: BoundQuery; lookup: AttributeLookup } {
    const lookup = this.registry.lookup(namespace);
    return { bound: new Binder(lookup).bind(parseQuery(query ?? '')), lookup };
  }

  /** WHERE clause: the namespace and the filter. */
  private where(namespace: string, bound: BoundQuery, params: SqlParams): string {
    const filter = bound.where ? ` AND ${new ConditionCompiler(params).compile(bound.where)}` : '';
    return `e.namespace = ${params.add(namespace)}${filter}`;
  }

  list(namespace: string, query: string | null | undefined, pageSize: number, pageToken?: Uint8Array | string | null): ListResult {
    const { bound, lookup } = this.bind(namespace, query);
    if (bound.groupByStatus) throw invalidQuery("operation is not supported: 'GROUP BY' clause");
    const params = new SqlParams();
    const order = planOrder(bound.orderBy, params);
    const keyColumns = order.keys.map((key, i) => `${key.expr} AS k${i}`).join(', ');
    let filter = this.where(namespace, bound, params);
    if (hasPageToken(pageToken)) {
      filter += ` AND ${afterCursor(order.keys, decodePageToken(pageToken, order.keys.length), params)}`;
    }
    // Sorting happens on (row id, keys) only, and whole rows are read for the page alone: a
    // sort that cannot follow an index then costs far less. One extra row tells whether
    // another page exists.
    const sql = `SELECT e.*, p.* FROM (
        SELECT e.row_id AS page_row, ${keyColumns} FROM vis_executions e ${order.joins} WHERE ${filter}
        ORDER BY ${orderByClause(order.keys)} LIMIT ${params.add(pageSize + 1)}
      ) p JOIN vis_executions e ON e.row_id = p.page_row
      ORDER BY ${orderByClause(order.keys, (_, i) => `p.k${i}`)}`;
    const rows = preparedQuery<NamedParams, KeyedRow>(this.db, sql, { safeIntegers: true }).all(params.values);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const nextPageToken = rows.length > pageSize ? encodePageToken(order.keys.map((_, i) => last[`k${i}`])) : Buffer.alloc(0);
    return { executions: page.map((row) => executionInfo(row, lookup)), nextPageToken };
  }

  count(namespace: string, query: string | null | undefined): CountResult {
    const { bound } = this.bind(namespace, query);
    const params = new SqlParams();
    const where = this.where(namespace, bound, params);
    if (!bound.groupByStatus) {
      const row = preparedQuery<NamedParams, { n: number }>(this.db, `SELECT COUNT(*) AS n FROM vis_executions e WHERE ${where}`).get(params.values);
      return { count: row?.n ?? 0 };
    }
    const sql = `SELECT e.status AS status, COUNT(*) AS count FROM vis_executions e WHERE ${where} GROUP BY e.status ORDER BY e.status`;
    const groups = preparedQuery<NamedParams, { status: number; count: number }>(this.db, sql).all(params.values);
    return { count: groups.reduce((total, group) => total + group.count, 0), groups };
  }
}
