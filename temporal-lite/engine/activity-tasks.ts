// Activity tasks: scheduling, start on poll (or eagerly, in a workflow task completion's
// response), finding an attempt by task token or by id, heartbeats and cancellation requests.
import { randomUUID } from 'node:crypto';
import { timestamp } from '../clock/time.js';
import type { ActivityTask, EventAttributes, Payloads } from '../grpc/api.js';
import { notFound } from '../grpc/errors.js';
import type { ActivityTaskRef, Engine } from './engine.js';
import { appendEvent } from './history.js';
import { staleTaskError } from './lookup.js';
import { activityTimerKey, armActivity, isStartedActivity, offerActivity } from './activity-attempts.js';
import type { Run } from './run.js';
import { decodeToken, encodeToken } from './tokens.js';
import type { ActivityState, StartedActivity } from './types.js';

/** Adds a scheduled activity; without `offer` the caller starts it itself (claimEagerActivity). */
export function addActivity(engine: Engine, run: Run, scheduledEventId: number, attrs: EventAttributes<'ACTIVITY_TASK_SCHEDULED'>, offer: boolean): void {
  const now = engine.clock.now();
  const activity: ActivityState = {
    scheduledEventId,
    attrs,
    phase: 'scheduled',
    attempt: 1,
    scheduledTime: now,
    attemptScheduledTime: now,
    cancelRequested: false,
  };
  run.activities.set(scheduledEventId, activity);
  run.touchItem('activity', scheduledEventId);
  armActivity(engine, run, activity);
  if (offer) offerActivity(engine, run, activity);
}

/** Starts an activity added without offer for the worker `identity`; its task, or undefined if it is gone. */
export function claimEagerActivity(engine: Engine, run: Run, scheduledEventId: number, identity: string): ActivityTask | undefined {
  return claimActivityTask(engine, { runId: run.core.runId, scheduledEventId, attempt: 1 }, identity);
}

export function claimActivityTask(engine: Engine, ref: ActivityTaskRef, identity: string): ActivityTask | undefined {
  const run = engine.runs.live(ref.runId);
  const activity = run?.activities.get(ref.scheduledEventId);
  if (!run || !run.open || !activity || activity.phase !== 'scheduled' || activity.attempt !== ref.attempt || activity.paused) return undefined;
  const now = engine.clock.now();
  const started: StartedActivity = Object.assign(activity, { phase: 'started' as const, startedTime: now, startedIdentity: identity, requestId: randomUUID() });
  run.touchItem('activity', started.scheduledEventId);
  engine.committer.enlist(run);
  armActivity(engine, run, started);
  return activityTask(engine, run, started);
}

function activityTask(engine: Engine, run: Run, activity: StartedActivity): ActivityTask {
  const attrs = activity.attrs;
  return {
    taskToken: encodeToken({
      kind: 'activity',
      namespaceId: engine.namespaces.get(run.core.namespace).id,
      workflowId: run.core.workflowId,
      runId: run.core.runId,
      workflowType: run.core.workflowType,
      scheduledEventId: activity.scheduledEventId,
      attempt: activity.attempt,
      activityId: attrs.activityId ?? '',
      activityType: attrs.activityType?.name ?? '',
    }),
    workflowNamespace: run.core.namespace,
    workflowType: { name: run.core.workflowType },
    workflowExecution: { workflowId: run.core.workflowId, runId: run.core.runId },
    activityType: attrs.activityType,
    activityId: attrs.activityId,
    header: attrs.header,
    input: attrs.input,
    heartbeatDetails: activity.heartbeatDetails,
    scheduledTime: timestamp(activity.scheduledTime),
    currentAttemptScheduledTime: timestamp(activity.attemptScheduledTime),
    startedTime: timestamp(activity.startedTime),
    attempt: activity.attempt,
    scheduleToCloseTimeout: attrs.scheduleToCloseTimeout,
    startToCloseTimeout: attrs.startToCloseTimeout,
    heartbeatTimeout: attrs.heartbeatTimeout,
    retryPolicy: attrs.retryPolicy,
    priority: attrs.priority,
  };
}

/** The started activity attempt a token names; NOT_FOUND once it is finished or superseded. */
export function activityFromToken(engine: Engine, taskToken: Uint8Array | undefined): { run: Run; activity: StartedActivity } {
  const token = decodeToken(taskToken, 'activity');
  const run = engine.runs.live(token.runId);
  const activity = run?.activities.get(token.scheduledEventId);
  if (!run || !run.open || !activity || activity.attempt !== token.attempt || !isStartedActivity(activity))
    throw staleTaskError(engine, token.runId, 'Activity task');
  return { run, activity };
}

/** The activity of an open run by activity id (async completion by id). */
export function activityById(run: Run, activityId: string): ActivityState {
  for (const activity of run.activities.values()) if (activity.attrs.activityId === activityId) return activity;
  throw notFound(`Activity ${activityId} not found (it may have completed already).`);
}

export function recordHeartbeat(engine: Engine, run: Run, activity: ActivityState, details: Payloads | undefined) {
  if (details) activity.heartbeatDetails = details;
  activity.lastHeartbeatTime = engine.clock.now();
  run.touchItem('activity', activity.scheduledEventId);
  engine.committer.enlist(run);
  armActivity(engine, run, activity);
  return { cancelRequested: activity.cancelRequested, activityPaused: !!activity.paused, activityReset: !!activity.resetRequested };
}

/**
 * The workflow asked to cancel an activity. Not started yet: it is canceled at once (returns
 * true: the workflow needs a task to learn it). Started: the worker learns it from heartbeats.
 */
export function requestActivityCancel(engine: Engine, run: Run, activity: ActivityState, workflowTaskCompletedEventId: number): boolean {
  const requestedId = appendEvent(engine, run, 'ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId: activity.scheduledEventId, workflowTaskCompletedEventId });
  activity.cancelRequested = true;
  activity.cancelRequestedEventId = requestedId;
  run.touchItem('activity', activity.scheduledEventId);
  if (activity.phase === 'started') return false;
  appendEvent(engine, run, 'ACTIVITY_TASK_CANCELED', { scheduledEventId: activity.scheduledEventId, latestCancelRequestedEventId: requestedId });
  run.activities.delete(activity.scheduledEventId);
  engine.clearTimer(run, activityTimerKey(activity));
  return true;
}
