// The engine's SQL, each statement with its parameter and row types.
import type Database from 'better-sqlite3';
import { preparedCommand, preparedQuery } from './statements.js';

export interface StoredRunRow {
  pk: number;
  runId: string;
  /** The run's changing state (plain JSON). */
  state: string;
  /** Memo and search attributes (JSON with payload bytes), written when they change. */
  props: string | null;
}

export interface EventBatchRow {
  first: number;
  data: Buffer;
}

export interface StoredItem {
  kind: string;
  key: string;
  data: string;
}

export interface ExpiredRunRow {
  pk: number;
  workflowId: string;
  runId: string;
}

const RUN_COLUMNS = 'pk, run_id AS runId, state, props';

export function prepareStoreStatements(db: Database.Database) {
  return {
    maxPk: preparedQuery<[], { pk: number }>(db, 'SELECT COALESCE(MAX(pk), 0) AS pk FROM runs'),
    insertRun: preparedCommand<[pk: number, namespace: string, workflowId: string, runId: string, state: string, props: string]>(
      db,
      'INSERT INTO runs (pk, namespace, workflow_id, run_id, open, state, props) VALUES (?, ?, ?, ?, 1, ?, ?)',
    ),
    // Separate statements so that SQLite maintains the indexes on open/close_time only at close.
    updateState: preparedCommand<[state: string, pk: number]>(db, 'UPDATE runs SET state = ? WHERE pk = ?'),
    closeRun: preparedCommand<[closeTime: number, state: string, pk: number]>(db, 'UPDATE runs SET open = 0, close_time = ?, state = ? WHERE pk = ?'),
    updateProps: preparedCommand<[props: string, pk: number]>(db, 'UPDATE runs SET props = ? WHERE pk = ?'),
    openRuns: preparedQuery<[], StoredRunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE open = 1 ORDER BY pk`),
    runByRunId: preparedQuery<[runId: string], StoredRunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`),
    latestRun: preparedQuery<[namespace: string, workflowId: string], StoredRunRow>(
      db,
      `SELECT ${RUN_COLUMNS} FROM runs WHERE namespace = ? AND workflow_id = ? ORDER BY pk DESC LIMIT 1`,
    ),
    insertEvents: preparedCommand<[runPk: number, firstEventId: number, data: Buffer]>(
      db,
      'INSERT INTO event_batches (run_pk, first_event_id, data) VALUES (?, ?, ?)',
    ),
    // From the batch holding event `from` (the last one starting at or before it) onwards.
    batchesFrom: preparedQuery<[{ pk: number; from: number }], EventBatchRow>(
      db,
      `SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = @pk AND first_event_id >=
         COALESCE((SELECT MAX(first_event_id) FROM event_batches WHERE run_pk = @pk AND first_event_id <= @from), 0)
       ORDER BY first_event_id`,
    ),
    batchesBefore: preparedQuery<[runPk: number, toEventId: number], EventBatchRow>(
      db,
      'SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = ? AND first_event_id <= ? ORDER BY first_event_id DESC',
    ),
    upsertItem: preparedCommand<[runPk: number, kind: string, key: string, data: string]>(
      db,
      'INSERT OR REPLACE INTO run_items (run_pk, kind, key, data) VALUES (?, ?, ?, ?)',
    ),
    deleteItem: preparedCommand<[runPk: number, kind: string, key: string]>(db, 'DELETE FROM run_items WHERE run_pk = ? AND kind = ? AND key = ?'),
    items: preparedQuery<[runPk: number], StoredItem>(db, 'SELECT kind, key, data FROM run_items WHERE run_pk = ?'),
    deleteItems: preparedCommand<[runPk: number]>(db, 'DELETE FROM run_items WHERE run_pk = ?'),
    deleteEvents: preparedCommand<[runPk: number]>(db, 'DELETE FROM event_batches WHERE run_pk = ?'),
    deleteRun: preparedCommand<[runPk: number]>(db, 'DELETE FROM runs WHERE pk = ?'),
    closedBefore: preparedQuery<[closeTime: number, namespace: string, limit: number], ExpiredRunRow>(
      db,
      'SELECT pk, workflow_id AS workflowId, run_id AS runId FROM runs WHERE open = 0 AND close_time < ? AND namespace = ? ORDER BY close_time LIMIT ?',
    ),
    namespaces: preparedQuery<[], { data: string }>(db, 'SELECT data FROM namespaces ORDER BY name'),
    upsertNamespace: preparedCommand<[name: string, data: string]>(db, 'INSERT OR REPLACE INTO namespaces (name, data) VALUES (?, ?)'),
  };
}
