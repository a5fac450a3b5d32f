import { openHubStore } from '../../src/registry/open-store.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import type { StoreVariant } from './store-variants.js';
import { makeTempDir } from './temp-dir.js';

export interface TestStore {
  store: SqlHubStore;
  /** Opens another store on the same database (another process, or a restart). */
  reopen(): Promise<SqlHubStore>;
  dispose(): Promise<void>;
}

/** A migrated store in a private temp dir (SQLite) or a private schema (PostgreSQL). */
export async function openTestStore(variant: StoreVariant): Promise<TestStore> {
  const dir = makeTempDir('iothub-store-');
  const database = variant.create();
  const open = () => openHubStore({ dataDir: dir.path, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema });
  const opened: SqlHubStore[] = [];
  const reopen = async () => {
    const store = await open();
    opened.push(store);
    return store;
  };
  const store = await reopen();
  return {
    store,
    reopen,
    async dispose() {
      for (const each of opened) await each.close().catch(() => {});
      await database.drop();
      dir.remove();
    },
  };
}
