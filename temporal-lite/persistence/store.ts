// The SQL behind the engine's state: runs, their events and pending items, namespaces.
// All writes are synchronous better-sqlite3 statements; the committer wraps them (and the
// visibility module's writes) in one transaction per event-loop turn. Stored state is JSON
// text here; the engine's run records (engine/run-record.ts) say what it holds.
import type Database from 'better-sqlite3';
import { encodeHistory, splitHistory } from '../grpc/history-bytes.js';
import { prepareStoreStatements, type ExpiredRunRow, type StoredItem, type StoredRunRow } from './store-statements.js';

export type { ExpiredRunRow, StoredItem, StoredRunRow } from './store-statements.js';

export class Store {
  private readonly statements: ReturnType<typeof prepareStoreStatements>;

  constructor(readonly db: Database.Database) {
    this.statements = prepareStoreStatements(db);
  }

  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  maxRunPk(): number {
    return this.statements.maxPk.get()?.pk ?? 0;
  }

  /** A new (open) run. */
  insertRun(pk: number, namespace: string, workflowId: string, runId: string, state: string, props: string): void {
    this.statements.insertRun.run(pk, namespace, workflowId, runId, state, props);
  }

  updateRunState(pk: number, state: string): void {
    this.statements.updateState.run(state, pk);
  }

  closeRun(pk: number, closeTime: number, state: string): void {
    this.statements.closeRun.run(closeTime, state, pk);
  }

  updateRunProps(pk: number, props: string): void {
    this.statements.updateProps.run(props, pk);
  }

  openRuns(): StoredRunRow[] {
    return this.statements.openRuns.all();
  }

  runByRunId(runId: string): StoredRunRow | undefined {
    return this.statements.runByRunId.get(runId);
  }

  latestRun(namespace: string, workflowId: string): StoredRunRow | undefined {
    return this.statements.latestRun.get(namespace, workflowId);
  }

  /** Stores encoded events `firstEventId`, `firstEventId + 1`, … as one row. */
  appendEvents(runPk: number, firstEventId: number, events: Buffer[]): void {
    this.statements.insertEvents.run(runPk, firstEventId, encodeHistory(events));
  }

  /** Up to `limit` encoded events with id ≥ fromEventId, ascending. */
  readEvents(runPk: number, fromEventId: number, limit: number): Buffer[] {
    const out: Buffer[] = [];
    for (const batch of this.statements.batchesFrom.iterate({ pk: runPk, from: fromEventId })) {
      const events = splitHistory(batch.data);
      for (let i = Math.max(0, fromEventId - batch.first); i < events.length && out.length < limit; i++) out.push(events[i]);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Up to `limit` encoded events with id ≤ toEventId, descending. */
  readEventsReverse(runPk: number, toEventId: number, limit: number): Buffer[] {
    const out: Buffer[] = [];
    for (const batch of this.statements.batchesBefore.iterate(runPk, toEventId)) {
      const events = splitHistory(batch.data);
      for (let i = Math.min(events.length, toEventId - batch.first + 1) - 1; i >= 0 && out.length < limit; i--) out.push(events[i]);
      if (out.length >= limit) break;
    }
    return out;
  }

  putItem(runPk: number, kind: string, key: string, data: string): void {
    this.statements.upsertItem.run(runPk, kind, key, data);
  }

  deleteItem(runPk: number, kind: string, key: string): void {
    this.statements.deleteItem.run(runPk, kind, key);
  }

  items(runPk: number): StoredItem[] {
    return this.statements.items.all(runPk);
  }

  /** Removes a run with its history and items. */
  deleteRun(runPk: number): void {
    this.statements.deleteItems.run(runPk);
    this.statements.deleteEvents.run(runPk);
    this.statements.deleteRun.run(runPk);
  }

  /** Closed runs of a namespace that closed before `closeTime`, oldest first. */
  closedBefore(namespace: string, closeTime: number, limit: number): ExpiredRunRow[] {
    return this.statements.closedBefore.all(closeTime, namespace, limit);
  }

  /** The stored namespace records (JSON). */
  namespaces(): string[] {
    return this.statements.namespaces.all().map((row) => row.data);
  }

  putNamespace(name: string, data: string): void {
    this.statements.upsertNamespace.run(name, data);
  }
}
