// PauseActivity, UnpauseActivity and ResetActivity. A started attempt learns of a pause or reset
// from its next heartbeat response (activity_paused / activity_reset), which the SDKs turn into
// the activity's cancellation with those details; the attempt then fails and, as on Temporal's
// server, a paused activity gets no new attempt until unpaused and a reset one restarts at
// attempt 1 (service/history/api/pauseactivity, unpauseactivity, resetactivity).
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { offerActivity } from './activity-attempts.js';
import type { Engine } from './engine.js';
import { requireOpenRun } from './lookup.js';
import type { Run } from './run.js';
import type { ActivityState } from './types.js';

interface ActivitySelector {
  namespace?: string;
  execution?: { workflowId?: string; runId?: string };
  id?: string;
  type?: string;
}

/** The pending activities a request names, by id or by type; INVALID_ARGUMENT if it names none. */
function selected(engine: Engine, req: ActivitySelector, all = false): { run: Run; activities: ActivityState[] } {
  const run = requireOpenRun(engine, req.namespace, req.execution);
  if (!req.id && !req.type && !all) throw invalidArgument('Either activity id or activity type must be provided.');
  const activities = [...run.activities.values()].filter(
    (activity) => all || (req.id ? activity.attrs.activityId === req.id : activity.attrs.activityType?.name === req.type),
  );
  if (activities.length === 0) throw invalidArgument(`No pending activity ${req.id ? `with id ${req.id}` : `of type ${req.type}`}.`);
  return { run, activities };
}

function changed(engine: Engine, run: Run, activity: ActivityState): void {
  run.touchItem('activity', activity.scheduledEventId);
  engine.committer.enlist(run);
}

export function pauseActivity(engine: Engine, req: WorkflowServiceRequest<'PauseActivity'>): WorkflowServiceResponse<'PauseActivity'> {
  const { run, activities } = selected(engine, req);
  for (const activity of activities) {
    activity.paused = true;
    changed(engine, run, activity);
  }
  return {};
}

export function unpauseActivity(engine: Engine, req: WorkflowServiceRequest<'UnpauseActivity'>): WorkflowServiceResponse<'UnpauseActivity'> {
  const { run, activities } = selected(engine, req, !!req.unpauseAll);
  for (const activity of activities) {
    if (!activity.paused) continue;
    activity.paused = false;
    if (req.resetAttempts) activity.attempt = 1;
    if (req.resetHeartbeat) activity.heartbeatDetails = undefined;
    changed(engine, run, activity);
    // An attempt held back by the pause is offered now.
    if (activity.phase === 'scheduled') offerActivity(engine, run, activity);
  }
  return {};
}

export function resetActivity(engine: Engine, req: WorkflowServiceRequest<'ResetActivity'>): WorkflowServiceResponse<'ResetActivity'> {
  const { run, activities } = selected(engine, req, !!req.matchAll);
  for (const activity of activities) {
    if (req.resetHeartbeat) activity.heartbeatDetails = undefined;
    if (req.keepPaused) activity.paused = activity.paused || activity.phase === 'started';
    if (activity.phase === 'started') {
      // The running attempt hears of the reset from its next heartbeat and fails; the next attempt is the first.
      activity.resetRequested = true;
    } else {
      activity.attempt = 1;
      if (!req.keepPaused) activity.paused = false;
      if (activity.phase === 'scheduled') offerActivity(engine, run, activity);
    }
    changed(engine, run, activity);
  }
  return {};
}
