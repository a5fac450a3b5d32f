// Schema versioning shared by the engine's and the visibility module's tables, which live in the
// same database file but version themselves independently, each in a table of its own.
import type Database from 'better-sqlite3';
import { preparedCommand, preparedQuery } from './statements.js';

/** Brings a schema from version i to i+1: SQL text, or a function for data rewrites. */
export type Migration = string | ((db: Database.Database) => void);

/**
 * Applies the migrations `migrations[current..]` in one transaction and records the new version
 * in `versionTable` (created if missing). Refuses a database newer than `migrations`.
 * `what` names the schema in that error.
 */
export function runMigrations(db: Database.Database, versionTable: string, migrations: readonly Migration[], what: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER NOT NULL)`);
  const row = preparedQuery<[], { version: number }>(db, `SELECT version FROM ${versionTable}`).get();
  const current = row?.version ?? 0;
  const latest = migrations.length;
  if (current > latest) throw new Error(`${what} version ${current} is newer than this temporal-lite (${latest})`);
  if (current === latest) return;
  db.transaction(() => {
    for (let version = current; version < latest; version++) {
      const step = migrations[version];
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    preparedCommand<[]>(db, `DELETE FROM ${versionTable}`).run();
    preparedCommand<[version: number]>(db, `INSERT INTO ${versionTable} (version) VALUES (?)`).run(latest);
  })();
}
