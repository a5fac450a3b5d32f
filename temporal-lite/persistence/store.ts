// The SQL behind the engine's state: runs, their events and pending items, namespaces.
// All writes are synchronous better-sqlite3 statements; the committer wraps them (and the
// visibility module's writes) in one transaction per event-loop turn.
import type Database from 'better-sqlite3';
import { encodeHistory, splitHistory } from '../grpc/history-bytes.js';
import { fromJson, toJson } from './json-codec.js';

export interface StoredRunRow {
  pk: number;
  runId: string;
  /** The run's changing state (plain JSON). */
  state: string;
  /** Memo and search attributes (JSON with payload bytes), written when they change. */
  props: string | null;
}

interface EventBatchRow {
  first: number;
  data: Buffer;
}

const RUN_COLUMNS = 'pk, run_id AS runId, state, props';

export interface StoredItem {
  kind: string;
  key: string;
  data: string;
}

export class Store {
  private readonly s: ReturnType<Store['prepare']>;

  constructor(readonly db: Database.Database) {
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      maxPk: db.prepare('SELECT COALESCE(MAX(pk), 0) AS pk FROM runs'),
      insertRun: db.prepare('INSERT INTO runs (pk, namespace, workflow_id, run_id, open, state, props) VALUES (?, ?, ?, ?, 1, ?, ?)'),
      // Separate statements so that SQLite maintains the indexes on open/close_time only at close.
      updateState: db.prepare('UPDATE runs SET state = ? WHERE pk = ?'),
      closeRun: db.prepare('UPDATE runs SET open = 0, close_time = ?, state = ? WHERE pk = ?'),
      updateProps: db.prepare('UPDATE runs SET props = ? WHERE pk = ?'),
      openRuns: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE open = 1 ORDER BY pk`),
      runByRunId: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`),
      latestRun: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE namespace = ? AND workflow_id = ? ORDER BY pk DESC LIMIT 1`),
      insertEvents: db.prepare('INSERT INTO event_batches (run_pk, first_event_id, data) VALUES (?, ?, ?)'),
      // From the batch holding event `from` (the last one starting at or before it) onwards.
      batchesFrom: db.prepare(
        `SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = @pk AND first_event_id >=
           COALESCE((SELECT MAX(first_event_id) FROM event_batches WHERE run_pk = @pk AND first_event_id <= @from), 0)
         ORDER BY first_event_id`,
      ),
      batchesBefore: db.prepare('SELECT first_event_id AS first, data FROM event_batches WHERE run_pk = ? AND first_event_id <= ? ORDER BY first_event_id DESC'),
      upsertItem: db.prepare('INSERT OR REPLACE INTO run_items (run_pk, kind, key, data) VALUES (?, ?, ?, ?)'),
      deleteItem: db.prepare('DELETE FROM run_items WHERE run_pk = ? AND kind = ? AND key = ?'),
      items: db.prepare('SELECT kind, key, data FROM run_items WHERE run_pk = ?'),
      deleteItems: db.prepare('DELETE FROM run_items WHERE run_pk = ?'),
      deleteEvents: db.prepare('DELETE FROM event_batches WHERE run_pk = ?'),
      deleteRun: db.prepare('DELETE FROM runs WHERE pk = ?'),
      closedBefore: db.prepare(
        'SELECT pk, workflow_id AS workflowId, run_id AS runId FROM runs WHERE open = 0 AND close_time < ? AND namespace = ? ORDER BY close_time LIMIT ?',
      ),
      namespaces: db.prepare('SELECT data FROM namespaces ORDER BY name'),
      upsertNamespace: db.prepare('INSERT OR REPLACE INTO namespaces (name, data) VALUES (?, ?)'),
    };
  }

  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  maxRunPk(): number {
    return (this.s.maxPk.get() as { pk: number }).pk;
  }

  /** A new (open) run. */
  insertRun(pk: number, namespace: string, workflowId: string, runId: string, state: string, props: string): void {
    this.s.insertRun.run(pk, namespace, workflowId, runId, state, props);
  }

  updateRunState(pk: number, state: string): void {
    this.s.updateState.run(state, pk);
  }

  closeRun(pk: number, closeTime: number, state: string): void {
    this.s.closeRun.run(closeTime, state, pk);
  }

  updateRunProps(pk: number, props: string): void {
    this.s.updateProps.run(props, pk);
  }

  openRuns(): StoredRunRow[] {
    return this.s.openRuns.all() as StoredRunRow[];
  }

  runByRunId(runId: string): StoredRunRow | undefined {
    return this.s.runByRunId.get(runId) as StoredRunRow | undefined;
  }

  latestRun(namespace: string, workflowId: string): StoredRunRow | undefined {
    return this.s.latestRun.get(namespace, workflowId) as StoredRunRow | undefined;
  }

  /** Stores encoded events `firstEventId`, `firstEventId + 1`, … as one row. */
  appendEvents(runPk: number, firstEventId: number, events: Buffer[]): void {
    this.s.insertEvents.run(runPk, firstEventId, encodeHistory(events));
  }

  /** Up to `limit` encoded events with id ≥ fromEventId, ascending. */
  readEvents(runPk: number, fromEventId: number, limit: number): Buffer[] {
    const out: Buffer[] = [];
    for (const batch of this.s.batchesFrom.iterate({ pk: runPk, from: fromEventId }) as IterableIterator<EventBatchRow>) {
      const events = splitHistory(batch.data);
      for (let i = Math.max(0, fromEventId - batch.first); i < events.length && out.length < limit; i++) out.push(events[i]);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Up to `limit` encoded events with id ≤ toEventId, descending. */
  readEventsReverse(runPk: number, toEventId: number, limit: number): Buffer[] {
    const out: Buffer[] = [];
    for (const batch of this.s.batchesBefore.iterate(runPk, toEventId) as IterableIterator<EventBatchRow>) {
      const events = splitHistory(batch.data);
      for (let i = Math.min(events.length, toEventId - batch.first + 1) - 1; i >= 0 && out.length < limit; i--) out.push(events[i]);
      if (out.length >= limit) break;
    }
    return out;
  }

  putItem(runPk: number, kind: string, key: string, value: object): void {
    this.s.upsertItem.run(runPk, kind, key, toJson(value));
  }

  deleteItem(runPk: number, kind: string, key: string): void {
    this.s.deleteItem.run(runPk, kind, key);
  }

  items(runPk: number): StoredItem[] {
    return this.s.items.all(runPk) as StoredItem[];
  }

  /** Removes a run with its history and items. */
  deleteRun(runPk: number): void {
    this.s.deleteItems.run(runPk);
    this.s.deleteEvents.run(runPk);
    this.s.deleteRun.run(runPk);
  }

  /** Closed runs of a namespace that closed before `closeTime`, oldest first. */
  closedBefore(namespace: string, closeTime: number, limit: number): Array<{ pk: number; workflowId: string; runId: string }> {
    return this.s.closedBefore.all(closeTime, namespace, limit) as Array<{ pk: number; workflowId: string; runId: string }>;
  }

  namespaces<T>(): T[] {
    return (this.s.namespaces.all() as Array<{ data: string }>).map((r) => fromJson<T>(r.data));
  }

  putNamespace(name: string, value: object): void {
    this.s.upsertNamespace.run(name, toJson(value));
  }
}
