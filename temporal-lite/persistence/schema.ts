import type Database from 'better-sqlite3';
import { eventBatchesAndSlimRecords } from './migration-2.js';
import { runMigrations, type Migration } from './run-migrations.js';

// Each entry brings the schema from version i to i+1. Never edit a released entry; append.
const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE namespaces (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
  );
  -- One row per workflow run. state: the run's mutable state as JSON.
  CREATE TABLE runs (
    pk INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    open INTEGER NOT NULL,
    close_time INTEGER,
    state TEXT NOT NULL
  );
  CREATE INDEX runs_by_workflow ON runs(namespace, workflow_id, pk);
  CREATE INDEX runs_open ON runs(open) WHERE open = 1;
  CREATE INDEX runs_by_close_time ON runs(close_time) WHERE open = 0;
  -- History events, protobuf-encoded temporal.api.history.v1.HistoryEvent.
  CREATE TABLE events (
    run_pk INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_pk, event_id)
  ) WITHOUT ROWID;
  -- Pending parts of an open run's state (activities, timers, children, …), one row each.
  CREATE TABLE run_items (
    run_pk INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_pk, kind, key)
  ) WITHOUT ROWID;
  `,
  eventBatchesAndSlimRecords,
];

// The version lives in a table of its own: the visibility module shares this database file.
export function migrate(db: Database.Database): void {
  runMigrations(db, 'engine_schema', MIGRATIONS, 'database schema');
}
