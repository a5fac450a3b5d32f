// Appending events to a run's history: ids, times, back-references, buffering while a
// workflow task is in flight, and waking history long polls.
import { timestamp } from '../clock/time.js';
import type { Msg } from '../grpc/proto.js';
import { attributesField, encodeEvent } from './event-codec.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';

const ACTIVITY_CLOSE = new Set(['ACTIVITY_TASK_COMPLETED', 'ACTIVITY_TASK_FAILED', 'ACTIVITY_TASK_TIMED_OUT', 'ACTIVITY_TASK_CANCELED']);
const CHILD_CLOSE = new Set([
  'CHILD_WORKFLOW_EXECUTION_COMPLETED',
  'CHILD_WORKFLOW_EXECUTION_FAILED',
  'CHILD_WORKFLOW_EXECUTION_CANCELED',
  'CHILD_WORKFLOW_EXECUTION_TERMINATED',
  'CHILD_WORKFLOW_EXECUTION_TIMED_OUT',
]);

/**
 * Events whose back-reference points at an event that may itself still be buffered get it
 * here, when their own id is assigned: the started event of an activity or child.
 */
function resolveReferences(run: Run, type: string, attrs: Msg, eventId: number): void {
  const refs = run.core.refs;
  if (type === 'ACTIVITY_TASK_STARTED') refs[`a${attrs.scheduledEventId}`] = eventId;
  else if (type === 'CHILD_WORKFLOW_EXECUTION_STARTED') refs[`c${attrs.initiatedEventId}`] = eventId;
  else if (ACTIVITY_CLOSE.has(type)) {
    const key = `a${attrs.scheduledEventId}`;
    if (attrs.startedEventId === undefined && refs[key]) attrs.startedEventId = refs[key];
    delete refs[key];
  } else if (CHILD_CLOSE.has(type)) {
    const key = `c${attrs.initiatedEventId}`;
    if (attrs.startedEventId === undefined && refs[key]) attrs.startedEventId = refs[key];
    delete refs[key];
  }
}

/** Appends an event at once and returns its id. */
export function appendEvent(e: Engine, run: Run, type: string, attrs: Msg, time = e.clock.now()): number {
  const eventId = run.nextEventId;
  resolveReferences(run, type, attrs, eventId);
  const bytes = encodeEvent({
    eventId,
    eventTime: timestamp(time),
    eventType: `EVENT_TYPE_${type}`,
    taskId: e.nextTaskId(),
    [attributesField(type)]: attrs,
  });
  run.events.push(bytes);
  run.core.historyLength = run.events.length;
  run.core.historySize += bytes.length;
  run.touch();
  e.committer.enlist(run);
  for (const wake of run.historyWaiters) wake();
  return eventId;
}

/** True while events must wait for the current workflow task to finish. */
export function workflowTaskInFlight(run: Run): boolean {
  return run.core.wft?.startedEventId !== undefined;
}

/**
 * Adds an event that did not come from the workflow's own commands (signal, activity result,
 * timer, child event, …): buffered while a workflow task is in flight, appended otherwise.
 */
export function addExternalEvent(e: Engine, run: Run, type: string, attrs: Msg): void {
  if (workflowTaskInFlight(run)) {
    run.bufferEvent(type, attrs, e.clock.now());
    e.committer.enlist(run);
  } else {
    appendEvent(e, run, type, attrs);
  }
}

/** Writes buffered events to history; returns whether there were any. */
export function flushBuffered(e: Engine, run: Run): boolean {
  const buffered = run.takeBuffered();
  if (buffered.length === 0) return false;
  for (const b of buffered) appendEvent(e, run, b.type, b.attrs, b.time);
  return true;
}
