import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SqlDriver } from '../../src/registry/sql/driver.js';
import { runMigrations } from '../../src/registry/sql/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/registry/sql/migrations.js';
import { PostgresDriver } from '../../src/registry/sql/postgres-driver.js';
import { SqliteDriver } from '../../src/registry/sql/sqlite-driver.js';
import { STORE_VARIANTS, type StoreVariant } from '../helpers/store-variants.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const EXTRA: Migration = {
  version: 1000,
  name: 'test table',
  sql: { sqlite: ['CREATE TABLE migration_probe (id INTEGER)'], postgres: ['CREATE TABLE migration_probe (id INTEGER)'] },
};

for (const variant of STORE_VARIANTS) {
  describe(`schema migrations (${variant.name})`, { skip: variant.skip }, () => {
    let dir: ReturnType<typeof makeTempDir>;
    let database: ReturnType<StoreVariant['create']>;
    const drivers: SqlDriver[] = [];
    const connect = (): SqlDriver => {
      const driver =
        variant.name === 'sqlite'
          ? SqliteDriver.open(join(dir.path, 'hub.db'))
          : new PostgresDriver({ connectionString: database.databaseUrl!, schema: database.databaseSchema });
      drivers.push(driver);
      return driver;
    };

    before(() => {
      dir = makeTempDir('iothub-migrations-');
      database = variant.create();
    });
    after(async () => {
      for (const driver of drivers) await driver.close();
      await database.drop();
      dir.remove();
    });

    it('processes starting together apply each migration exactly once', async () => {
      const results = await Promise.all(Array.from({ length: 4 }, () => runMigrations(connect())));
      assert.deepEqual(
        results.flat().sort(),
        MIGRATIONS.map((migration) => migration.version),
      );
    });

    it('a later start applies only what is new, once', async () => {
      const [first, second] = await Promise.all([runMigrations(connect(), [...MIGRATIONS, EXTRA]), runMigrations(connect(), [...MIGRATIONS, EXTRA])]);
      assert.deepEqual([...first!, ...second!], [1000]);
      assert.deepEqual(await runMigrations(connect(), [...MIGRATIONS, EXTRA]), []);
      const history = await connect().query<{ version: number }>('SELECT version FROM hub_schema_migrations ORDER BY version');
      assert.deepEqual(
        history.map((row) => Number(row.version)),
        [...MIGRATIONS.map((migration) => migration.version), 1000],
      );
    });

    it('a failing migration leaves nothing behind', async () => {
      const broken: Migration = {
        version: 2000,
        name: 'broken',
        sql: { sqlite: ['CREATE TABLE half_done (id INTEGER)', 'NOT SQL'], postgres: ['CREATE TABLE half_done (id INTEGER)', 'NOT SQL'] },
      };
      await assert.rejects(runMigrations(connect(), [...MIGRATIONS, broken]));
      const db = connect();
      const history = await db.query<{ version: number }>('SELECT version FROM hub_schema_migrations WHERE version = 2000');
      assert.equal(history.length, 0);
      await assert.rejects(db.query('SELECT * FROM half_done'));
    });
  });
}
