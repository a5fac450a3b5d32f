// Where runs are found: open runs live in memory; closed runs are read back from SQLite on
// demand (they leave memory once their close is committed).
import type { Store, StoredRunRow } from '../persistence/store.js';
import type { Run } from './run.js';
import { decodeUpdate, restoreCore } from './run-record.js';
import type { RunCore, UpdateState } from './types.js';

/** Read access to any run's state and history, open or closed. */
export interface RunView {
  core: RunCore;
  /** The in-memory run while it is open (or closed but not yet evicted). */
  live?: Run;
  /** Up to `limit` encoded events with id ≥ from. */
  events(from: number, limit: number): Buffer[];
  /** Up to `limit` encoded events with id ≤ to, newest first. */
  eventsReverse(to: number, limit: number): Buffer[];
  /** Update state of a run (closed runs keep their completed updates). */
  update(updateId: string): UpdateState | undefined;
}

const workflowKey = (namespace: string, workflowId: string) => `${namespace}\u0000${workflowId}`;

export class RunIndex {
  private readonly byRunId = new Map<string, Run>();
  private readonly openByWorkflow = new Map<string, Run>();
  private readonly closing = new Set<Run>();
  private lastPk: number;

  constructor(private readonly store: Store) {
    this.lastPk = store.maxRunPk();
  }

  allocatePk(): number {
    return ++this.lastPk;
  }

  add(run: Run): void {
    this.byRunId.set(run.core.runId, run);
    if (run.open) this.openByWorkflow.set(workflowKey(run.core.namespace, run.core.workflowId), run);
  }

  /** Called when a run closes: it leaves the open index now and memory after the commit. */
  closed(run: Run): void {
    const key = workflowKey(run.core.namespace, run.core.workflowId);
    if (this.openByWorkflow.get(key) === run) this.openByWorkflow.delete(key);
    this.closing.add(run);
  }

  /** Drops closed runs whose close has been committed. */
  evictCommitted(): void {
    for (const run of this.closing) {
      if (this.byRunId.get(run.core.runId) === run) this.byRunId.delete(run.core.runId);
    }
    this.closing.clear();
  }

  openRuns(): IterableIterator<Run> {
    return this.openByWorkflow.values();
  }

  get openCount(): number {
    return this.openByWorkflow.size;
  }

  /** The open run of a workflow id, if any. */
  openRun(namespace: string, workflowId: string): Run | undefined {
    return this.openByWorkflow.get(workflowKey(namespace, workflowId));
  }

  /** In-memory run by run id (open, or closed and not yet evicted). */
  live(runId: string): Run | undefined {
    return this.byRunId.get(runId);
  }

  /** A run by id, or the latest run of the workflow id when runId is empty. */
  find(namespace: string, workflowId: string, runId?: string): RunView | undefined {
    if (runId) {
      const live = this.byRunId.get(runId);
      if (live) return live.core.namespace === namespace && live.core.workflowId === workflowId ? this.view(live) : undefined;
      const row = this.store.runByRunId(runId);
      const view = row && this.storedView(row);
      return view && view.core.namespace === namespace && view.core.workflowId === workflowId ? view : undefined;
    }
    const open = this.openRun(namespace, workflowId);
    if (open) return this.view(open);
    const row = this.store.latestRun(namespace, workflowId);
    if (!row) return undefined;
    const live = this.byRunId.get(row.runId);
    return live ? this.view(live) : this.storedView(row);
  }

  /** Loads a stored run's state by run id only (task tokens carry run ids). */
  findByRunId(runId: string): RunView | undefined {
    const live = this.byRunId.get(runId);
    if (live) return this.view(live);
    const row = this.store.runByRunId(runId);
    return row && this.storedView(row);
  }

  view(run: Run): RunView {
    return {
      core: run.core,
      live: run,
      events: (from, limit) => run.events.slice(from - 1, from - 1 + limit),
      eventsReverse: (to, limit) => {
        const out: Buffer[] = [];
        for (let i = Math.min(to, run.events.length) - 1; i >= 0 && out.length < limit; i--) out.push(run.events[i]);
        return out;
      },
      update: (id) => run.updates.get(id),
    };
  }

  private storedView(row: StoredRunRow): RunView {
    const core = restoreCore(row, this.store.readEvents(row.pk, 1, 1)[0]);
    let updates: Map<string, UpdateState> | undefined;
    return {
      core,
      events: (from, limit) => this.store.readEvents(row.pk, from, limit),
      eventsReverse: (to, limit) => this.store.readEventsReverse(row.pk, to, limit),
      update: (id) => {
        updates ??= new Map(
          this.store
            .items(row.pk)
            .filter((item) => item.kind === 'update')
            .map((item) => [item.key, decodeUpdate(item.data)]),
        );
        return updates.get(id);
      },
    };
  }

  clear(): void {
    this.byRunId.clear();
    this.openByWorkflow.clear();
    this.closing.clear();
  }
}
