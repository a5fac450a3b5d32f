import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlDriver, SqlSession, StatementOptions } from './driver.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Parameterised statements are named, so each pooled connection prepares them once and reuses them;
 * one-offs stay unnamed, and statements without parameters (DDL in migrations) use the simple protocol.
 */
function queryConfig(sql: string, params: readonly unknown[], prepare = true): pg.QueryConfig {
  if (params.length === 0) return { text: sql };
  if (!prepare) return { text: sql, values: [...params] };
  return { name: `hub_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`, text: sql, values: [...params] };
}

function session(client: pg.Pool | pg.PoolClient): SqlSession {
  return {
    async query<Row extends object>(sql: string, params: readonly unknown[] = [], options?: StatementOptions) {
      return (await client.query<Row & pg.QueryResultRow>(queryConfig(sql, params, options?.prepare))).rows;
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      return (await client.query(queryConfig(sql, params))).rowCount ?? 0;
    },
    async executeEach(sql: string, paramLists: ReadonlyArray<readonly unknown[]>) {
      let changed = 0;
      for (const params of paramLists) changed += (await client.query(queryConfig(sql, params))).rowCount ?? 0;
      return changed;
    },
  };
}

export interface PostgresDriverOptions {
  connectionString: string;
  /** Keep the hub's tables in this schema (created by the migrations); tests use one each. */
  schema?: string;
  maxConnections?: number;
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly schema?: string;
  private readonly pool: pg.Pool;
  private readonly direct: SqlSession;

  constructor(options: PostgresDriverOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(`Invalid PostgreSQL schema name '${options.schema}': use letters, digits and underscores`);
    }
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      // Unqualified table names resolve to the hub's schema on every pooled connection.
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    this.direct = session(this.pool);
  }

  query<Row extends object>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<Row[]> {
    return this.direct.query<Row>(sql, params, options);
  }

  execute(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.direct.execute(sql, params);
  }

  executeEach(sql: string, paramLists: ReadonlyArray<readonly unknown[]>): Promise<number> {
    return this.direct.executeEach(sql, paramLists);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(session(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
