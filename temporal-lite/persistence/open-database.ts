import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrate } from './schema.js';
import { walSync, type WalSync } from './wal-sync.js';

/** Opening the database failed for a reason the operator can fix; the message names the file. */
export class StorageOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageOpenError';
  }
}

export const IN_MEMORY = ':memory:';

export interface OpenedDatabase {
  db: Database.Database;
  /** For a file: makes commits durable without blocking (see wal-sync.ts). */
  wal?: WalSync;
  close(): void;
}

/**
 * Opens (or creates) the SQLite database, takes exclusive ownership of it and brings its
 * schema up to date. `file` may be ':memory:'.
 */
export function openDatabase(file: string): OpenedDatabase {
  const inMemory = file === IN_MEMORY;
  const path = inMemory ? file : resolve(file);
  if (!inMemory && !existsSync(dirname(path))) {
    throw new StorageOpenError(`cannot open database file ${path}: directory ${dirname(path)} does not exist`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 2000 });
    // Statement and savepoint journals (original pages kept for a rollback within the
    // transaction, sqlite.org/tempfiles.html) in memory instead of a temporary file: they matter
    // only while the transaction runs, and on file each page written is two write calls.
    db.pragma('temp_store = MEMORY');
    if (!inMemory) {
      // One server owns the file: a second one fails fast with "database is locked".
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
    }
    migrate(db);
    const opened = db;
    const wal = inMemory ? undefined : walSync(opened, path);
    return {
      db: opened,
      wal,
      close: () => {
        wal?.close();
        opened.close();
      },
    };
  } catch (err) {
    db?.close();
    throw new StorageOpenError(`cannot open database file ${path}: ${describeSqliteError(err)}`);
  }
}

function describeSqliteError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return `not a temporal-lite database or corrupt (${message})`;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return `in use by another process (${message})`;
  return message;
}
