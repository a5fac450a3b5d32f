// ResetWorkflowExecution: a new run of the workflow whose history is the base run's up to a
// workflow task, that task failed with cause RESET_WORKFLOW, and then the signals and updates
// the base run received after that point (unless the request excludes them), as Temporal's
// workflow resetter does (service/history/ndc/workflow_resetter.go). The current run, if open,
// is terminated. The new run's pending work (activities, timers) is what the kept history
// leaves pending; like Temporal, a point with a pending child or external request is refused.
import { randomUUID } from 'node:crypto';
import { durationMs, timestampMs } from '../clock/time.js';
import type { HistoryEvent, Memo, SearchAttributes, UpdateRequest } from '../grpc/api.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { applySearchAttributeUpsert } from '../visibility/index.js';
import { armActivity, offerActivity } from './activity-attempts.js';
import { armTimer } from './commands/timer-commands.js';
import { decodeEvent } from './event-codec.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { requireRun } from './lookup.js';
import { Run } from './run.js';
import { armRunDeadline, terminateRun } from './run-lifecycle.js';
import type { RunView } from './run-index.js';
import { isBufferedOf, UPDATE_STAGE, type ActivityState, type RunCore, type TimerState, type UpdateState } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

type ResetRequest = WorkflowServiceRequest<'ResetWorkflowExecution'>;

const FINISH_EVENTS = new Set(['workflowTaskCompletedEventAttributes', 'workflowTaskFailedEventAttributes', 'workflowTaskTimedOutEventAttributes']);

/** What the kept history leaves pending or set. */
interface KeptState {
  activities: Map<number, ActivityState>;
  timers: Map<string, TimerState>;
  updates: Map<string, UpdateState>;
  refs: Record<string, number>;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  previousStartedEventId: number;
}

function keptState(events: HistoryEvent[]): KeptState {
  const start = events[0]?.workflowExecutionStartedEventAttributes ?? {};
  const state: KeptState = {
    activities: new Map(),
    timers: new Map(),
    updates: new Map(),
    refs: {},
    memo: start.memo,
    searchAttributes: start.searchAttributes,
    previousStartedEventId: 0,
  };
  const pendingChildren = new Set<number>();
  const pendingExternals = new Set<number>();
  for (const event of events) {
    const id = event.eventId ?? 0;
    const time = timestampMs(event.eventTime) ?? 0;
    if (event.activityTaskScheduledEventAttributes) {
      const attrs = event.activityTaskScheduledEventAttributes;
      state.activities.set(id, {
        scheduledEventId: id,
        attrs,
        phase: 'scheduled',
        attempt: 1,
        scheduledTime: time,
        attemptScheduledTime: time,
        cancelRequested: false,
      });
    }
    if (event.activityTaskStartedEventAttributes) state.refs[`a${event.activityTaskStartedEventAttributes.scheduledEventId}`] = id;
    const activityClose =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (activityClose) {
      state.activities.delete(activityClose.scheduledEventId ?? 0);
      delete state.refs[`a${activityClose.scheduledEventId}`];
    }
    const cancelRequested = event.activityTaskCancelRequestedEventAttributes;
    const toCancel = cancelRequested && state.activities.get(cancelRequested.scheduledEventId ?? 0);
    if (toCancel) Object.assign(toCancel, { cancelRequested: true, cancelRequestedEventId: id });
    const timer = event.timerStartedEventAttributes;
    if (timer?.timerId) state.timers.set(timer.timerId, { timerId: timer.timerId, startedEventId: id, fireAt: time + durationMs(timer.startToFireTimeout) });
    const timerEnd = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
    if (timerEnd?.timerId) state.timers.delete(timerEnd.timerId);
    if (event.startChildWorkflowExecutionInitiatedEventAttributes) pendingChildren.add(id);
    const childEnd =
      event.childWorkflowExecutionCompletedEventAttributes ??
      event.childWorkflowExecutionFailedEventAttributes ??
      event.childWorkflowExecutionCanceledEventAttributes ??
      event.childWorkflowExecutionTerminatedEventAttributes ??
      event.childWorkflowExecutionTimedOutEventAttributes ??
      event.startChildWorkflowExecutionFailedEventAttributes;
    if (childEnd) pendingChildren.delete(childEnd.initiatedEventId ?? 0);
    if (event.signalExternalWorkflowExecutionInitiatedEventAttributes || event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes)
      pendingExternals.add(id);
    const externalEnd =
      event.externalWorkflowExecutionSignaledEventAttributes ??
      event.signalExternalWorkflowExecutionFailedEventAttributes ??
      event.externalWorkflowExecutionCancelRequestedEventAttributes ??
      event.requestCancelExternalWorkflowExecutionFailedEventAttributes;
    if (externalEnd) pendingExternals.delete(externalEnd.initiatedEventId ?? 0);
    if (event.workflowTaskCompletedEventAttributes) state.previousStartedEventId = event.workflowTaskCompletedEventAttributes.startedEventId ?? 0;
    const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (upserted) state.searchAttributes = { indexedFields: applySearchAttributeUpsert(state.searchAttributes?.indexedFields, upserted) };
    const memo = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields;
    if (memo) state.memo = { fields: Object.fromEntries(Object.entries({ ...state.memo?.fields, ...memo }).filter(([, value]) => value.data?.length)) };
    const completedUpdate = event.workflowExecutionUpdateCompletedEventAttributes;
    const updateId = completedUpdate?.meta?.updateId;
    if (completedUpdate && updateId) {
      state.updates.set(updateId, {
        updateId,
        request: { meta: completedUpdate.meta },
        stage: UPDATE_STAGE.completed,
        delivered: true,
        outcome: completedUpdate.outcome,
      });
    }
  }
  if (pendingChildren.size > 0) throw invalidArgument('it is not allowed resetting to a point that workflow has pending child workflow.');
  if (pendingExternals.size > 0)
    throw invalidArgument('it is not allowed resetting to a point that workflow has pending signals to send or cancellations to request.');
  return state;
}

/** Which kinds of events after the reset point the new run receives again. */
function reapplied(req: ResetRequest): { signals: boolean; updates: boolean } {
  const excluded = new Set(req.resetReapplyExcludeTypes ?? []);
  if (req.resetReapplyType === 'RESET_REAPPLY_TYPE_NONE') return { signals: false, updates: false };
  return {
    signals: !excluded.has('RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL'),
    updates: !excluded.has('RESET_REAPPLY_EXCLUDE_TYPE_UPDATE') && req.resetReapplyType !== 'RESET_REAPPLY_TYPE_SIGNAL',
  };
}

function decodedEvents(view: RunView): HistoryEvent[] {
  return view.events(1, Number.MAX_SAFE_INTEGER).map((bytes) => decodeEvent(bytes));
}

export function resetWorkflowExecution(engine: Engine, req: ResetRequest): WorkflowServiceResponse<'ResetWorkflowExecution'> {
  const base = requireRun(engine, req.namespace, req.workflowExecution);
  const finishId = req.workflowTaskFinishEventId ?? 0;
  const events = decodedEvents(base);
  const finish = events[finishId - 1];
  if (!finish || !Object.keys(finish).some((key) => FINISH_EVENTS.has(key))) {
    throw invalidArgument(`WorkflowTaskFinishEventId ${finishId} is not the id of a workflow task completed, failed or timed out event.`);
  }
  const startedEvent = events[finishId - 2]?.workflowTaskStartedEventAttributes;
  if (!startedEvent) throw invalidArgument(`WorkflowTaskFinishEventId ${finishId} does not follow a workflow task started event.`);
  // Kept: everything up to the workflow task's started event, which the reset then fails.
  const state = keptState(events.slice(0, finishId - 1));

  const now = engine.clock.now();
  const runId = randomUUID();
  const current = engine.runs.openRun(base.core.namespace, base.core.workflowId);
  // Events still buffered behind the base run's workflow task in flight count as received too.
  const received = [...events.slice(finishId), ...(current?.core.runId === base.core.runId ? bufferedEvents(current) : [])];
  if (current) terminateRun(engine, current, { reason: req.reason || 'reset', identity: req.identity });
  const runTimeoutMs = durationMs(base.core.start.workflowRunTimeout);
  const core: RunCore = {
    ...base.core,
    pk: engine.runs.allocatePk(),
    runId,
    status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
    closeTime: undefined,
    completionEventId: undefined,
    newRunId: undefined,
    startRequestId: req.requestId,
    memo: state.memo,
    searchAttributes: state.searchAttributes,
    historyLength: 0,
    historySize: 0,
    wft: undefined,
    wftNeeded: false,
    previousStartedEventId: state.previousStartedEventId,
    stickyQueue: undefined,
    stickyTimeoutMs: undefined,
    bufferSeq: undefined,
    refs: state.refs,
    cancelRequested: false,
    runDeadline: runTimeoutMs > 0 ? now + runTimeoutMs : undefined,
    stateTransitions: 0,
    signalRequestIds: undefined,
  };
  const keptBytes = base.events(1, finishId - 1);
  const run = new Run(core, [...keptBytes], engine.store, false);
  core.historyLength = keptBytes.length;
  core.historySize = keptBytes.reduce((size, bytes) => size + bytes.length, 0);
  for (const [id, activity] of state.activities) run.activities.set(id, activity);
  for (const [id, timer] of state.timers) run.timers.set(id, timer);
  for (const [id, update] of state.updates) run.updates.set(id, update);
  for (const id of run.activities.keys()) run.touchItem('activity', id);
  for (const id of run.timers.keys()) run.touchItem('timer', id);
  for (const id of run.updates.keys()) run.touchItem('update', id);
  run.touch();
  run.touchProps();
  engine.runs.add(run);
  engine.committer.enlist(run);

  appendEvent(engine, run, 'WORKFLOW_TASK_FAILED', {
    scheduledEventId: startedEvent.scheduledEventId,
    startedEventId: finishId - 1,
    cause: 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW',
    failure: { message: req.reason ?? '', source: '', resetWorkflowFailureInfo: {} },
    identity: req.identity,
    baseRunId: base.core.runId,
    newRunId: runId,
  });
  reapply(engine, run, received, reapplied(req));
  armRunDeadline(engine, run);
  for (const activity of run.activities.values()) {
    armActivity(engine, run, activity);
    offerActivity(engine, run, activity);
  }
  for (const timer of run.timers.values()) armTimer(engine, run, timer);
  scheduleWorkflowTask(engine, run);
  engine.visibility.record(core);
  return { runId };
}

/** The signals and updates the base run received after the reset point, appended to the new run. */
function reapply(engine: Engine, run: Run, after: HistoryEvent[], kinds: { signals: boolean; updates: boolean }): void {
  for (const event of after) {
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal && kinds.signals) appendEvent(engine, run, 'WORKFLOW_EXECUTION_SIGNALED', signal);
    const update = updateRequestOf(event);
    const updateId = update?.meta?.updateId;
    if (update && updateId && kinds.updates && !run.updates.has(updateId)) {
      appendEvent(engine, run, 'WORKFLOW_EXECUTION_UPDATE_ADMITTED', { request: update, origin: 'UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY' });
      // The worker learns of it from the admitted event, not from a protocol message.
      run.updates.set(updateId, { updateId, request: update, stage: UPDATE_STAGE.admitted, delivered: true });
      run.touchItem('update', updateId);
    }
  }
}

/** A run's buffered signals as history events (the only buffered kind reapplied). */
function bufferedEvents(run: Run): HistoryEvent[] {
  return run.buffered.flatMap((event) =>
    isBufferedOf(event, 'WORKFLOW_EXECUTION_SIGNALED') ? [{ workflowExecutionSignaledEventAttributes: event.attrs }] : [],
  );
}

/** The request of an update a base run received (admitted, or accepted straight away). */
function updateRequestOf(event: HistoryEvent): UpdateRequest | undefined {
  return event.workflowExecutionUpdateAdmittedEventAttributes?.request ?? event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
}
