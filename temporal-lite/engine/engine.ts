// The engine's shared context: clock, storage, task queues, run index, namespaces and
// visibility. The behaviour lives in the modules next to this one, which take an Engine.
import type { VirtualClock } from '../clock/virtual-clock.js';
import type { Failure, Payloads, SearchAttributes } from '../grpc/api.js';
import type { Logger } from '../logger.js';
import { Matching } from '../matching/matching.js';
import type { Committer } from '../persistence/committer.js';
import type { Store } from '../persistence/store.js';
import { NamespaceRegistry } from './namespaces.js';
import type { PendingQuery, Run } from './run.js';
import { RunIndex } from './run-index.js';
import type { RunCore } from './types.js';
import { VisibilityWriter, type VisibilitySink } from './visibility-port.js';

/** A query waiting for a legacy query task to be answered. */
export interface LegacyQuery extends PendingQuery {
  namespace: string;
  runId: string;
  /** Fails the query when no worker answers in time. */
  expiry: NodeJS.Timeout;
}

export type WorkflowTaskRef = { kind: 'wft'; runId: string; dispatch: number } | { kind: 'query'; query: LegacyQuery };
export interface ActivityTaskRef {
  runId: string;
  scheduledEventId: number;
  attempt: number;
}

/** A chain of runs that has ended (not continued as new nor retried), with its result or failure. */
export interface ClosedRun {
  core: RunCore;
  result?: Payloads;
  failure?: Failure;
}

export interface EngineConfig {
  clock: VirtualClock;
  store: Store;
  committer: Committer;
  logger: Logger;
  visibility: VisibilitySink;
  /** How long an empty long poll waits before answering empty (Core's deadline is 70 s). */
  pollTimeoutMs: number;
  /** How long a history long poll waits before answering empty so the client re-polls. */
  historyPollTimeoutMs: number;
  /** How long a query task may wait for a worker's answer. */
  queryTaskTimeoutMs: number;
  /** Extra checks of search attributes at start/upsert (from the visibility module). */
  validateSearchAttributes?: (namespace: string, searchAttributes: SearchAttributes | null | undefined) => void;
  /** Valid search attributes with their registered types in payload metadata. */
  typeSearchAttributes?: (namespace: string, searchAttributes: SearchAttributes) => SearchAttributes;
}

export class Engine {
  readonly clock: VirtualClock;
  readonly store: Store;
  readonly committer: Committer;
  readonly logger: Logger;
  readonly runs: RunIndex;
  readonly namespaces: NamespaceRegistry;
  readonly visibility: VisibilityWriter;
  readonly matching = new Matching<WorkflowTaskRef, ActivityTaskRef>();
  readonly legacyQueries = new Map<string, LegacyQuery>();
  readonly pollTimeoutMs: number;
  readonly historyPollTimeoutMs: number;
  readonly queryTaskTimeoutMs: number;
  readonly validateSearchAttributes: (namespace: string, searchAttributes: SearchAttributes | null | undefined) => void;
  private readonly typeAttributes: (namespace: string, searchAttributes: SearchAttributes) => SearchAttributes;
  private taskIdCounter = Date.now() * 1000;
  private readonly closeListeners: Array<(closed: ClosedRun) => void> = [];
  closed = false;

  constructor(config: EngineConfig) {
    this.clock = config.clock;
    this.store = config.store;
    this.committer = config.committer;
    this.logger = config.logger;
    this.pollTimeoutMs = config.pollTimeoutMs;
    this.historyPollTimeoutMs = config.historyPollTimeoutMs;
    this.queryTaskTimeoutMs = config.queryTaskTimeoutMs;
    this.validateSearchAttributes = config.validateSearchAttributes ?? (() => undefined);
    this.typeAttributes = config.typeSearchAttributes ?? ((_namespace, searchAttributes) => searchAttributes);
    this.runs = new RunIndex(config.store);
    this.namespaces = new NamespaceRegistry(config.store, config.committer);
    this.visibility = new VisibilityWriter(config.visibility, config.committer);
    this.committer.onCommitted(() => {
      this.runs.evictCommitted();
      this.clock.requestSkipCheck();
    });
    this.clock.setWorkProbe((enough) => this.outstandingWork(enough));
  }

  typeSearchAttributes(namespace: string, searchAttributes: SearchAttributes | undefined): SearchAttributes | undefined {
    return searchAttributes?.indexedFields ? this.typeAttributes(namespace, searchAttributes) : searchAttributes;
  }

  /** Calls `listener` whenever a run closes without continuing (schedules follow the runs they start). */
  onRunClosed(listener: (closed: ClosedRun) => void): void {
    this.closeListeners.push(listener);
  }

  runClosed(closed: ClosedRun): void {
    for (const listener of this.closeListeners) {
      try {
        listener(closed);
      } catch (err) {
        this.logger.error(`run close listener failed for ${closed.core.workflowId}: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  nextTaskId(): number {
    return ++this.taskIdCounter;
  }

  /** Arms the run's timer named `key` (replacing an earlier one) on the virtual clock. */
  setTimer(run: Run, key: string, at: number, fire: () => void): void {
    this.clock.cancel(run.handles.get(key));
    const handle = this.clock.schedule(at, () => {
      if (run.handles.get(key) !== handle) return;
      run.handles.delete(key);
      if (this.closed) return;
      try {
        fire();
      } catch (err) {
        this.logger.error(`timer ${key} of ${run.core.workflowId}/${run.core.runId} failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    });
    run.handles.set(key, handle);
  }

  clearTimer(run: Run, key: string): void {
    this.clock.cancel(run.handles.get(key));
    run.handles.delete(key);
  }

  clearAllTimers(run: Run): void {
    for (const handle of run.handles.values()) this.clock.cancel(handle);
    run.handles.clear();
  }

  /** Pieces of work that each hold a time-skipping clock (scheduled/running workflow tasks, activities, queries), counted up to `enough`. */
  outstandingWork(enough = Infinity): number {
    let count = this.legacyQueries.size;
    for (const run of this.runs.openRuns()) {
      if (count >= enough) return count;
      if (run.core.wft && !(run.core.wft.notBefore && run.core.wft.notBefore > this.clock.now())) count++;
      for (const activity of run.activities.values()) if (activity.phase !== 'backoff') count++;
    }
    return count;
  }
}
