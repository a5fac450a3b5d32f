// Runs the schedules: on each wake-up (a spec time on the virtual clock, a change by RPC, a
// started workflow closing) it turns the spec times since the last wake-up into buffered
// starts, applies the overlap policy to the buffer, starts what may start, and arms the clock
// for the next spec time. The processing follows Temporal's scheduler
// (docs.temporal.io/workflows#schedule): catch-up window, pause, remaining actions,
// pause-on-failure, and the last completion result handed to the next run.
import { durationMs } from '../clock/time.js';
import type { TimerHandle } from '../clock/virtual-clock.js';
import type { WorkflowExecution } from '../grpc/api.js';
import { RpcError } from '../grpc/errors.js';
import type { ClosedRun, Engine } from '../engine/engine.js';
import { startScheduledWorkflow, stopRunning } from './actions.js';
import { decideBuffer } from './buffer.js';
import { compileSpec, type CompiledSpec } from './spec.js';
import { key, type ScheduleStore } from './store.js';
import type { BufferedStart, OverlapPolicy, ScheduleActionResult, ScheduleRecord } from './types.js';

const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600_000;
const MIN_CATCHUP_WINDOW_MS = 10_000;
const MAX_BUFFER_SIZE = 1000;
const RECENT_ACTIONS = 10;
/** Spec times one wake-up goes through; more (a long outage of a frequent spec) continue in the next turn. */
const TIMES_PER_WAKE = 10_000;

/** A schedule in memory: its record, compiled spec and pending wake-ups. */
export interface LiveSchedule {
  record: ScheduleRecord;
  spec: CompiledSpec;
  timer?: TimerHandle;
  queuedWake?: TimerHandle;
}

export function catchupWindowMs(record: ScheduleRecord): number {
  const window = record.schedule.policies?.catchupWindow;
  return window ? Math.max(durationMs(window), MIN_CATCHUP_WINDOW_MS) : DEFAULT_CATCHUP_WINDOW_MS;
}

export function overlapPolicy(record: ScheduleRecord, policy?: OverlapPolicy): OverlapPolicy {
  if (policy && policy !== 'SCHEDULE_OVERLAP_POLICY_UNSPECIFIED') return policy;
  const configured = record.schedule.policies?.overlapPolicy;
  return configured && configured !== 'SCHEDULE_OVERLAP_POLICY_UNSPECIFIED' ? configured : 'SCHEDULE_OVERLAP_POLICY_SKIP';
}

/** Whether a start may be taken now (with `consume`, counting it against the remaining actions). */
function mayAct(record: ScheduleRecord, manual: boolean, consume: boolean): boolean {
  if (manual) return true;
  const state = record.schedule.state ?? {};
  if (state.paused) return false;
  if (!state.limitedActions) return true;
  if ((state.remainingActions ?? 0) <= 0) return false;
  if (consume) {
    state.remainingActions = (state.remainingActions ?? 0) - 1;
    record.conflictToken++;
  }
  return true;
}

export const jitterSeed = (record: ScheduleRecord, namespaceId: string) => `${namespaceId}-${record.scheduleId}`;

export class ScheduleRunner {
  private readonly schedules = new Map<string, LiveSchedule>();

  constructor(
    private readonly engine: Engine,
    private readonly store: ScheduleStore,
  ) {
    engine.onRunClosed((closed) => this.runClosed(closed));
  }

  /** Loads the stored schedules, notes workflows that closed meanwhile and catches up on missed times. */
  recover(): number {
    const records = this.store.load();
    for (const record of records) {
      const live = this.add(record);
      for (const execution of [...record.runningWorkflows]) {
        const view = this.engine.runs.find(record.namespace, execution.workflowId ?? '');
        const open = view?.live?.open && view.core.firstRunId === execution.runId;
        if (!open) this.noteClosed(live, execution, view?.core.status ?? 'WORKFLOW_EXECUTION_STATUS_TERMINATED');
      }
      this.wake(live);
    }
    return records.length;
  }

  get(namespace: string, scheduleId: string): LiveSchedule | undefined {
    return this.schedules.get(key(namespace, scheduleId));
  }

  list(namespace: string): LiveSchedule[] {
    return [...this.schedules.values()]
      .filter((live) => live.record.namespace === namespace)
      .sort((a, b) => (a.record.scheduleId < b.record.scheduleId ? -1 : 1));
  }

  /** Adds a new schedule (its spec already valid) and runs it. */
  create(record: ScheduleRecord): LiveSchedule {
    const live = this.add(record);
    this.changed(live);
    return live;
  }

  /** Saves a change made to the schedule's record and runs it again (a new spec is recompiled). */
  changed(live: LiveSchedule): void {
    live.spec = compileSpec(live.record.schedule.spec ?? {}, this.seed(live.record));
    this.wake(live);
  }

  delete(live: LiveSchedule): void {
    this.engine.clock.cancel(live.timer);
    this.engine.clock.cancel(live.queuedWake);
    this.schedules.delete(key(live.record.namespace, live.record.scheduleId));
    this.store.delete(live.record.namespace, live.record.scheduleId);
  }

  /** Buffers a start at `time` (trigger immediately; now unless the request names the time). */
  trigger(live: LiveSchedule, policy: OverlapPolicy | undefined, time = this.engine.clock.now()): void {
    this.addStart(live, { nominalTime: time, actualTime: time, overlapPolicy: policy, manual: true });
  }

  /** Buffers the spec times in [start, end] (backfill: inclusive start, no catch-up window). */
  backfill(live: LiveSchedule, start: number, end: number, policy: OverlapPolicy | undefined): void {
    this.processTimeRange(live, start - 1, end, policy, true);
  }

  private seed(record: ScheduleRecord): string {
    return jitterSeed(record, this.engine.namespaces.get(record.namespace).id);
  }

  private add(record: ScheduleRecord): LiveSchedule {
    const live: LiveSchedule = { record, spec: compileSpec(record.schedule.spec ?? {}, this.seed(record)) };
    this.schedules.set(key(record.namespace, record.scheduleId), live);
    return live;
  }

  /** Runs the schedule up to now and arms the clock for its next spec time. */
  wake(live: LiveSchedule): void {
    if (this.engine.closed || this.get(live.record.namespace, live.record.scheduleId) !== live) return;
    const record = live.record;
    const now = this.engine.clock.now();
    const { next, last, more } = this.processTimeRange(live, record.lastProcessedTime, now, undefined, false);
    record.lastProcessedTime = Math.max(record.lastProcessedTime, last);
    while (this.processBuffer(live));
    this.store.save(record);
    this.engine.clock.cancel(live.timer);
    live.timer = undefined;
    if (more) this.queueWake(live);
    else if (next !== undefined && mayAct(record, false, false)) {
      live.timer = this.engine.clock.schedule(next, () => {
        live.timer = undefined;
        this.wake(live);
      });
    }
  }

  /** Wakes the schedule soon, before the clock moves on (after a run it follows closed). */
  private queueWake(live: LiveSchedule): void {
    if (live.queuedWake) return;
    live.queuedWake = this.engine.clock.schedule(this.engine.clock.now(), () => {
      live.queuedWake = undefined;
      this.wake(live);
    });
  }

  /**
   * Buffers the spec times in (start, end]. Scheduled (not manual) ones older than the catch-up
   * window are counted as missed; none are taken while paused or out of actions. Returns the
   * first spec time after `end`, the last time dealt with, and whether times up to `end` are
   * left for another pass.
   */
  private processTimeRange(
    live: LiveSchedule,
    start: number,
    end: number,
    policy: OverlapPolicy | undefined,
    manual: boolean,
  ): { next?: number; last: number; more: boolean } {
    const record = live.record;
    if (!mayAct(record, manual, false)) return { next: live.spec.nextTime(end)?.next, last: end, more: false };
    const window = catchupWindowMs(record);
    let last = start;
    let time = live.spec.nextTime(start);
    for (let count = 0; time && time.next <= end; time = live.spec.nextTime(time.next), count++) {
      if (count === TIMES_PER_WAKE) return { last, more: true };
      // A backfill stops where the buffer is full.
      if (manual && record.buffer.length >= MAX_BUFFER_SIZE) {
        record.bufferDropped++;
        break;
      }
      last = time.next;
      // Times from before the last update belong to the old spec.
      if (!manual && record.updateTime !== undefined && record.updateTime > time.next) continue;
      if (!manual && end - time.next > window) {
        record.missedCatchupWindow++;
        continue;
      }
      this.addStart(live, { nominalTime: time.nominal, actualTime: time.next, overlapPolicy: policy, manual });
    }
    return { next: time?.next, last, more: false };
  }

  private addStart(live: LiveSchedule, start: BufferedStart): void {
    if (live.record.buffer.length >= MAX_BUFFER_SIZE) {
      live.record.bufferDropped++;
      return;
    }
    live.record.buffer.push(start);
  }

  /** Starts what the overlap policies allow; true if the buffer may allow more right away. */
  private processBuffer(live: LiveSchedule): boolean {
    const record = live.record;
    if (record.buffer.length === 0) return false;
    const decision = decideBuffer(record.buffer, record.runningWorkflows.length > 0, (policy) => overlapPolicy(record, policy));
    record.buffer = decision.buffer;
    record.overlapSkipped += decision.skipped;
    let again = false;
    const starts = [...decision.overlapping, ...(decision.nonOverlapping ? [decision.nonOverlapping] : [])];
    for (const start of starts) {
      const nonOverlapping = start === decision.nonOverlapping;
      // Dropped when paused or out of actions meanwhile.
      if (!mayAct(record, start.manual, true)) {
        again = true;
        continue;
      }
      try {
        this.recordAction(record, startScheduledWorkflow(this.engine, record, start, !nonOverlapping), nonOverlapping);
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        this.engine.logger.warn(`schedule ${record.scheduleId} could not start its workflow: ${err.message}`);
        again = true;
      }
    }
    if (decision.terminateRunning || decision.cancelRunning) {
      for (const execution of [...record.runningWorkflows]) stopRunning(this.engine, record, execution, decision.terminateRunning ? 'terminate' : 'cancel');
    }
    return again;
  }

  private recordAction(record: ScheduleRecord, result: ScheduleActionResult, tracked: boolean): void {
    record.actionCount++;
    record.recentActions = [...record.recentActions, result].slice(-RECENT_ACTIONS);
    if (tracked && result.startWorkflowResult) record.runningWorkflows.push(result.startWorkflowResult);
  }

  private runClosed(closed: ClosedRun): void {
    const { core } = closed;
    for (const live of this.schedules.values()) {
      const record = live.record;
      if (record.namespace !== core.namespace) continue;
      const execution = record.runningWorkflows.find((running) => running.workflowId === core.workflowId && running.runId === core.firstRunId);
      if (!execution) {
        this.noteStatus(record, { workflowId: core.workflowId, runId: core.firstRunId }, core.status);
        continue;
      }
      if (closed.result) {
        record.lastCompletionResult = closed.result;
        record.continuedFailure = undefined;
      } else if (closed.failure) {
        record.continuedFailure = closed.failure;
      }
      this.noteClosed(live, execution, core.status, closed.failure?.message);
      this.store.save(record);
      this.queueWake(live);
    }
  }

  /** A followed workflow has closed: it no longer runs; pause-on-failure may pause the schedule. */
  private noteClosed(live: LiveSchedule, execution: WorkflowExecution, status: ScheduleActionResult['startWorkflowStatus'], failureMessage = ''): void {
    const record = live.record;
    record.runningWorkflows = record.runningWorkflows.filter((running) => running !== execution);
    this.noteStatus(record, execution, status);
    const failed = status === 'WORKFLOW_EXECUTION_STATUS_FAILED' || status === 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT';
    const state = (record.schedule.state ??= {});
    if (record.schedule.policies?.pauseOnFailure && failed && !state.paused) {
      state.paused = true;
      state.notes =
        status === 'WORKFLOW_EXECUTION_STATUS_FAILED'
          ? `paused due to workflow failure: ${execution.workflowId}: ${failureMessage}`
          : `paused due to workflow timeout: ${execution.workflowId}`;
      record.conflictToken++;
    }
  }

  private noteStatus(record: ScheduleRecord, execution: WorkflowExecution, status: ScheduleActionResult['startWorkflowStatus']): void {
    const action = record.recentActions.find(
      (recent) => recent.startWorkflowResult?.workflowId === execution.workflowId && recent.startWorkflowResult?.runId === execution.runId,
    );
    if (!action) return;
    action.startWorkflowStatus = status;
    this.store.save(record);
  }
}
