import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresDriver } from './sql/postgres-driver.js';
import { SqlHubStore } from './sql/sql-hub-store.js';
import { SqliteDriver } from './sql/sqlite-driver.js';

export interface StoreOptions {
  /** SQLite keeps `<dataDir>/hub.db` when no database URL is given. */
  dataDir: string;
  /** postgres://… selects PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL schema for the hub's tables (tests use a private one). */
  databaseSchema?: string;
}

/** Opens the configured store and brings its schema up to date. */
export async function openHubStore(options: StoreOptions): Promise<SqlHubStore> {
  let driver;
  if (options.databaseUrl) {
    driver = new PostgresDriver({ connectionString: options.databaseUrl, schema: options.databaseSchema });
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    driver = SqliteDriver.open(join(options.dataDir, 'hub.db'));
  }
  const store = new SqlHubStore(driver);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
