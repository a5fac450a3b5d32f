// How an activity attempt ends: completed, canceled or failed by the worker, or timed out; a
// failure or timeout is retried with backoff as the retry policy says, or recorded for good.
import { randomUUID } from 'node:crypto';
import { durationMs } from '../clock/time.js';
import type { EventAttributes, Failure, Payloads, RetryState } from '../grpc/api.js';
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import { retryDecision } from './retry-policy.js';
import type { Run } from './run.js';
import type { ActivityState, StartedActivity } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

type ActivityTimeout = 'SCHEDULE_TO_START' | 'START_TO_CLOSE' | 'SCHEDULE_TO_CLOSE' | 'HEARTBEAT';
const TIMEOUT_LABEL: Record<ActivityTimeout, string> = {
  SCHEDULE_TO_START: 'ScheduleToStart',
  START_TO_CLOSE: 'StartToClose',
  SCHEDULE_TO_CLOSE: 'ScheduleToClose',
  HEARTBEAT: 'Heartbeat',
};

export const activityTimerKey = (activity: ActivityState) => `act:${activity.scheduledEventId}`;

export function offerActivity(engine: Engine, run: Run, activity: ActivityState): void {
  engine.matching
    .activityQueue(run.core.namespace, activity.attrs.taskQueue?.name ?? '')
    .offer({ runId: run.core.runId, scheduledEventId: activity.scheduledEventId, attempt: activity.attempt });
}

export const isStartedActivity = (activity: ActivityState): activity is StartedActivity => activity.phase === 'started' && activity.startedTime !== undefined;

/**
 * The activity's deadlines in its current phase: its timeouts, or the end of its retry backoff.
 * `workerGoneAt`: the started attempt's worker is known to be gone since then, so the attempt's
 * timeout (heartbeat if it has one, else start-to-close) is due at that time.
 */
function deadlines(activity: ActivityState, workerGoneAt?: number): Array<[number, ActivityTimeout | 'retry']> {
  const candidates: Array<[number, ActivityTimeout | 'retry']> = [];
  const attrs = activity.attrs;
  const scheduleToClose = durationMs(attrs.scheduleToCloseTimeout);
  if (scheduleToClose > 0) candidates.push([activity.scheduledTime + scheduleToClose, 'SCHEDULE_TO_CLOSE']);
  if (activity.phase === 'scheduled') {
    const scheduleToStart = durationMs(attrs.scheduleToStartTimeout);
    if (scheduleToStart > 0) candidates.push([activity.attemptScheduledTime + scheduleToStart, 'SCHEDULE_TO_START']);
  } else if (isStartedActivity(activity)) {
    if (workerGoneAt !== undefined) return [[workerGoneAt, durationMs(attrs.heartbeatTimeout) > 0 ? 'HEARTBEAT' : 'START_TO_CLOSE']];
    const startToClose = durationMs(attrs.startToCloseTimeout);
    if (startToClose > 0) candidates.push([activity.startedTime + startToClose, 'START_TO_CLOSE']);
    const heartbeat = durationMs(attrs.heartbeatTimeout);
    // As Temporal's server: an attempt's heartbeat timeout counts from its start and from each of
    // its heartbeats; an earlier attempt's last heartbeat (kept for describe) does not count.
    if (heartbeat > 0) candidates.push([Math.max(activity.lastHeartbeatTime ?? 0, activity.startedTime) + heartbeat, 'HEARTBEAT']);
  } else if (activity.phase === 'backoff') {
    candidates.push([activity.attemptScheduledTime, 'retry']);
  }
  return candidates;
}

/** Arms the activity's next deadline: a timeout, or the end of its retry backoff (see deadlines for `workerGoneAt`). */
export function armActivity(engine: Engine, run: Run, activity: ActivityState, workerGoneAt?: number): void {
  const candidates = deadlines(activity, workerGoneAt);
  if (candidates.length === 0) {
    engine.clearTimer(run, activityTimerKey(activity));
    return;
  }
  candidates.sort((x, y) => x[0] - y[0]);
  const [at, kind] = candidates[0];
  engine.setTimer(run, activityTimerKey(activity), at, () => {
    if (run.activities.get(activity.scheduledEventId) !== activity || !run.open) return;
    if (kind === 'retry') {
      activity.phase = 'scheduled';
      run.touchItem('activity', activity.scheduledEventId);
      engine.committer.enlist(run);
      armActivity(engine, run, activity);
      offerActivity(engine, run, activity);
    } else {
      activityTimedOut(engine, run, activity, kind);
    }
  });
}

type ActivityClose = 'ACTIVITY_TASK_COMPLETED' | 'ACTIVITY_TASK_CANCELED' | 'ACTIVITY_TASK_FAILED' | 'ACTIVITY_TASK_TIMED_OUT';

/** Records the attempt's started event (if a worker started it) and its close; the workflow gets a task. */
function finish<T extends ActivityClose>(engine: Engine, run: Run, activity: ActivityState, type: T, attrs: EventAttributes<T>): void {
  if (activity.phase === 'started') {
    addExternalEvent(engine, run, 'ACTIVITY_TASK_STARTED', {
      scheduledEventId: activity.scheduledEventId,
      identity: activity.startedIdentity,
      requestId: activity.requestId,
      attempt: activity.attempt,
      lastFailure: activity.lastFailure,
    });
  }
  addExternalEvent(engine, run, type, attrs);
  run.activities.delete(activity.scheduledEventId);
  run.touchItem('activity', activity.scheduledEventId);
  engine.clearTimer(run, activityTimerKey(activity));
  scheduleWorkflowTask(engine, run);
}

/** Completion by id of an attempt no worker has started (async completion). */
function startAttemptNow(engine: Engine, activity: ActivityState, identity: string | undefined): void {
  activity.phase = 'started';
  activity.startedTime = engine.clock.now();
  activity.startedIdentity = identity;
  activity.requestId = randomUUID();
}

export function activityCompleted(engine: Engine, run: Run, activity: ActivityState, result: Payloads | undefined, identity: string | undefined): void {
  if (activity.phase !== 'started') startAttemptNow(engine, activity, identity);
  finish(engine, run, activity, 'ACTIVITY_TASK_COMPLETED', { scheduledEventId: activity.scheduledEventId, result, identity });
}

export function activityCanceled(engine: Engine, run: Run, activity: ActivityState, details: Payloads | undefined, identity: string | undefined): void {
  if (activity.phase !== 'started') startAttemptNow(engine, activity, identity);
  finish(engine, run, activity, 'ACTIVITY_TASK_CANCELED', {
    scheduledEventId: activity.scheduledEventId,
    details,
    identity,
    latestCancelRequestedEventId: activity.cancelRequestedEventId,
  });
}

/** An attempt failed: retry per policy, or record the failure. */
export function activityFailed(
  engine: Engine,
  run: Run,
  activity: ActivityState,
  failure: Failure | undefined,
  identity: string | undefined,
  lastHeartbeatDetails?: Payloads,
): void {
  if (lastHeartbeatDetails && !activity.resetRequested) activity.heartbeatDetails = lastHeartbeatDetails;
  if (activity.phase !== 'started') startAttemptNow(engine, activity, identity);
  if (activity.resetRequested || activity.paused) {
    // Failed because it was paused or reset (the SDKs' ActivityPause / ActivityReset failures): not
    // a failure the retry policy counts. The next attempt waits for the unpause, or is the first.
    retryLater(engine, run, activity, failure, 0);
    return;
  }
  const retryState = retryOrGiveUp(engine, run, activity, failure, failure);
  if (retryState) finish(engine, run, activity, 'ACTIVITY_TASK_FAILED', { scheduledEventId: activity.scheduledEventId, failure, identity, retryState });
}

/**
 * Retries the attempt after its backoff if the retry policy allows and no cancellation was
 * requested; otherwise returns the retry state to record. `failure` decides the retry (a timeout
 * passes none), `lastFailure` is what the next attempt is told of.
 */
function retryOrGiveUp(
  engine: Engine,
  run: Run,
  activity: ActivityState,
  failure: Failure | undefined,
  lastFailure: Failure | undefined,
): RetryState | undefined {
  const decision = retryDecision(activity.attrs.retryPolicy, activity.attempt, failure, engine.clock.now(), scheduleToCloseDeadline(activity));
  if (decision.retry && !activity.cancelRequested) {
    retryLater(engine, run, activity, lastFailure, decision.delayMs);
    return undefined;
  }
  return decision.retry ? 'RETRY_STATE_CANCEL_REQUESTED' : decision.retryState;
}

function scheduleToCloseDeadline(activity: ActivityState): number | undefined {
  const scheduleToClose = durationMs(activity.attrs.scheduleToCloseTimeout);
  return scheduleToClose > 0 ? activity.scheduledTime + scheduleToClose : undefined;
}

function retryLater(engine: Engine, run: Run, activity: ActivityState, failure: Failure | undefined, delayMs: number): void {
  activity.lastFailure = failure;
  // After a ResetActivity, whatever ended the attempt, the next one is the first.
  if (activity.resetRequested) activity.attempt = 0;
  activity.resetRequested = false;
  activity.attempt++;
  activity.phase = 'backoff';
  activity.startedTime = undefined;
  activity.startedIdentity = undefined;
  activity.attemptScheduledTime = engine.clock.now() + delayMs;
  run.touchItem('activity', activity.scheduledEventId);
  engine.committer.enlist(run);
  armActivity(engine, run, activity);
}

function timeoutFailure(activity: ActivityState, type: ActivityTimeout): Failure {
  return {
    message: `activity ${TIMEOUT_LABEL[type]} timeout`,
    timeoutFailureInfo: { timeoutType: `TIMEOUT_TYPE_${type}`, lastHeartbeatDetails: activity.heartbeatDetails },
    cause: type === 'SCHEDULE_TO_CLOSE' ? activity.lastFailure : undefined,
  };
}

function activityTimedOut(engine: Engine, run: Run, activity: ActivityState, type: ActivityTimeout): void {
  const failure = timeoutFailure(activity, type);
  const attemptTimedOut = type === 'START_TO_CLOSE' || type === 'HEARTBEAT';
  // Only an attempt's own timeouts are retried; the schedule-to-start and schedule-to-close timeouts end the activity.
  const retryState = attemptTimedOut
    ? retryOrGiveUp(engine, run, activity, undefined, failure)
    : type === 'SCHEDULE_TO_CLOSE'
      ? 'RETRY_STATE_TIMEOUT'
      : 'RETRY_STATE_NON_RETRYABLE_FAILURE';
  if (retryState) finish(engine, run, activity, 'ACTIVITY_TASK_TIMED_OUT', { scheduledEventId: activity.scheduledEventId, failure, retryState });
}
