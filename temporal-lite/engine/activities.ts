// Activity lifecycle: dispatch, start on poll, heartbeats, completion/failure/cancellation
// by the worker, retries with backoff, and the four timeouts.
import { randomUUID } from 'node:crypto';
import { durationMs, timestamp } from '../clock/time.js';
import { notFound } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import type { ActivityTaskRef, Engine } from './engine.js';
import { addExternalEvent, appendEvent } from './history.js';
import { staleTaskError } from './lookup.js';
import { retryDecision } from './retry-policy.js';
import type { Run } from './run.js';
import { decodeToken, encodeToken } from './tokens.js';
import type { ActivityState } from './types.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

type TimeoutType = 'SCHEDULE_TO_START' | 'START_TO_CLOSE' | 'SCHEDULE_TO_CLOSE' | 'HEARTBEAT';
const TIMEOUT_LABEL: Record<TimeoutType, string> = {
  SCHEDULE_TO_START: 'ScheduleToStart',
  START_TO_CLOSE: 'StartToClose',
  SCHEDULE_TO_CLOSE: 'ScheduleToClose',
  HEARTBEAT: 'Heartbeat',
};

const timerKey = (a: ActivityState) => `act:${a.scheduledEventId}`;

/** Adds a scheduled activity; without `offer` the caller starts it itself (claimEagerActivity). */
export function addActivity(e: Engine, run: Run, scheduledEventId: number, attrs: Msg, offer: boolean): void {
  const now = e.clock.now();
  const a: ActivityState = { scheduledEventId, attrs, phase: 'scheduled', attempt: 1, scheduledTime: now, attemptScheduledTime: now, cancelRequested: false };
  run.activities.set(scheduledEventId, a);
  run.touchItem('activity', scheduledEventId);
  armActivity(e, run, a);
  if (offer) offerActivity(e, run, a);
}

/** Starts an activity added without offer for the worker `identity`; its task, or undefined if it is gone. */
export function claimEagerActivity(e: Engine, run: Run, scheduledEventId: number, identity: string): Msg | undefined {
  return claimActivityTask(e, { runId: run.core.runId, scheduledEventId, attempt: 1 }, identity);
}

export function offerActivity(e: Engine, run: Run, a: ActivityState): void {
  e.matching
    .activityQueue(run.core.namespace, a.attrs.taskQueue.name)
    .offer({ runId: run.core.runId, scheduledEventId: a.scheduledEventId, attempt: a.attempt });
}

/** Arms the activity's next deadline: a timeout, or the end of its retry backoff. */
export function armActivity(e: Engine, run: Run, a: ActivityState): void {
  const candidates: Array<[number, TimeoutType | 'retry']> = [];
  const s2c = durationMs(a.attrs.scheduleToCloseTimeout);
  if (s2c > 0) candidates.push([a.scheduledTime + s2c, 'SCHEDULE_TO_CLOSE']);
  if (a.phase === 'scheduled') {
    const s2s = durationMs(a.attrs.scheduleToStartTimeout);
    if (s2s > 0) candidates.push([a.attemptScheduledTime + s2s, 'SCHEDULE_TO_START']);
  } else if (a.phase === 'started') {
    const stc = durationMs(a.attrs.startToCloseTimeout);
    if (stc > 0) candidates.push([a.startedTime! + stc, 'START_TO_CLOSE']);
    const hb = durationMs(a.attrs.heartbeatTimeout);
    // As Temporal's server: an attempt's heartbeat timeout counts from its start and from each of
    // its heartbeats; an earlier attempt's last heartbeat (kept for describe) does not count.
    if (hb > 0) candidates.push([Math.max(a.lastHeartbeatTime ?? 0, a.startedTime!) + hb, 'HEARTBEAT']);
  } else {
    candidates.push([a.attemptScheduledTime, 'retry']);
  }
  if (candidates.length === 0) {
    e.clearTimer(run, timerKey(a));
    return;
  }
  candidates.sort((x, y) => x[0] - y[0]);
  const [at, kind] = candidates[0];
  e.setTimer(run, timerKey(a), at, () => {
    if (run.activities.get(a.scheduledEventId) !== a || !run.open) return;
    if (kind === 'retry') {
      a.phase = 'scheduled';
      run.touchItem('activity', a.scheduledEventId);
      e.committer.enlist(run);
      armActivity(e, run, a);
      offerActivity(e, run, a);
    } else {
      activityTimedOut(e, run, a, kind);
    }
  });
}

export function claimActivityTask(e: Engine, ref: ActivityTaskRef, identity: string): Msg | undefined {
  const run = e.runs.live(ref.runId);
  const a = run?.activities.get(ref.scheduledEventId);
  if (!run || !run.open || !a || a.phase !== 'scheduled' || a.attempt !== ref.attempt) return undefined;
  const now = e.clock.now();
  a.phase = 'started';
  a.startedTime = now;
  a.startedIdentity = identity;
  a.requestId = randomUUID();
  run.touchItem('activity', a.scheduledEventId);
  e.committer.enlist(run);
  armActivity(e, run, a);
  const at = a.attrs;
  return {
    taskToken: encodeToken({ k: 'act', r: run.core.runId, s: a.scheduledEventId, a: a.attempt }),
    workflowNamespace: run.core.namespace,
    workflowType: { name: run.core.workflowType },
    workflowExecution: { workflowId: run.core.workflowId, runId: run.core.runId },
    activityType: at.activityType,
    activityId: at.activityId,
    header: at.header,
    input: at.input,
    heartbeatDetails: a.heartbeatDetails,
    scheduledTime: timestamp(a.scheduledTime),
    currentAttemptScheduledTime: timestamp(a.attemptScheduledTime),
    startedTime: timestamp(now),
    attempt: a.attempt,
    scheduleToCloseTimeout: at.scheduleToCloseTimeout,
    startToCloseTimeout: at.startToCloseTimeout,
    heartbeatTimeout: at.heartbeatTimeout,
    retryPolicy: at.retryPolicy,
    priority: at.priority,
  };
}

/** The started activity attempt a token names; NOT_FOUND once it is finished or superseded. */
export function activityFromToken(e: Engine, token: Uint8Array | undefined): { run: Run; a: ActivityState } {
  const t = decodeToken(token, 'act');
  if (t.k !== 'act') throw notFound('Activity task not found.');
  const run = e.runs.live(t.r);
  const a = run?.activities.get(t.s);
  if (!run || !run.open || !a || a.attempt !== t.a || a.phase !== 'started') throw staleTaskError(e, t.r, 'Activity task');
  return { run, a };
}

/** The activity of an open run by activity id (async completion by id). */
export function activityById(run: Run, activityId: string): ActivityState {
  for (const a of run.activities.values()) if (a.attrs.activityId === activityId) return a;
  throw notFound(`Activity ${activityId} not found (it may have completed already).`);
}

function startedEvent(e: Engine, run: Run, a: ActivityState): void {
  if (a.phase !== 'started') return;
  addExternalEvent(e, run, 'ACTIVITY_TASK_STARTED', {
    scheduledEventId: a.scheduledEventId,
    identity: a.startedIdentity,
    requestId: a.requestId,
    attempt: a.attempt,
    lastFailure: a.lastFailure,
  });
}

function finish(e: Engine, run: Run, a: ActivityState, type: string, attrs: Msg): void {
  startedEvent(e, run, a);
  addExternalEvent(e, run, type, { scheduledEventId: a.scheduledEventId, ...attrs });
  run.activities.delete(a.scheduledEventId);
  run.touchItem('activity', a.scheduledEventId);
  e.clearTimer(run, timerKey(a));
  scheduleWorkflowTask(e, run);
}

export function activityCompleted(e: Engine, run: Run, a: ActivityState, result: Msg | undefined, identity: string | undefined): void {
  if (a.phase !== 'started') startAttemptNow(e, a, identity);
  finish(e, run, a, 'ACTIVITY_TASK_COMPLETED', { result, identity });
}

export function activityCanceled(e: Engine, run: Run, a: ActivityState, details: Msg | undefined, identity: string | undefined): void {
  if (a.phase !== 'started') startAttemptNow(e, a, identity);
  finish(e, run, a, 'ACTIVITY_TASK_CANCELED', { details, identity, latestCancelRequestedEventId: a.cancelRequestedEventId });
}

/** Completion by id of an attempt no worker has started (async completion). */
function startAttemptNow(e: Engine, a: ActivityState, identity: string | undefined): void {
  a.phase = 'started';
  a.startedTime = e.clock.now();
  a.startedIdentity = identity;
  a.requestId = randomUUID();
}

/** An attempt failed: retry per policy, or record the failure. */
export function activityFailed(e: Engine, run: Run, a: ActivityState, failure: Msg | undefined, identity: string | undefined, lastHeartbeatDetails?: Msg): void {
  if (lastHeartbeatDetails) a.heartbeatDetails = lastHeartbeatDetails;
  if (a.phase !== 'started') startAttemptNow(e, a, identity);
  const decision = retryDecision(a.attrs.retryPolicy, a.attempt, failure, e.clock.now(), scheduleToCloseDeadline(a));
  if (decision.retry && !a.cancelRequested) {
    retryLater(e, run, a, failure, decision.delayMs);
    return;
  }
  const retryState = decision.retry ? 'RETRY_STATE_CANCEL_REQUESTED' : decision.retryState;
  finish(e, run, a, 'ACTIVITY_TASK_FAILED', { failure, identity, retryState });
}

function scheduleToCloseDeadline(a: ActivityState): number | undefined {
  const s2c = durationMs(a.attrs.scheduleToCloseTimeout);
  return s2c > 0 ? a.scheduledTime + s2c : undefined;
}

function retryLater(e: Engine, run: Run, a: ActivityState, failure: Msg | undefined, delayMs: number): void {
  a.lastFailure = failure;
  a.attempt++;
  a.phase = 'backoff';
  a.startedTime = undefined;
  a.startedIdentity = undefined;
  a.attemptScheduledTime = e.clock.now() + delayMs;
  run.touchItem('activity', a.scheduledEventId);
  e.committer.enlist(run);
  armActivity(e, run, a);
}

function timeoutFailure(a: ActivityState, type: TimeoutType): Msg {
  return {
    message: `activity ${TIMEOUT_LABEL[type]} timeout`,
    timeoutFailureInfo: { timeoutType: `TIMEOUT_TYPE_${type}`, lastHeartbeatDetails: a.heartbeatDetails },
    cause: type === 'SCHEDULE_TO_CLOSE' ? a.lastFailure : undefined,
  };
}

function activityTimedOut(e: Engine, run: Run, a: ActivityState, type: TimeoutType): void {
  const failure = timeoutFailure(a, type);
  if (type === 'START_TO_CLOSE' || type === 'HEARTBEAT') {
    const decision = retryDecision(a.attrs.retryPolicy, a.attempt, undefined, e.clock.now(), scheduleToCloseDeadline(a));
    if (decision.retry && !a.cancelRequested) {
      retryLater(e, run, a, failure, decision.delayMs);
      return;
    }
    finish(e, run, a, 'ACTIVITY_TASK_TIMED_OUT', { failure, retryState: decision.retry ? 'RETRY_STATE_CANCEL_REQUESTED' : decision.retryState });
    return;
  }
  finish(e, run, a, 'ACTIVITY_TASK_TIMED_OUT', {
    failure,
    retryState: type === 'SCHEDULE_TO_CLOSE' ? 'RETRY_STATE_TIMEOUT' : 'RETRY_STATE_NON_RETRYABLE_FAILURE',
  });
}

export function recordHeartbeat(e: Engine, run: Run, a: ActivityState, details: Msg | undefined): Msg {
  if (details) a.heartbeatDetails = details;
  a.lastHeartbeatTime = e.clock.now();
  run.touchItem('activity', a.scheduledEventId);
  e.committer.enlist(run);
  armActivity(e, run, a);
  return { cancelRequested: a.cancelRequested, activityPaused: false, activityReset: false };
}

/**
 * The workflow asked to cancel an activity. Not started yet: it is canceled at once (returns
 * true: the workflow needs a task to learn it). Started: the worker learns it from heartbeats.
 */
export function requestActivityCancel(e: Engine, run: Run, a: ActivityState, workflowTaskCompletedEventId: number): boolean {
  const requestedId = appendEvent(e, run, 'ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId: a.scheduledEventId, workflowTaskCompletedEventId });
  a.cancelRequested = true;
  a.cancelRequestedEventId = requestedId;
  run.touchItem('activity', a.scheduledEventId);
  if (a.phase === 'started') return false;
  appendEvent(e, run, 'ACTIVITY_TASK_CANCELED', { scheduledEventId: a.scheduledEventId, latestCancelRequestedEventId: requestedId });
  run.activities.delete(a.scheduledEventId);
  e.clearTimer(run, timerKey(a));
  return true;
}
