import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';
import { defineQueryProperties, type QueryDatabase } from './query-properties.js';

const DATABASE_URL = process.env.DATABASE_URL;

/** A private schema on the server at DATABASE_URL with the stores' table shapes (jsonb, "C" keys); dropped on close. */
async function postgresDatabase(url: string): Promise<QueryDatabase> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schema = `test_query_${randomBytes(6).toString('hex')}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`CREATE TABLE ${schema}.devices (device_id TEXT COLLATE "C" PRIMARY KEY, twin JSONB NOT NULL)`);
  await client.query(`CREATE TABLE ${schema}.device_jobs (job_id TEXT COLLATE "C" NOT NULL, device_id TEXT COLLATE "C" NOT NULL,
    doc JSONB NOT NULL, PRIMARY KEY (job_id, device_id))`);
  return {
    dialect: 'postgres',
    devices: { table: `${schema}.devices`, docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } },
    jobs: {
      table: `${schema}.device_jobs`,
      docColumn: 'doc',
      keyColumn: ['job_id', 'device_id'],
      indexedFields: { jobId: 'job_id', deviceId: 'device_id' },
    },
    async load(table, documents) {
      const columns = table === 'devices' ? ['device_id'] : ['job_id', 'device_id'];
      const keyFields = table === 'devices' ? ['deviceId'] : ['jobId', 'deviceId'];
      const name = table === 'devices' ? `${schema}.devices` : `${schema}.device_jobs`;
      const width = columns.length + 1;
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${name}`);
      if (documents.length > 0) {
        const values = documents.map((_, row) => `(${Array.from({ length: width }, (_, i) => `$${row * width + i + 1}`).join(', ')})`);
        const params = documents.flatMap((doc) => [...keyFields.map((field) => doc[field]), JSON.stringify(doc)]);
        await client.query(`INSERT INTO ${name} (${columns.join(', ')}, ${table === 'devices' ? 'twin' : 'doc'}) VALUES ${values.join(', ')}`, params);
      }
      await client.query('COMMIT');
    },
    async rows(sql, params) {
      return (await client.query(sql, params)).rows as object[];
    },
    async close() {
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

describe(
  'query SQL compiled for PostgreSQL gives the reference evaluator results',
  { skip: DATABASE_URL ? false : 'DATABASE_URL not set: PostgreSQL query suite skipped' },
  () => {
    defineQueryProperties(() => postgresDatabase(DATABASE_URL!), 200);
  },
);
