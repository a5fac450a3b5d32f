// Typed prepared statements: each statement declares its parameters and the shape of its rows
// once, where it is prepared, so rows are never cast where they are read. The objects are
// better-sqlite3's own statements, seen through these narrower interfaces.
import type Database from 'better-sqlite3';

/** A statement that reads rows of type Row. */
export interface Query<Params extends unknown[], Row> {
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  iterate(...params: Params): IterableIterator<Row>;
}

/** A statement that changes data and returns no rows. */
export interface Command<Params extends unknown[]> {
  run(...params: Params): Database.RunResult;
}

/**
 * Prepares a query; `Row` names the columns the SQL selects (with their aliases). With
 * `safeIntegers`, integer columns come back as bigint (Row must say so).
 */
export function preparedQuery<Params extends unknown[], Row>(db: Database.Database, sql: string, options: { safeIntegers?: boolean } = {}): Query<Params, Row> {
  const statement = db.prepare<Params, Row>(sql);
  return options.safeIntegers ? statement.safeIntegers(true) : statement;
}

export function preparedCommand<Params extends unknown[]>(db: Database.Database, sql: string): Command<Params> {
  return db.prepare<Params>(sql);
}
