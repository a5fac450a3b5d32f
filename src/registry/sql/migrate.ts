import type { SqlDriver } from './driver.js';
import { MIGRATIONS, type Migration } from './migrations.js';

const HISTORY_TABLE = 'hub_schema_migrations';

/**
 * Applies the migrations not yet recorded, in one transaction. On PostgreSQL a transaction-scoped
 * advisory lock serialises hub processes starting at the same time (the loser then finds everything
 * applied); on SQLite `BEGIN IMMEDIATE` does the same. Returns the versions applied by this call.
 */
export async function runMigrations(db: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.dialect === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`iothub-jobs migrations ${db.schema ?? ''}`]);
      if (db.schema) await tx.execute(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    }
    await tx.execute(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const done = new Set((await tx.query<{ version: number }>(`SELECT version FROM ${HISTORY_TABLE}`)).map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.sql[db.dialect]) await tx.execute(statement);
      await tx.execute(`INSERT INTO ${HISTORY_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
