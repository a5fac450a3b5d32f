// A workflow run held in memory while it is open: its persisted state, its encoded history,
// and the runtime-only bookkeeping (clock handles, waiters) that is rebuilt on recovery.
import type { TimerHandle } from '../clock/virtual-clock.js';
import type { Msg } from '../grpc/proto.js';
import type { CommitParticipant } from '../persistence/committer.js';
import type { Store } from '../persistence/store.js';
import type {
  ActivityState,
  BufferedEvent,
  ChildState,
  ExecutionRef,
  ExternalRequestState,
  ItemKind,
  RunCore,
  TimerState,
  UpdateState,
} from './types.js';
import { activityRecord, propsJson, restoreActivity, stateJson } from './run-record.js';

export interface PendingQuery {
  id: string;
  query: Msg;
  resolve: (result: Msg) => void;
  reject: (err: Error) => void;
}

type ItemMaps = {
  activity: Map<number, ActivityState>;
  timer: Map<string, TimerState>;
  child: Map<number, ChildState>;
  external: Map<number, ExternalRequestState>;
  update: Map<string, UpdateState>;
};

export class Run implements CommitParticipant {
  readonly activities = new Map<number, ActivityState>();
  readonly timers = new Map<string, TimerState>();
  readonly children = new Map<number, ChildState>();
  readonly externals = new Map<number, ExternalRequestState>();
  readonly updates = new Map<string, UpdateState>();
  private readonly maps: ItemMaps = {
    activity: this.activities,
    timer: this.timers,
    child: this.children,
    external: this.externals,
    update: this.updates,
  };

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
    const k = String(key);
    this.dirtyItems.set(`${kind}:${k}`, [kind, k]);
  }

  /** Holds an event back until the in-flight workflow task completes. */
  bufferEvent(type: string, attrs: Msg, time: number): void {
    const seq = (this.core.bufferSeq ?? 0) + 1;
    this.core.bufferSeq = seq;
    this.buffered.push({ seq, type, attrs, time });
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

  restoreItem(kind: ItemKind | 'buffer', key: string, value: object): void {
    if (kind === 'buffer') {
      const b = value as BufferedEvent;
      this.buffered.push(b);
      this.buffered.sort((x, y) => x.seq - y.seq);
      this.persistedBuffer.add(b.seq);
      return;
    }
    const restored = kind === 'activity' ? restoreActivity(value, this.events[Number(key) - 1]) : value;
    (this.maps[kind] as Map<string | number, object>).set(itemKey(kind, key), restored);
  }

  private item(kind: ItemKind, key: string): object | undefined {
    return (this.maps[kind] as Map<string | number, object>).get(itemKey(kind, key));
  }

  write(): void {
    const c = this.core;
    if (!this.rowWritten) {
      this.store.insertRun(c.pk, c.namespace, c.workflowId, c.runId, stateJson(c), propsJson(c));
      this.rowWritten = true;
      this.propsDirty = false;
      // The row goes in open; a run that already closed is closed by the update below.
      this.coreDirty = !this.open;
    }
    if (this.propsDirty) {
      this.store.updateRunProps(c.pk, propsJson(c));
      this.propsDirty = false;
    }
    if (this.coreDirty) {
      if (this.open || this.closeWritten) this.store.updateRunState(c.pk, stateJson(c));
      else this.store.closeRun(c.pk, c.closeTime!, stateJson(c));
      this.closeWritten = !this.open;
      this.coreDirty = false;
    }
    if (this.persistedEvents < this.events.length) {
      this.store.appendEvents(c.pk, this.persistedEvents + 1, this.events.slice(this.persistedEvents));
      this.persistedEvents = this.events.length;
    }
    for (const [kind, key] of this.dirtyItems.values()) {
      const value = this.item(kind, key);
      if (value) this.store.putItem(c.pk, kind, key, kind === 'activity' ? activityRecord(value as ActivityState) : value);
      else this.store.deleteItem(c.pk, kind, key);
    }
    this.dirtyItems.clear();
    if (this.bufferDirty) this.writeBuffer();
  }

  /** Buffered events are items of their own, so a long buffer is not rewritten on every change. */
  private writeBuffer(): void {
    const pk = this.core.pk;
    const present = new Set<number>();
    for (const b of this.buffered) {
      present.add(b.seq);
      if (this.persistedBuffer.has(b.seq)) continue;
      this.store.putItem(pk, 'buffer', String(b.seq), b);
      this.persistedBuffer.add(b.seq);
    }
    for (const seq of this.persistedBuffer) {
      if (present.has(seq)) continue;
      this.store.deleteItem(pk, 'buffer', String(seq));
      this.persistedBuffer.delete(seq);
    }
    this.bufferDirty = false;
  }
}

/** Items keyed by event id use numbers in memory, the others strings. */
function itemKey(kind: ItemKind, key: string): string | number {
  return kind === 'timer' || kind === 'update' ? key : Number(key);
}
