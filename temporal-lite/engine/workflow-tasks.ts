// Workflow task lifecycle past dispatch: start on poll (building the poll response, with the
// updates and queries it carries), failure, timeouts, and re-arming after a restart.
import { randomUUID } from 'node:crypto';
import { timestamp } from '../clock/time.js';
import type { EventAttributes, ProtocolMessage, WorkflowQuery } from '../grpc/api.js';
import type { WorkflowServiceResponse } from '../grpc/handlers.js';
import { packAny } from '../grpc/proto.js';
import { RAW_HISTORY } from '../grpc/raw-history.js';
import type { Engine, WorkflowTaskRef } from './engine.js';
import { appendEvent, encodedEvent, flushBuffered } from './history.js';
import { SUGGEST_CONTINUE_AS_NEW_BYTES, SUGGEST_CONTINUE_AS_NEW_EVENTS } from './limits.js';
import { staleTaskError } from './lookup.js';
import { attachWaitingQueries, claimLegacyQuery } from './query-tasks.js';
import type { Run } from './run.js';
import { decodeToken, encodeToken } from './tokens.js';
import { UPDATE_STAGE, type StartedWorkflowTask, type WorkflowTaskState } from './types.js';
import {
  dispatchWorkflowTask,
  normalQueue,
  scheduledAttributes,
  scheduleRetry,
  scheduleWorkflowTask,
  workflowTaskTimeoutMs,
} from './workflow-task-dispatch.js';

export type WorkflowTaskResponse = WorkflowServiceResponse<'PollWorkflowTaskQueue'>;

export interface PollInfo {
  identity: string;
  sticky: boolean;
}

/** Starts the task scheduled with `hold` for `identity`; returns its poll response. */
export function startHeldWorkflowTask(engine: Engine, run: Run, identity: string): WorkflowTaskResponse {
  const wft = run.core.wft;
  const task = wft && claimWorkflowTask(engine, { kind: 'wft', runId: run.core.runId, dispatch: wft.dispatch }, { identity, sticky: false });
  if (!task) throw new Error(`workflow ${run.core.workflowId} has no held workflow task to start`);
  return task;
}

/** Starts the task behind a queue entry and builds the poll response; undefined if stale. */
export function claimWorkflowTask(engine: Engine, ref: WorkflowTaskRef, poll: PollInfo): WorkflowTaskResponse | undefined {
  if (ref.kind === 'query') return claimLegacyQuery(engine, ref.query.id, poll.sticky);
  const run = engine.runs.live(ref.runId);
  const wft = run?.core.wft;
  if (!run || !run.open || !wft || wft.dispatch !== ref.dispatch || wft.startedEventId !== undefined) return undefined;
  const now = engine.clock.now();
  const { started, transientEvents } = startWorkflowTask(engine, run, wft, poll.identity, now);
  const first = poll.sticky ? run.core.previousStartedEventId : 0;
  return {
    taskToken: encodeToken({
      kind: 'workflow',
      namespaceId: engine.namespaces.get(run.core.namespace).id,
      workflowId: run.core.workflowId,
      runId: run.core.runId,
      workflowType: run.core.workflowType,
      scheduledEventId: started.scheduledEventId,
      startedEventId: started.startedEventId,
      attempt: started.attempt,
    }),
    workflowExecution: { workflowId: run.core.workflowId, runId: run.core.runId },
    workflowType: { name: run.core.workflowType },
    previousStartedEventId: run.core.previousStartedEventId,
    startedEventId: started.startedEventId,
    attempt: started.attempt,
    workflowExecutionTaskQueue: normalQueue(run),
    scheduledTime: timestamp(started.scheduledTime),
    startedTime: timestamp(now),
    messages: deliverUpdates(run, started),
    queries: takeAttachedQueries(run),
    [RAW_HISTORY]: [...run.events.slice(first), ...transientEvents],
  };
}

/**
 * Marks the task started. A transient task's scheduled and started events are not written: the
 * poll response carries them, encoded here (they are written if the task completes).
 */
function startWorkflowTask(
  engine: Engine,
  run: Run,
  wft: WorkflowTaskState,
  identity: string,
  now: number,
): { started: StartedWorkflowTask; transientEvents: Buffer[] } {
  const requestId = randomUUID();
  const startedAttrs = (scheduledEventId: number): EventAttributes<'WORKFLOW_TASK_STARTED'> => ({
    scheduledEventId,
    identity,
    requestId,
    historySizeBytes: run.core.historySize,
    suggestContinueAsNew: run.core.historyLength >= SUGGEST_CONTINUE_AS_NEW_EVENTS || run.core.historySize >= SUGGEST_CONTINUE_AS_NEW_BYTES,
  });
  let transientEvents: Buffer[] = [];
  let startedEventId: number;
  if (wft.transient) {
    wft.scheduledEventId = run.nextEventId;
    startedEventId = run.nextEventId + 1;
    transientEvents = [
      encodedEvent(engine, wft.scheduledEventId, wft.scheduledTime, 'WORKFLOW_TASK_SCHEDULED', scheduledAttributes(run, wft.attempt)),
      encodedEvent(engine, startedEventId, now, 'WORKFLOW_TASK_STARTED', startedAttrs(wft.scheduledEventId)),
    ];
  } else {
    startedEventId = appendEvent(engine, run, 'WORKFLOW_TASK_STARTED', startedAttrs(wft.scheduledEventId), now);
  }
  const started: StartedWorkflowTask = Object.assign(wft, { startedEventId, startedTime: now, requestId, identity });
  run.touch();
  engine.committer.enlist(run);
  engine.setTimer(run, 'wft', now + workflowTaskTimeoutMs(run), () => workflowTaskTimedOut(engine, run, started));
  return { started, transientEvents };
}

/** Admitted updates not yet delivered go out with this task as protocol messages. */
function deliverUpdates(run: Run, wft: StartedWorkflowTask): ProtocolMessage[] {
  const messages: ProtocolMessage[] = [];
  for (const update of run.updates.values()) {
    if (update.stage !== UPDATE_STAGE.admitted || update.delivered) continue;
    update.delivered = true;
    wft.updateIds.push(update.updateId);
    run.touchItem('update', update.updateId);
    messages.push({
      id: `${update.updateId}/request`,
      protocolInstanceId: update.updateId,
      eventId: wft.startedEventId - 1,
      body: packAny('temporal.api.update.v1.Request', update.request),
    });
  }
  return messages;
}

/**
 * The queries the task carries. Those that waited for the previous task ride on this one (as the
 * real server attaches its buffered queries when a task starts), so a workflow kept busy never starves them.
 */
function takeAttachedQueries(run: Run): Record<string, WorkflowQuery> {
  run.wftQueries.push(...run.waitingQueries);
  run.waitingQueries = [];
  const queries: Record<string, WorkflowQuery> = {};
  for (const query of run.wftQueries) queries[query.id] = query.query;
  return queries;
}

/** The started task a token names; NOT_FOUND if it is gone or superseded. */
export function startedWorkflowTask(engine: Engine, taskToken: Uint8Array | null | undefined): { run: Run; wft: StartedWorkflowTask } {
  const token = decodeToken(taskToken, 'workflow');
  const run = engine.runs.live(token.runId);
  const wft = run?.core.wft;
  if (!run || !run.open || !wft || !isStartedWorkflowTask(wft) || wft.scheduledEventId !== token.scheduledEventId || wft.attempt !== token.attempt) {
    throw staleTaskError(engine, token.runId, 'Workflow task');
  }
  return { run, wft };
}

const isStartedWorkflowTask = (wft: WorkflowTaskState): wft is StartedWorkflowTask => wft.startedEventId !== undefined;

/** Writes the transient task's scheduled/started events (it is being recorded for good). */
export function materializeTransient(engine: Engine, run: Run, wft: StartedWorkflowTask): void {
  if (!wft.transient) return;
  wft.transient = false;
  appendEvent(engine, run, 'WORKFLOW_TASK_SCHEDULED', scheduledAttributes(run, wft.attempt), wft.scheduledTime);
  appendEvent(
    engine,
    run,
    'WORKFLOW_TASK_STARTED',
    { scheduledEventId: wft.scheduledEventId, identity: wft.identity, requestId: wft.requestId, historySizeBytes: run.core.historySize },
    wft.startedTime,
  );
}

/** Ends the in-flight task without completion: attached queries and updates go back to waiting. */
function releaseTask(engine: Engine, run: Run, wft: WorkflowTaskState): void {
  for (const id of wft.updateIds) {
    const update = run.updates.get(id);
    if (update && update.stage === UPDATE_STAGE.admitted) {
      update.delivered = false;
      run.touchItem('update', id);
    }
  }
  run.waitingQueries.unshift(...run.wftQueries);
  run.wftQueries = [];
  run.core.wft = undefined;
  run.core.stickyQueue = undefined;
  engine.clearTimer(run, 'wft');
  run.touch();
}

type WorkflowTaskFailure =
  | { type: 'WORKFLOW_TASK_FAILED'; attrs: EventAttributes<'WORKFLOW_TASK_FAILED'> }
  | { type: 'WORKFLOW_TASK_TIMED_OUT'; attrs: EventAttributes<'WORKFLOW_TASK_TIMED_OUT'> };

/**
 * A workflow task failed (worker report, timeout, or a rejected completion). The first failure
 * is written to history; retries are transient until new events arrive.
 */
export function failWorkflowTask(engine: Engine, run: Run, wft: StartedWorkflowTask, failure: WorkflowTaskFailure): void {
  const record = !wft.transient;
  releaseTask(engine, run, wft);
  const ids = { scheduledEventId: wft.scheduledEventId, startedEventId: wft.startedEventId };
  if (record) appendEvent(engine, run, failure.type, { ...ids, ...failure.attrs });
  const newEvents = flushBuffered(engine, run);
  const unhandledCommand = failure.type === 'WORKFLOW_TASK_FAILED' && failure.attrs.cause === 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND';
  if (newEvents || unhandledCommand) scheduleWorkflowTask(engine, run);
  else scheduleRetry(engine, run, wft.attempt);
  attachWaitingQueries(engine, run);
}

function workflowTaskTimedOut(engine: Engine, run: Run, wft: StartedWorkflowTask): void {
  if (run.core.wft !== wft || !run.open) return;
  failWorkflowTask(engine, run, wft, { type: 'WORKFLOW_TASK_TIMED_OUT', attrs: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } });
}

/**
 * After a restart: a started task times out as usual (at once when its worker is known to be gone),
 * a scheduled one is dispatched again.
 */
export function rearmWorkflowTask(engine: Engine, run: Run, workerGone = false): void {
  const wft = run.core.wft;
  if (!wft) return;
  if (isStartedWorkflowTask(wft)) {
    const now = engine.clock.now();
    const timesOutAt = workerGone ? now : (wft.startedTime ?? now) + workflowTaskTimeoutMs(run);
    engine.setTimer(run, 'wft', timesOutAt, () => workflowTaskTimedOut(engine, run, wft));
  } else {
    wft.stickyQueue = undefined;
    dispatchWorkflowTask(engine, run);
  }
}

/**
 * Before a close the workflow did not ask for (terminate, timeout): a task in flight is failed
 * and the events buffered behind it are written, so the history stays well-formed.
 */
export function forceCloseWorkflowTask(engine: Engine, run: Run): void {
  const wft = run.core.wft;
  if (wft && isStartedWorkflowTask(wft) && !wft.transient) {
    appendEvent(engine, run, 'WORKFLOW_TASK_FAILED', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
      identity: 'temporal-lite',
    });
  }
  run.core.wft = undefined;
  flushBuffered(engine, run);
}
