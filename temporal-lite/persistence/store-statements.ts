// The engine's SQL, each statement with its parameter and row types.
import type Database from 'better-sqlite3';
import { command, query } from './statements.js';

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
    maxPk: query<[], { pk: number }>(db, 'SELECT COALESCE(MAX(pk), 0) AS pk FROM runs'),
    insertRun: command<[pk: number, namespace: string, workflowId: string, runId: string, state: string, props: string]>(
      db,
      'INSERT INTO runs (pk, namespace, workflow_id, run_id, open, state, props) VALUES (?, ?, ?, ?, 1, ?, ?)',
    ),
    // Separate statements so that SQLite maintains the indexes on open/close_time only at close.
    updateState: command<[state: string, pk: number]>(db, 'UPDATE runs SET state = ? WHERE pk = ?'),
    closeRun: command<[closeTime: number, state: string, pk: number]>(db, 'UPDATE runs SET open = 0, close_time = ?, state = ? WHERE pk = ?'),
    updateProps: command<[props: string, pk: number]>(db, 'UPDATE runs SET props = ? WHERE pk = ?'),
    openRuns: query<[], StoredRunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE open = 1 ORDER BY pk`),
    runByRunId: query<[runId: string], StoredRunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`),
    latestRun: query<[namespace: string, workflowId: string], StoredRunRow>(
      db,
      `SELECT ${RUN_COLUMNS} FROM runs WHERE namespace = ? AND workflow_id = ? ORDER BY pk DESC LIMIT 1`,
    ),
    insertEvents: command<[runPk: number, firstEventId: number, data: Buffer]>(db, 'INSERT INTO event_batches (run_pk, first_event_id, data) VALUES (?, ?, ?)'),
    // From the batch holding event `from` (the last one starting at or before it) onwards.
    batchesFrom: query<[{ pk: number; from: number }], EventBatchRow>(
      db,
      `SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = @pk AND first_event_id >=
         COALESCE((SELECT MAX(first_event_id) FROM event_batches WHERE run_pk = @pk AND first_event_id <= @from), 0)
       ORDER BY first_event_id`,
    ),
    batchesBefore: query<[runPk: number, toEventId: number], EventBatchRow>(
      db,
      'SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = ? AND first_event_id <= ? ORDER BY first_event_id DESC',
    ),
    upsertItem: command<[runPk: number, kind: string, key: string, data: string]>(db, 'INSERT OR REPLACE INTO run_items (run_pk, kind, key, data) VALUES (?, ?, ?, ?)'),
    deleteItem: command<[runPk: number, kind: string, key: string]>(db, 'DELETE FROM run_items WHERE run_pk = ? AND kind = ? AND key = ?'),
    items: query<[runPk: number], StoredItem>(db, 'SELECT kind, key, data FROM run_items WHERE run_pk = ?'),
    deleteItems: command<[runPk: number]>(db, 'DELETE FROM run_items WHERE run_pk = ?'),
    deleteEvents: command<[runPk: number]>(db, 'DELETE FROM event_batches WHERE run_pk = ?'),
    deleteRun: command<[runPk: number]>(db, 'DELETE FROM runs WHERE pk = ?'),
    closedBefore: query<[closeTime: number, namespace: string, limit: number], ExpiredRunRow>(
      db,
      'SELECT pk, workflow_id AS workflowId, run_id AS runId FROM runs WHERE open = 0 AND close_time < ? AND namespace = ? ORDER BY close_time LIMIT ?',
    ),
    namespaces: query<[], { data: string }>(db, 'SELECT data FROM namespaces ORDER BY name'),
    upsertNamespace: command<[name: string, data: string]>(db, 'INSERT OR REPLACE INTO namespaces (name, data) VALUES (?, ?)'),
  };
}
