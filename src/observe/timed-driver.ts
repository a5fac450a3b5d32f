import type { SqlDriver, SqlSession, StatementOptions } from '../registry/sql/driver.js';
import type { HubMetrics } from './metrics.js';
import { timed } from './metrics.js';

const KINDS = new Set(['select', 'insert', 'update', 'delete', 'with']);

/** `SELECT …` → `select`; anything but the usual kinds is `other` (a bounded label). */
export function statementKind(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  return KINDS.has(word) ? word : 'other';
}

/** A session whose statements are timed into iothub_store_query_duration_seconds. */
function timedSession(session: SqlSession, dialect: string, metrics: HubMetrics): SqlSession {
  const observe = (sql: string) => (seconds: number) => metrics.storeQueryDuration.observe({ dialect, statement: statementKind(sql) }, seconds);
  return {
    query<Row extends object>(sql: string, params?: readonly unknown[], options?: StatementOptions) {
      return timed(() => session.query<Row>(sql, params, options), observe(sql))();
    },
    execute: (sql: string, params?: readonly unknown[]) => timed(() => session.execute(sql, params), observe(sql))(),
    executeEach: (sql: string, paramLists: ReadonlyArray<readonly unknown[]>) => timed(() => session.executeEach(sql, paramLists), observe(sql))(),
  };
}

/** The driver with every statement timed, inside transactions too. */
export function timedDriver(driver: SqlDriver, metrics: HubMetrics): SqlDriver {
  const direct = timedSession(driver, driver.dialect, metrics);
  return {
    dialect: driver.dialect,
    schema: driver.schema,
    query: direct.query.bind(direct),
    execute: direct.execute,
    executeEach: direct.executeEach,
    transaction: (fn) => driver.transaction((tx) => fn(timedSession(tx, driver.dialect, metrics))),
    close: () => driver.close(),
  };
}
