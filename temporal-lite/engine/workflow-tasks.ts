// Workflow task lifecycle: scheduling (normal, transient after failures, sticky), dispatch to
// task queues, start on poll (building the poll response), failure and timeouts.
import { randomUUID } from 'node:crypto';
import { durationMs, timestamp } from '../clock/time.js';
import { notFound } from '../grpc/errors.js';
import { packAny, type Msg } from '../grpc/proto.js';
import { RAW_HISTORY } from '../grpc/raw-history.js';
import type { Engine, WorkflowTaskRef } from './engine.js';
import { attributesField, encodeEvent } from './event-codec.js';
import { appendEvent, flushBuffered } from './history.js';
import {
  DEFAULT_STICKY_SCHEDULE_TO_START_MS,
  DEFAULT_WORKFLOW_TASK_TIMEOUT_MS,
  MAX_WORKFLOW_TASK_RETRY_BACKOFF_MS,
  SUGGEST_CONTINUE_AS_NEW_BYTES,
  SUGGEST_CONTINUE_AS_NEW_EVENTS,
} from './limits.js';
import { staleTaskError } from './lookup.js';
import { dispatchLegacyQuery, queryHoldsWorkflowTasks } from './queries.js';
import type { Run } from './run.js';
import { decodeToken, encodeToken } from './tokens.js';
import type { WorkflowTaskState } from './types.js';

export const normalQueue = (run: Run): Msg => ({ name: run.core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' });

export function workflowTaskTimeoutMs(run: Run): number {
  return durationMs(run.core.start.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
}

function scheduledAttrs(run: Run, attempt: number): Msg {
  return { taskQueue: normalQueue(run), startToCloseTimeout: run.core.start.workflowTaskTimeout, attempt };
}

/**
 * Makes sure a workflow task will run: schedules one, or notes that another is needed after
 * the one in flight, or turns a waiting transient task into a normal one (new events arrived).
 * With `hold`, a newly scheduled task is not offered on a queue: the caller starts it at once
 * (startHeldWorkflowTask, for eager workflow start).
 */
export function scheduleWorkflowTask(e: Engine, run: Run, hold = false): void {
  if (!run.open) return;
  const wft = run.core.wft;
  if (wft) {
    if (wft.startedEventId !== undefined) {
      run.core.wftNeeded = true;
    } else if (wft.transient) {
      wft.transient = false;
      wft.scheduledTime = e.clock.now();
      wft.scheduledEventId = appendEvent(e, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttrs(run, wft.attempt));
      if (wft.notBefore) {
        wft.notBefore = undefined;
        dispatchWorkflowTask(e, run);
      }
    }
    run.touch();
    return;
  }
  run.core.wft = {
    scheduledEventId: appendEvent(e, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttrs(run, 1)),
    attempt: 1,
    transient: false,
    scheduledTime: e.clock.now(),
    stickyQueue: run.core.stickyQueue,
    updateIds: [],
    dispatch: 0,
  };
  run.core.wftNeeded = false;
  run.touch();
  if (!hold) dispatchWorkflowTask(e, run);
}

/** Starts the task scheduled with `hold` for `identity`; returns its poll response. */
export function startHeldWorkflowTask(e: Engine, run: Run, identity: string): Msg {
  const wft = run.core.wft;
  const task = wft && claimWorkflowTask(e, { kind: 'wft', runId: run.core.runId, dispatch: wft.dispatch }, { identity, sticky: false });
  if (!task) throw new Error(`workflow ${run.core.workflowId} has no held workflow task to start`);
  return task;
}

/** Schedules the next attempt after a failed or timed-out task (transient: no events yet). */
function scheduleRetry(e: Engine, run: Run, failedAttempt: number): void {
  const attempt = failedAttempt + 1;
  const backoff = attempt <= 2 ? 0 : Math.min(MAX_WORKFLOW_TASK_RETRY_BACKOFF_MS, 1000 * 2 ** (attempt - 3));
  const now = e.clock.now();
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
  dispatchWorkflowTask(e, run);
}

/** Offers the scheduled task on its queue (after its backoff, if any). */
export function dispatchWorkflowTask(e: Engine, run: Run): void {
  const wft = run.core.wft;
  if (!wft || wft.startedEventId !== undefined) return;
  if (queryHoldsWorkflowTasks(e, run.core.runId)) {
    run.wftHeld = true;
    return;
  }
  wft.dispatch++;
  const now = e.clock.now();
  if (wft.notBefore && wft.notBefore > now) {
    e.setTimer(run, 'wft', wft.notBefore, () => {
      wft.notBefore = undefined;
      dispatchWorkflowTask(e, run);
    });
    return;
  }
  if (wft.stickyQueue) {
    const timeout = run.core.stickyTimeoutMs ?? DEFAULT_STICKY_SCHEDULE_TO_START_MS;
    e.setTimer(run, 'wft', now + timeout, () => moveToNormalQueue(e, run));
  } else {
    e.clearTimer(run, 'wft');
  }
  const queue = wft.stickyQueue ?? run.core.taskQueue;
  e.matching.workflowQueue(run.core.namespace, queue).offer({ kind: 'wft', runId: run.core.runId, dispatch: wft.dispatch });
}

/** The sticky worker did not pick the task up in time (or went away): use the normal queue. */
export function moveToNormalQueue(e: Engine, run: Run): void {
  run.core.stickyQueue = undefined;
  const wft = run.core.wft;
  if (wft && wft.startedEventId === undefined && wft.stickyQueue) {
    wft.stickyQueue = undefined;
    run.touch();
    e.committer.enlist(run);
    dispatchWorkflowTask(e, run);
  }
}

export interface PollInfo {
  identity: string;
  sticky: boolean;
}

/** Starts the task behind a queue entry and builds the poll response; undefined if stale. */
export function claimWorkflowTask(e: Engine, ref: WorkflowTaskRef, poll: PollInfo): Msg | undefined {
  if (ref.kind === 'query') return claimLegacyQuery(e, ref.query.id, poll);
  const run = e.runs.live(ref.runId);
  const wft = run?.core.wft;
  if (!run || !run.open || !wft || wft.dispatch !== ref.dispatch || wft.startedEventId !== undefined) return undefined;
  const now = e.clock.now();
  const requestId = randomUUID();
  const startedAttrs = {
    scheduledEventId: 0,
    identity: poll.identity,
    requestId,
    historySizeBytes: run.core.historySize,
    suggestContinueAsNew: run.core.historyLength >= SUGGEST_CONTINUE_AS_NEW_EVENTS || run.core.historySize >= SUGGEST_CONTINUE_AS_NEW_BYTES,
  };
  let transientEvents: Buffer[] = [];
  if (wft.transient) {
    wft.scheduledEventId = run.nextEventId;
    wft.startedEventId = run.nextEventId + 1;
    startedAttrs.scheduledEventId = wft.scheduledEventId;
    transientEvents = [
      syntheticEvent(e, wft.scheduledEventId, wft.scheduledTime, 'WORKFLOW_TASK_SCHEDULED', scheduledAttrs(run, wft.attempt)),
      syntheticEvent(e, wft.startedEventId, now, 'WORKFLOW_TASK_STARTED', startedAttrs),
    ];
  } else {
    startedAttrs.scheduledEventId = wft.scheduledEventId;
    wft.startedEventId = appendEvent(e, run, 'WORKFLOW_TASK_STARTED', startedAttrs, now);
  }
  wft.startedTime = now;
  wft.requestId = requestId;
  wft.identity = poll.identity;
  run.touch();
  e.committer.enlist(run);
  e.setTimer(run, 'wft', now + workflowTaskTimeoutMs(run), () => workflowTaskTimedOut(e, run, wft));

  const messages: Msg[] = [];
  for (const u of run.updates.values()) {
    if (u.stage !== 1 || u.delivered) continue;
    u.delivered = true;
    wft.updateIds.push(u.updateId);
    run.touchItem('update', u.updateId);
    messages.push({
      id: `${u.updateId}/request`,
      protocolInstanceId: u.updateId,
      eventId: wft.startedEventId - 1,
      body: packAny('temporal.api.update.v1.Request', u.request),
    });
  }
  // Queries that waited for the previous task ride on this one (as the real server attaches its
  // buffered queries when a task starts), so a workflow kept busy never starves them.
  run.wftQueries.push(...run.waitingQueries);
  run.waitingQueries = [];
  const queries: Msg = {};
  for (const q of run.wftQueries) queries[q.id] = q.query;

  const first = poll.sticky ? run.core.previousStartedEventId : 0;
  return {
    taskToken: encodeToken({ k: 'wft', r: run.core.runId, s: wft.scheduledEventId, a: wft.attempt }),
    workflowExecution: { workflowId: run.core.workflowId, runId: run.core.runId },
    workflowType: { name: run.core.workflowType },
    previousStartedEventId: run.core.previousStartedEventId,
    startedEventId: wft.startedEventId,
    attempt: wft.attempt,
    workflowExecutionTaskQueue: normalQueue(run),
    scheduledTime: timestamp(wft.scheduledTime),
    startedTime: timestamp(now),
    queries,
    messages,
    [RAW_HISTORY]: [...run.events.slice(first), ...transientEvents],
  };
}

function syntheticEvent(e: Engine, eventId: number, time: number, type: string, attrs: Msg): Buffer {
  return encodeEvent({ eventId, eventTime: timestamp(time), eventType: `EVENT_TYPE_${type}`, taskId: e.nextTaskId(), [attributesField(type)]: attrs });
}

function claimLegacyQuery(e: Engine, queryId: string, poll: PollInfo): Msg | undefined {
  const q = e.legacyQueries.get(queryId);
  if (!q) return undefined;
  const view = e.runs.findByRunId(q.runId);
  if (!view) return undefined;
  const core = view.core;
  // Sticky workers get no history (they have the run cached or fetch it themselves).
  const events = poll.sticky ? [] : view.events(1, Number.MAX_SAFE_INTEGER);
  return {
    taskToken: encodeToken({ k: 'query', q: q.id }),
    workflowExecution: { workflowId: core.workflowId, runId: core.runId },
    workflowType: { name: core.workflowType },
    previousStartedEventId: core.previousStartedEventId,
    // 0: a query-only task, no workflow task started (how Core tells it from one that is).
    startedEventId: 0,
    query: q.query,
    workflowExecutionTaskQueue: { name: core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    [RAW_HISTORY]: events,
  };
}

/** The started task a token names; NOT_FOUND if it is gone or superseded. */
export function startedWorkflowTask(e: Engine, token: Uint8Array | undefined): { run: Run; wft: WorkflowTaskState } {
  const t = decodeToken(token, 'wft');
  if (t.k !== 'wft') throw notFound('Workflow task not found.');
  const run = e.runs.live(t.r);
  const wft = run?.core.wft;
  if (!run || !run.open || !wft || wft.startedEventId === undefined || wft.scheduledEventId !== t.s || wft.attempt !== t.a) {
    throw staleTaskError(e, t.r, 'Workflow task');
  }
  return { run, wft };
}

/** Writes the transient task's scheduled/started events (it is being recorded for good). */
export function materializeTransient(e: Engine, run: Run, wft: WorkflowTaskState): void {
  if (!wft.transient) return;
  wft.transient = false;
  appendEvent(e, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttrs(run, wft.attempt), wft.scheduledTime);
  appendEvent(
    e,
    run,
    'WORKFLOW_TASK_STARTED',
    { scheduledEventId: wft.scheduledEventId, identity: wft.identity, requestId: wft.requestId, historySizeBytes: run.core.historySize },
    wft.startedTime,
  );
}

/** Ends the in-flight task without completion: attached queries and updates go back to waiting. */
function releaseTask(e: Engine, run: Run, wft: WorkflowTaskState): void {
  for (const id of wft.updateIds) {
    const u = run.updates.get(id);
    if (u && u.stage === 1) {
      u.delivered = false;
      run.touchItem('update', id);
    }
  }
  run.waitingQueries.unshift(...run.wftQueries);
  run.wftQueries = [];
  run.core.wft = undefined;
  run.core.stickyQueue = undefined;
  e.clearTimer(run, 'wft');
  run.touch();
}

/**
 * A workflow task failed (worker report, timeout, or a rejected completion). The first failure
 * is written to history; retries are transient until new events arrive.
 */
export function failWorkflowTask(e: Engine, run: Run, wft: WorkflowTaskState, type: 'WORKFLOW_TASK_FAILED' | 'WORKFLOW_TASK_TIMED_OUT', attrs: Msg): void {
  const record = !wft.transient;
  releaseTask(e, run, wft);
  if (record) appendEvent(e, run, type, { scheduledEventId: wft.scheduledEventId, startedEventId: wft.startedEventId, ...attrs });
  const newEvents = flushBuffered(e, run);
  if (newEvents || attrs.cause === 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND') scheduleWorkflowTask(e, run);
  else scheduleRetry(e, run, wft.attempt);
  attachWaitingQueries(e, run);
}

function workflowTaskTimedOut(e: Engine, run: Run, wft: WorkflowTaskState): void {
  if (run.core.wft !== wft || !run.open) return;
  failWorkflowTask(e, run, wft, 'WORKFLOW_TASK_TIMED_OUT', { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' });
}

/** Queries that waited for a task: ride on the scheduled one, or go out as legacy query tasks. */
export function attachWaitingQueries(e: Engine, run: Run): void {
  if (run.waitingQueries.length === 0) return;
  const wft = run.core.wft;
  if (wft && wft.startedEventId !== undefined) return;
  const waiting = run.waitingQueries;
  run.waitingQueries = [];
  if (wft) run.wftQueries.push(...waiting);
  else for (const q of waiting) dispatchLegacyQuery(e, run.core, q);
}

/** After a restart: a started task times out as usual, a scheduled one is dispatched again. */
export function rearmWorkflowTask(e: Engine, run: Run): void {
  const wft = run.core.wft;
  if (!wft) return;
  if (wft.startedEventId !== undefined) {
    e.setTimer(run, 'wft', (wft.startedTime ?? e.clock.now()) + workflowTaskTimeoutMs(run), () => workflowTaskTimedOut(e, run, wft));
  } else {
    wft.stickyQueue = undefined;
    dispatchWorkflowTask(e, run);
  }
}
