import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The stores every store/API suite runs against: SQLite always, PostgreSQL when DATABASE_URL is set.
 *   for (const variant of STORE_VARIANTS) describe(`… (${variant.name})`, { skip: variant.skip }, () => …)
 */
export interface StoreVariant {
  name: 'sqlite' | 'postgres';
  /** false, or the reason the suite is skipped. */
  skip: false | string;
  /** Store options for a fresh, private database (a new PostgreSQL schema), and how to drop it. */
  create(): { databaseUrl?: string; databaseSchema?: string; drop(): Promise<void> };
}

const databaseUrl = process.env.DATABASE_URL;

export const STORE_VARIANTS: readonly StoreVariant[] = [
  { name: 'sqlite', skip: false, create: () => ({ drop: async () => {} }) },
  {
    name: 'postgres',
    skip: databaseUrl ? false : 'DATABASE_URL not set: PostgreSQL suite skipped',
    create: () => {
      const databaseSchema = `test_${randomBytes(6).toString('hex')}`;
      return { databaseUrl, databaseSchema, drop: () => dropSchema(databaseSchema) };
    },
  },
];

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
