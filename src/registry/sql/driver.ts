/**
 * The small SQL surface both stores share. Statements are written once with PostgreSQL-style
 * numbered placeholders (`$1`, `$2`, …); the SQLite driver rewrites them. JSON columns are bound as
 * JSON text; reading them back, SQLite returns text and PostgreSQL an object (see decodeJsonColumn).
 * Statements are prepared once per text and reused, unless `{ prepare: false }` says the text is a
 * one-off (generated per request, e.g. a compiled query), which must not pile up in the caches.
 */
export type SqlDialect = 'sqlite' | 'postgres';

export interface StatementOptions {
  /** Keep the prepared statement for reuse (default true). */
  prepare?: boolean;
}

export interface SqlSession {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query<Row extends object>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<Row[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs a write once per parameter list, in order; resolves to the rows changed in all. SQLite runs
   * them in one synchronous loop over the prepared statement (a bulk write costs no promise per row).
   */
  executeEach(sql: string, paramLists: ReadonlyArray<readonly unknown[]>): Promise<number>;
}

export interface SqlDriver extends SqlSession {
  readonly dialect: SqlDialect;
  /** PostgreSQL schema the tables live in (undefined: the server's default, or SQLite). */
  readonly schema?: string;
  /** Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
