import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HubMetrics } from '../observe/metrics.js';
import { timed } from '../observe/metrics.js';
import { timedDriver } from '../observe/timed-driver.js';
import type { SqlDriver } from './sql/driver.js';
import { SqlHubStore } from './sql/sql-hub-store.js';
import { SqliteDriver } from './sql/sqlite-driver.js';

export interface StoreOptions {
  /** SQLite keeps `<dataDir>/hub.db` when no database URL is given. */
  dataDir: string;
  /** postgres://… selects PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL schema for the hub's tables (tests use a private one). */
  databaseSchema?: string;
  /** Times every statement (iothub_store_query_duration_seconds) and twin write. */
  metrics?: HubMetrics;
}

/** Opens the configured store and brings its schema up to date. */
export async function openHubStore(options: StoreOptions): Promise<SqlHubStore> {
  let driver: SqlDriver;
  if (options.databaseUrl) {
    // pg is loaded only for PostgreSQL (a faster start for the SQLite hub).
    const { PostgresDriver } = await import('./sql/postgres-driver.js');
    driver = new PostgresDriver({ connectionString: options.databaseUrl, schema: options.databaseSchema });
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    driver = SqliteDriver.open(join(options.dataDir, 'hub.db'));
  }
  const store = new SqlHubStore(options.metrics ? timedDriver(driver, options.metrics) : driver);
  if (options.metrics) timeTwinWrites(store, options.metrics);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Each twin write of the store observed into iothub_twin_write_duration_seconds by operation. */
function timeTwinWrites(store: SqlHubStore, metrics: HubMetrics): void {
  const observe = (operation: string) => (seconds: number) => metrics.twinWriteDuration.observe({ operation }, seconds);
  store.updateTwin = timed(store.updateTwin.bind(store), observe('updateTwin'));
  store.updateModuleTwin = timed(store.updateModuleTwin.bind(store), observe('updateModuleTwin'));
  store.patchReported = timed(store.patchReported.bind(store), observe('patchReported'));
  store.applyTwinJobBatch = timed(store.applyTwinJobBatch.bind(store), observe('applyTwinJobBatch'));
}
