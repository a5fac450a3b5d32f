// A workflow run held in memory while it is open: its persisted state, its encoded history,
// and the runtime-only bookkeeping (clock handles, waiters) that is rebuilt on recovery.
import type { TimerHandle } from '../clock/virtual-clock.js';
import type { EventAttributes, EventType, Payloads, WorkflowQuery } from '../grpc/api.js';
import type { CommitParticipant } from '../persistence/committer.js';
import type { Store } from '../persistence/store.js';
import { bufferedEventJson, itemJson, propsJson, restoreItem, stateJson } from './run-record.js';
import type { ActivityState, BufferedEvent, ChildState, ExecutionRef, ExternalRequestState, ItemKind, RunCore, TimerState, UpdateState } from './types.js';

/** The answer to QueryWorkflow. */
export interface QueryAnswer {
  queryResult?: Payloads;
}

export interface PendingQuery {
  id: string;
  query: WorkflowQuery;
  resolve: (answer: QueryAnswer) => void;
  reject: (err: Error) => void;
}

export class Run implements CommitParticipant {
  readonly activities = new Map<number, ActivityState>();
  readonly timers = new Map<string, TimerState>();
  readonly children = new Map<number, ChildState>();
  readonly externals = new Map<number, ExternalRequestState>();
  readonly updates = new Map<string, UpdateState>();

  /** Events that arrived while a workflow task was in flight, oldest first. */
  buffered: BufferedEvent[] = [];

  // persistence bookkeeping
  private persistedEvents: number;
  private readonly persistedBuffer = new Set<number>();
  private bufferDirty = false;
  private rowWritten: boolean;
  private closeWritten: boolean;
  private coreDirty = false;
  private propsDirty = false;
  private readonly dirtyItems = new Map<string, [ItemKind, string]>();

  // runtime only
  readonly handles = new Map<string, TimerHandle>();
  readonly historyWaiters = new Set<() => void>();
  readonly updateWaiters = new Map<string, Set<() => void>>();
  /** Queries attached to the scheduled workflow task (the `queries` map). */
  wftQueries: PendingQuery[] = [];
  /** Queries waiting for the in-flight workflow task to finish. */
  waitingQueries: PendingQuery[] = [];
  /** The scheduled workflow task waits for a query task of this run to be answered. */
  wftHeld = false;

  constructor(
    public core: RunCore,
    readonly events: Buffer[],
    private readonly store: Store,
    persisted: boolean,
  ) {
    this.persistedEvents = persisted ? events.length : 0;
    this.rowWritten = persisted;
    this.closeWritten = persisted && !this.open;
  }

  get ref(): ExecutionRef {
    return { namespace: this.core.namespace, workflowId: this.core.workflowId, runId: this.core.runId };
  }

  get open(): boolean {
    return this.core.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING';
  }

  get nextEventId(): number {
    return this.events.length + 1;
  }

  /** Marks the persisted core (not the items) as changed. */
  touch(): void {
    this.coreDirty = true;
  }

  /** Marks the memo or search attributes as changed. */
  touchProps(): void {
    this.propsDirty = true;
  }

  /** Marks one item as changed (or deleted, if it is no longer in its map). */
  touchItem(kind: ItemKind, key: string | number): void {
    const keyText = String(key);
    this.dirtyItems.set(`${kind}:${keyText}`, [kind, keyText]);
  }

  /** Holds an event back until the in-flight workflow task completes. */
  bufferEvent<T extends EventType>(type: T, attrs: EventAttributes<T>, time: number): void {
    const seq = (this.core.bufferSeq ?? 0) + 1;
    this.core.bufferSeq = seq;
    const event: BufferedEvent<T> = { seq, type, attrs, time };
    this.buffered.push(event);
    this.bufferDirty = true;
    this.touch();
  }

  /** Removes and returns the buffered events. */
  takeBuffered(): BufferedEvent[] {
    const taken = this.buffered;
    this.buffered = [];
    if (taken.length) this.bufferDirty = true;
    return taken;
  }

  removeBuffered(index: number): void {
    this.buffered.splice(index, 1);
    this.bufferDirty = true;
  }

  /** Drops every pending activity, timer, child and external request (the run closed); returns the children. */
  clearPendingItems(): ChildState[] {
    const children = [...this.children.values()];
    for (const [kind, map] of [
      ['activity', this.activities],
      ['timer', this.timers],
      ['child', this.children],
      ['external', this.externals],
    ] as const) {
      for (const key of map.keys()) this.touchItem(kind, key);
      map.clear();
    }
    return children;
  }

  /** Puts an item read from storage back (recovery). */
  restoreItem(kind: string, key: string, data: string): void {
    const buffered = restoreItem(this, kind, key, data);
    if (!buffered) return;
    this.buffered.push(buffered);
    this.buffered.sort((x, y) => x.seq - y.seq);
    this.persistedBuffer.add(buffered.seq);
  }

  write(): void {
    const core = this.core;
    if (!this.rowWritten) {
      this.store.insertRun(core.pk, core.namespace, core.workflowId, core.runId, stateJson(core), propsJson(core));
      this.rowWritten = true;
      this.propsDirty = false;
      // The row goes in open; a run that already closed is closed by the update below.
      this.coreDirty = !this.open;
    }
    if (this.propsDirty) {
      this.store.updateRunProps(core.pk, propsJson(core));
      this.propsDirty = false;
    }
    if (this.coreDirty) this.writeCore();
    if (this.persistedEvents < this.events.length) {
      this.store.appendEvents(core.pk, this.persistedEvents + 1, this.events.slice(this.persistedEvents));
      this.persistedEvents = this.events.length;
    }
    for (const [kind, key] of this.dirtyItems.values()) {
      const data = itemJson(this, kind, key);
      if (data !== undefined) this.store.putItem(core.pk, kind, key, data);
      else this.store.deleteItem(core.pk, kind, key);
    }
    this.dirtyItems.clear();
    if (this.bufferDirty) this.writeBuffer();
  }

  private writeCore(): void {
    const core = this.core;
    if (this.open || this.closeWritten) this.store.updateRunState(core.pk, stateJson(core));
    else if (core.closeTime !== undefined) this.store.closeRun(core.pk, core.closeTime, stateJson(core));
    else throw new Error(`run ${core.runId} is closed without a close time`);
    this.closeWritten = !this.open;
    this.coreDirty = false;
  }

  /** Buffered events are items of their own, so a long buffer is not rewritten on every change. */
  private writeBuffer(): void {
    const pk = this.core.pk;
    const present = new Set<number>();
    for (const event of this.buffered) {
      present.add(event.seq);
      if (this.persistedBuffer.has(event.seq)) continue;
      this.store.putItem(pk, 'buffer', String(event.seq), bufferedEventJson(event));
      this.persistedBuffer.add(event.seq);
    }
    for (const seq of this.persistedBuffer) {
      if (present.has(seq)) continue;
      this.store.deleteItem(pk, 'buffer', String(seq));
      this.persistedBuffer.delete(seq);
    }
    this.bufferDirty = false;
  }
}
