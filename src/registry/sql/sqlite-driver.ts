import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlSession, StatementOptions } from './driver.js';

type Statement = Database.Statement<unknown[], unknown>;

/** `$1 … $n` → `?` with the parameter list reordered (SQLite binds `?N` by position only in some builds). */
function toPositional(sql: string): { text: string; order: number[] } {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return { text, order };
}

// better-sqlite3 binds no booleans or undefined.
const bindable = (value: unknown): unknown => (value === undefined ? null : typeof value === 'boolean' ? Number(value) : value);

/** Per database file: the transaction in progress in this process, if any. */
interface Gate {
  exclusive?: Promise<void>;
}
const gates = new Map<string, Gate>();

/**
 * better-sqlite3 is synchronous. Each call is atomic by itself; a transaction spans awaits, so other
 * callers on the same file in this process (any connection) wait until it ends instead of running
 * inside it, or blocking the thread on SQLite's lock while the transaction cannot progress. Other
 * processes are kept apart by SQLite's own locking (busy timeout).
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, { statement: Statement; order: number[] }>();
  private readonly gate: Gate;
  private readonly direct: SqlSession = {
    query: async <Row extends object>(sql: string, params: readonly unknown[] = [], options?: StatementOptions) =>
      this.run(sql, params, 'all', options?.prepare ?? true) as Row[],
    execute: async (sql: string, params: readonly unknown[] = []) => this.run(sql, params, 'run', true) as number,
    executeEach: async (sql: string, paramLists: ReadonlyArray<readonly unknown[]>) => {
      let changed = 0;
      for (const params of paramLists) changed += this.run(sql, params, 'run', true) as number;
      return changed;
    },
  };

  private constructor(
    private readonly db: Database.Database,
    file: string,
  ) {
    const key = resolve(file);
    this.gate = gates.get(key) ?? {};
    gates.set(key, this.gate);
  }

  /** Opens (creating if needed) a database file in WAL mode. */
  static open(file: string): SqliteDriver {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: bulk writers (twin jobs) commit
    // large transactions, and frequent checkpoints cost them more than the larger WAL file does.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('foreign_keys = ON');
    return new SqliteDriver(db, file);
  }

  private prepared(sql: string, keep: boolean) {
    let entry = this.statements.get(sql);
    if (!entry) {
      const { text, order } = toPositional(sql);
      entry = { statement: this.db.prepare(text), order };
      if (keep) this.statements.set(sql, entry);
    }
    return entry;
  }

  private run(sql: string, params: readonly unknown[], mode: 'all' | 'run', keep: boolean): unknown {
    const { statement, order } = this.prepared(sql, keep);
    const values = order.map((index) => bindable(params[index]));
    return mode === 'all' ? statement.all(...values) : statement.run(...values).changes;
  }

  async query<Row extends object>(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<Row[]> {
    while (this.gate.exclusive) await this.gate.exclusive;
    return this.direct.query<Row>(sql, params, options);
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    while (this.gate.exclusive) await this.gate.exclusive;
    return this.direct.execute(sql, params);
  }

  async executeEach(sql: string, paramLists: ReadonlyArray<readonly unknown[]>): Promise<number> {
    while (this.gate.exclusive) await this.gate.exclusive;
    return this.direct.executeEach(sql, paramLists);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    // Check and take the gate with no await in between, or two callers could both pass. A caller that
    // waited lets the event loop turn before it takes the gate: queued transactions would otherwise
    // follow one another in microtasks, and no I/O (sockets, timers, heartbeats) would run until the
    // whole queue had drained.
    while (this.gate.exclusive) {
      await this.gate.exclusive;
      await new Promise((turned) => setImmediate(turned));
    }
    let release!: () => void;
    this.gate.exclusive = new Promise((done) => (release = done));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const result = await fn(this.direct);
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.gate.exclusive = undefined;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.gate.exclusive) await this.gate.exclusive;
    this.db.close();
  }
}
