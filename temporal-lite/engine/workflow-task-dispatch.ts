// Scheduling workflow tasks and offering them on task queues: normal, transient (retries after
// failures, with backoff) and sticky (the worker that ran the last task), and holding them
// back while a query task of the run is out.
import { durationMs } from '../clock/time.js';
import type { EventAttributes, TaskQueue } from '../grpc/api.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { DEFAULT_STICKY_SCHEDULE_TO_START_MS, DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_RETRY_BACKOFF_MS } from './limits.js';
import type { Run } from './run.js';

export const normalQueue = (run: Run): TaskQueue => ({ name: run.core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' });

export function workflowTaskTimeoutMs(run: Run): number {
  return durationMs(run.core.start.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
}

export function scheduledAttributes(run: Run, attempt: number): EventAttributes<'WORKFLOW_TASK_SCHEDULED'> {
  return { taskQueue: normalQueue(run), startToCloseTimeout: run.core.start.workflowTaskTimeout, attempt };
}

/**
 * Makes sure a workflow task will run: schedules one, or notes that another is needed after
 * the one in flight, or turns a waiting transient task into a normal one (new events arrived).
 * With `hold`, a newly scheduled task is not offered on a queue: the caller starts it at once
 * (startHeldWorkflowTask, for eager workflow start).
 */
export function scheduleWorkflowTask(engine: Engine, run: Run, hold = false): void {
  if (!run.open) return;
  const wft = run.core.wft;
  if (wft) {
    if (wft.startedEventId !== undefined) {
      run.core.wftNeeded = true;
    } else if (wft.transient) {
      wft.transient = false;
      wft.scheduledTime = engine.clock.now();
      wft.scheduledEventId = appendEvent(engine, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttributes(run, wft.attempt));
      if (wft.notBefore) {
        wft.notBefore = undefined;
        dispatchWorkflowTask(engine, run);
      }
    }
    run.touch();
    return;
  }
  run.core.wft = {
    scheduledEventId: appendEvent(engine, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttributes(run, 1)),
    attempt: 1,
    transient: false,
    scheduledTime: engine.clock.now(),
    stickyQueue: run.core.stickyQueue,
    updateIds: [],
    dispatch: 0,
  };
  run.core.wftNeeded = false;
  run.touch();
  if (!hold) dispatchWorkflowTask(engine, run);
}

/** Schedules the next attempt after a failed or timed-out task (transient: no events yet). */
export function scheduleRetry(engine: Engine, run: Run, failedAttempt: number): void {
  const attempt = failedAttempt + 1;
  const backoff = attempt <= 2 ? 0 : Math.min(MAX_WORKFLOW_TASK_RETRY_BACKOFF_MS, 1000 * 2 ** (attempt - 3));
  const now = engine.clock.now();
  run.core.wft = {
    scheduledEventId: 0,
    attempt,
    transient: true,
    scheduledTime: now + backoff,
    updateIds: [],
    dispatch: 0,
    notBefore: backoff > 0 ? now + backoff : undefined,
  };
  run.core.wftNeeded = false;
  run.touch();
  dispatchWorkflowTask(engine, run);
}

/**
 * While a query task of a run is out, its workflow tasks wait: a worker that starts a newer task
 * before answering the query would fail the query as expired (its history is older).
 */
export function queryHoldsWorkflowTasks(engine: Engine, runId: string): boolean {
  for (const query of engine.legacyQueries.values()) if (query.runId === runId) return true;
  return false;
}

/** Offers the scheduled task on its queue (after its backoff, if any). */
export function dispatchWorkflowTask(engine: Engine, run: Run): void {
  const wft = run.core.wft;
  if (!wft || wft.startedEventId !== undefined) return;
  if (queryHoldsWorkflowTasks(engine, run.core.runId)) {
    run.wftHeld = true;
    return;
  }
  wft.dispatch++;
  const now = engine.clock.now();
  if (wft.notBefore && wft.notBefore > now) {
    engine.setTimer(run, 'wft', wft.notBefore, () => {
      wft.notBefore = undefined;
      dispatchWorkflowTask(engine, run);
    });
    return;
  }
  if (wft.stickyQueue) {
    const timeout = run.core.stickyTimeoutMs ?? DEFAULT_STICKY_SCHEDULE_TO_START_MS;
    engine.setTimer(run, 'wft', now + timeout, () => moveToNormalQueue(engine, run));
  } else {
    engine.clearTimer(run, 'wft');
  }
  const queue = wft.stickyQueue ?? run.core.taskQueue;
  engine.matching.workflowQueue(run.core.namespace, queue).offer({ kind: 'wft', runId: run.core.runId, dispatch: wft.dispatch });
}

/** The sticky worker did not pick the task up in time (or went away): use the normal queue. */
export function moveToNormalQueue(engine: Engine, run: Run): void {
  run.core.stickyQueue = undefined;
  const wft = run.core.wft;
  if (wft && wft.startedEventId === undefined && wft.stickyQueue) {
    wft.stickyQueue = undefined;
    run.touch();
    engine.committer.enlist(run);
    dispatchWorkflowTask(engine, run);
  }
}
