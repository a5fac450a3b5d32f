// Durable commits without blocking the event loop: SQLite commits to the WAL without fsync
// (synchronous=NORMAL) and the WAL is fsynced on libuv's thread pool before any answer that
// depends on the commit goes out. Checkpoints still sync in SQLite itself, so the result is as
// durable as synchronous=FULL while the main thread never waits for the disk.
import type Database from 'better-sqlite3';
import { closeSync, existsSync, fsync, openSync } from 'node:fs';

export interface WalSync {
  /** Resolves once everything committed so far is on disk. */
  sync(): Promise<void>;
  close(): void;
}

export function walSync(db: Database.Database, file: string): WalSync {
  const wal = `${file}-wal`;
  // Make sure the WAL exists (the first write creates it) before opening our handle on it.
  if (!existsSync(wal)) db.exec('BEGIN IMMEDIATE; COMMIT;');
  db.pragma('synchronous = NORMAL');
  // Checkpoints (which fsync on the main thread) every ~16 MB of WAL rather than every 4 MB;
  // the WAL file is trimmed back to 64 MB after one.
  db.pragma('wal_autocheckpoint = 4000');
  db.pragma('journal_size_limit = 67108864');
  const fd = openSync(wal, 'r');
  let closed = false;
  const fsyncOnce = () =>
    new Promise<void>((resolve, reject) => {
      if (closed) resolve();
      else fsync(fd, (err) => (err ? reject(err) : resolve()));
    });
  // At most one fsync runs; commits made meanwhile share the one that follows it.
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const sync = (): Promise<void> => {
    if (!running) {
      running = fsyncOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    next ??= running.then(
      () => ((next = undefined), sync()),
      () => ((next = undefined), sync()),
    );
    return next;
  };
  return {
    sync,
    close: () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
