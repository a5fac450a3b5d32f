// Appending events to a run's history: ids, times, back-references, buffering while a
// workflow task is in flight, and waking history long polls.
import { timestamp } from '../clock/time.js';
import type { EventAttributes, EventType, UserMetadata } from '../grpc/api.js';
import { attributesField, encodeEvent } from './event-codec.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';

type References = Record<string, number>;

/** A close event gets the id of its started event, which may have been buffered when the close was created. */
function pointBack(refs: References, key: string, attrs: { startedEventId?: number | null }): void {
  if (attrs.startedEventId === undefined && refs[key]) attrs.startedEventId = refs[key];
  delete refs[key];
}

type ActivityClose = { scheduledEventId?: number | null; startedEventId?: number | null };
type ChildClose = { initiatedEventId?: number | null; startedEventId?: number | null };
const activityClosed = (refs: References, attrs: ActivityClose) => pointBack(refs, `a${attrs.scheduledEventId}`, attrs);
const childClosed = (refs: References, attrs: ChildClose) => pointBack(refs, `c${attrs.initiatedEventId}`, attrs);

/**
 * Events whose back-reference points at an event that may itself still be buffered get it
 * here, when their own id is assigned: the started event of an activity or child.
 */
const REFERENCES: { [T in EventType]?: (refs: References, attrs: EventAttributes<T>, eventId: number) => void } = {
  ACTIVITY_TASK_STARTED: (refs, attrs, eventId) => {
    refs[`a${attrs.scheduledEventId}`] = eventId;
  },
  CHILD_WORKFLOW_EXECUTION_STARTED: (refs, attrs, eventId) => {
    refs[`c${attrs.initiatedEventId}`] = eventId;
  },
  ACTIVITY_TASK_COMPLETED: activityClosed,
  ACTIVITY_TASK_FAILED: activityClosed,
  ACTIVITY_TASK_TIMED_OUT: activityClosed,
  ACTIVITY_TASK_CANCELED: activityClosed,
  CHILD_WORKFLOW_EXECUTION_COMPLETED: childClosed,
  CHILD_WORKFLOW_EXECUTION_FAILED: childClosed,
  CHILD_WORKFLOW_EXECUTION_CANCELED: childClosed,
  CHILD_WORKFLOW_EXECUTION_TERMINATED: childClosed,
  CHILD_WORKFLOW_EXECUTION_TIMED_OUT: childClosed,
};

/** An encoded event with its id, time and task id. */
export function encodedEvent<T extends EventType>(
  engine: Engine,
  eventId: number,
  time: number,
  type: T,
  attrs: EventAttributes<T>,
  userMetadata?: UserMetadata,
): Buffer {
  return encodeEvent({
    eventId,
    eventTime: timestamp(time),
    eventType: `EVENT_TYPE_${type}`,
    taskId: engine.nextTaskId(),
    userMetadata,
    [attributesField(type)]: attrs,
  });
}

/** Appends an event at once and returns its id; `userMetadata`: the summary and details of the command or start it records. */
export function appendEvent<T extends EventType>(
  engine: Engine,
  run: Run,
  type: T,
  attrs: EventAttributes<T>,
  time = engine.clock.now(),
  userMetadata?: UserMetadata,
): number {
  const eventId = run.nextEventId;
  REFERENCES[type]?.(run.core.refs, attrs, eventId);
  const bytes = encodedEvent(engine, eventId, time, type, attrs, userMetadata);
  run.events.push(bytes);
  run.core.historyLength = run.events.length;
  run.core.historySize += bytes.length;
  run.touch();
  engine.committer.enlist(run);
  for (const wake of run.historyWaiters) wake();
  return eventId;
}

/** True while events must wait for the current workflow task to finish. */
function workflowTaskInFlight(run: Run): boolean {
  return run.core.wft?.startedEventId !== undefined;
}

/**
 * Adds an event that did not come from the workflow's own commands (signal, activity result,
 * timer, child event, …): buffered while a workflow task is in flight, appended otherwise.
 */
export function addExternalEvent<T extends EventType>(engine: Engine, run: Run, type: T, attrs: EventAttributes<T>): void {
  if (workflowTaskInFlight(run)) {
    run.bufferEvent(type, attrs, engine.clock.now());
    engine.committer.enlist(run);
  } else {
    appendEvent(engine, run, type, attrs);
  }
}

/** Writes buffered events to history; returns whether there were any. */
export function flushBuffered(engine: Engine, run: Run): boolean {
  const buffered = run.takeBuffered();
  if (buffered.length === 0) return false;
  for (const event of buffered) appendEvent(engine, run, event.type, event.attrs, event.time);
  return true;
}
