import type Database from 'better-sqlite3';
import { runMigrations, type Migration } from '../persistence/run-migrations.js';

// Visibility tables share the engine's database file but version themselves in their own
// table. Each entry brings the schema from version i to i+1: append, never edit a released one.
const MIGRATIONS: Migration[] = [
  `
  -- Custom search attributes per namespace. attr_id keys their values; AUTOINCREMENT so that
  -- an id is never reused after a removal.
  CREATE TABLE vis_search_attributes (
    attr_id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    UNIQUE (namespace, name)
  );

  -- One row per workflow run. Times are epoch milliseconds. close_order is close_time, or the
  -- largest integer while running, so that "running first, then latest closed" is one index.
  -- search_attributes: JSON {name: [type, value]} of the decoded values (what lists return).
  CREATE TABLE vis_executions (
    row_id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    workflow_type TEXT NOT NULL,
    task_queue TEXT NOT NULL,
    status INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    execution_time INTEGER NOT NULL,
    close_time INTEGER,
    close_order INTEGER NOT NULL,
    execution_duration INTEGER,
    history_length INTEGER,
    history_size_bytes INTEGER,
    state_transition_count INTEGER,
    parent_workflow_id TEXT,
    parent_run_id TEXT,
    root_workflow_id TEXT,
    root_run_id TEXT,
    memo TEXT,
    search_attributes TEXT,
    UNIQUE (namespace, run_id)
  );
  CREATE INDEX vis_by_default ON vis_executions (namespace, close_order DESC, start_time DESC, run_id);
  CREATE INDEX vis_by_workflow_id ON vis_executions (namespace, workflow_id, close_order DESC, start_time DESC, run_id);
  CREATE INDEX vis_by_workflow_type ON vis_executions (namespace, workflow_type, close_order DESC, start_time DESC, run_id);
  CREATE INDEX vis_by_status ON vis_executions (namespace, status, close_order DESC, start_time DESC, run_id);
  CREATE INDEX vis_by_task_queue ON vis_executions (namespace, task_queue, close_order DESC, start_time DESC, run_id);
  CREATE INDEX vis_by_start_time ON vis_executions (namespace, start_time);
  CREATE INDEX vis_by_execution_time ON vis_executions (namespace, execution_time);
  CREATE INDEX vis_by_parent ON vis_executions (namespace, parent_workflow_id) WHERE parent_workflow_id IS NOT NULL;
  CREATE INDEX vis_by_root ON vis_executions (namespace, root_workflow_id);

  -- Values of predefined and custom search attributes, one row per value (a KeywordList has one
  -- per element). v has no declared type, so SQLite keeps each value's own type: TEXT for
  -- Keyword/Text/KeywordList and canonical Datetime strings, INTEGER for Int and Bool, REAL for Double.
  CREATE TABLE vis_values (
    row_id INTEGER NOT NULL,
    attr_id INTEGER NOT NULL,
    v NOT NULL,
    PRIMARY KEY (row_id, attr_id, v)
  ) WITHOUT ROWID;
  CREATE INDEX vis_values_by_value ON vis_values (attr_id, v, row_id);

  -- Words of Text attributes (lower-cased, diacritics removed), for word matches.
  CREATE TABLE vis_text_tokens (
    row_id INTEGER NOT NULL,
    attr_id INTEGER NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (row_id, attr_id, token)
  ) WITHOUT ROWID;
  CREATE INDEX vis_text_tokens_by_token ON vis_text_tokens (attr_id, token, row_id);
  `,
];

/** Creates or upgrades the visibility tables; safe to call on every start. */
export function migrateVisibility(db: Database.Database): void {
  runMigrations(db, 'visibility_schema', MIGRATIONS, 'visibility schema');
}
