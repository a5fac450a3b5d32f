import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { batchProgressSignal } from '../workflows/batch-messages.js';
import type { SeqRange } from '../src/registry/job-records.js';
import type { BatchCounts, BatchProgress } from '../workflows/types.js';

/** Delivers a batch's progress to the workflow running the batch. */
export type SignalBatchProgress = (workflowId: string, progress: BatchProgress) => Promise<void>;

/** Through a Temporal client: a batchProgressSignal to the workflow (its current run). */
export const signalBatchProgressWith =
  (client: Client): SignalBatchProgress =>
  (workflowId, progress) =>
    client.workflow.getHandle(workflowId).signal(batchProgressSignal, progress);

/** How often a batch may tell its progress. */
export interface BatchProgressLimits {
  /** Signals per batch, at most. */
  updates: number;
  /** Not more often than this (ms). */
  intervalMs: number;
}

/**
 * A batch's progress to the workflow running it, bounded so that the workflow's history stays
 * bounded: once per 1/updates of the batch's devices and not more often than intervalMs, only on
 * the batch's first attempt (a retry's devices show when it ends), and never for its last devices
 * (its result carries them). Progress is a hint: a signal that fails (the workflow ended) is dropped.
 */
export class BatchProgressReporter {
  /** The workflow running the batch (none for an activity run outside a workflow). */
  private readonly workflowId: string | undefined;
  private readonly step: number;
  private readonly intervalMs: number;
  private left: number;
  private lastFinished = 0;
  private lastAt = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly signal: SignalBatchProgress,
    private readonly range: SeqRange,
    limits: BatchProgressLimits,
  ) {
    const { workflowExecution, attempt } = Context.current().info;
    this.workflowId = workflowExecution?.workflowId;
    this.left = attempt === 1 ? limits.updates : 0;
    this.step = Math.max(1, Math.ceil((range.to - range.from) / Math.max(1, limits.updates)));
    this.intervalMs = limits.intervalMs;
  }

  /** The outcomes written so far. */
  report(counts: BatchCounts): void {
    const finished = counts.succeeded + counts.failed;
    const now = Date.now();
    const { workflowId } = this;
    if (
      workflowId === undefined ||
      this.left === 0 ||
      finished - this.lastFinished < this.step ||
      finished >= this.range.to - this.range.from ||
      now - this.lastAt < this.intervalMs
    )
      return;
    this.left -= 1;
    this.lastFinished = finished;
    this.lastAt = now;
    const progress = { batch: this.range.from, ...counts };
    this.sending = this.sending.then(() => this.signal(workflowId, progress)).catch(() => undefined);
  }

  /** Resolves once every signal was sent (before the batch completes, so none trails its end). */
  delivered(): Promise<void> {
    return this.sending;
  }
}
