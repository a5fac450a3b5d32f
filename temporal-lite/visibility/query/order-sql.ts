// ORDER BY keys and keyset ("after this row") conditions for stable page tokens.
//
// Every listing ends with Temporal SQL visibility's default order — running first, then by
// close time, start time (both newest first) and run id — so the order is total and a page
// token can name the last row returned by its key values. Rows added later never shift pages.
import type { BoundOrder } from './binder.js';
import type { SqlParams } from './sql-params.js';

export interface OrderKey {
  /** SQL expression of the key. */
  expr: string;
  descending: boolean;
  /** Missing values sort last in either direction, as in Elasticsearch. */
  nullable: boolean;
}

const NOT_NULL_COLUMNS = new Set(['workflow_id', 'run_id', 'workflow_type', 'task_queue', 'status', 'start_time', 'execution_time']);

const DEFAULT_ORDER: readonly OrderKey[] = [
  { expr: 'e.close_order', descending: true, nullable: false },
  { expr: 'e.start_time', descending: true, nullable: false },
  { expr: 'e.run_id', descending: false, nullable: false },
];

export interface OrderPlan {
  keys: OrderKey[];
  /** LEFT JOINs bringing custom attribute values used as keys. */
  joins: string;
}

export function planOrder(orderBy: BoundOrder[], params: SqlParams): OrderPlan {
  const joins: string[] = [];
  const keys = orderBy.map(({ attr, descending }) => {
    if (attr.storage === 'column') {
      return { expr: `e.${attr.column}`, descending, nullable: !NOT_NULL_COLUMNS.has(attr.column) };
    }
    const alias = `o${joins.length}`;
    joins.push(`LEFT JOIN vis_values ${alias} ON ${alias}.row_id = e.row_id AND ${alias}.attr_id = ${params.add(attr.attrId)}`);
    return { expr: `${alias}.v`, descending, nullable: true };
  });
  return { keys: [...keys, ...DEFAULT_ORDER], joins: joins.join(' ') };
}

/** ORDER BY terms for the keys; `expr` names key i (its expression, or a column it was selected as). */
export function orderByClause(keys: OrderKey[], expr: (key: OrderKey, i: number) => string = (key) => key.expr): string {
  return keys.map((key, i) => `${expr(key, i)} ${key.descending ? 'DESC' : 'ASC'}${key.nullable ? ' NULLS LAST' : ''}`).join(', ');
}

/**
 * SQL true for rows strictly after the row whose key values are `cursor`: the usual
 * lexicographic OR-chain, with NULL as the largest value of a nullable key, plus a redundant
 * bound on the first key so that SQLite seeks to the page instead of scanning what precedes it.
 */
export function afterCursor(keys: OrderKey[], cursor: unknown[], params: SqlParams): string {
  const clauses: string[] = [];
  const [first] = keys;
  if (!first.nullable) clauses.push(`${first.expr} ${first.descending ? '<=' : '>='} ${params.add(cursor[0])}`);
  const branches: string[] = [];
  const equalities: string[] = [];
  keys.forEach((key, i) => {
    const cursorValue = cursor[i];
    if (cursorValue !== null) {
      // nothing sorts after NULL within its key
      const op = key.descending ? '<' : '>';
      const after = `${key.expr} ${op} ${params.add(cursorValue)}`;
      branches.push([...equalities, key.nullable ? `(${after} OR ${key.expr} IS NULL)` : after].join(' AND '));
    }
    if (i < keys.length - 1) equalities.push(cursorValue === null ? `${key.expr} IS NULL` : `${key.expr} = ${params.add(cursorValue)}`);
  });
  clauses.push(`(${branches.join(' OR ')})`);
  return clauses.join(' AND ');
}
