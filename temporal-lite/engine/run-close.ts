// Closing a run: the close event, releasing everything pending, parent notification, parent
// close policy for children, continue-as-new and workflow retries, run/execution timeouts.
import { randomUUID } from 'node:crypto';
import { durationMs } from '../clock/time.js';
import type { Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { addExternalEvent, appendEvent, flushBuffered } from './history.js';
import { dispatchLegacyQuery } from './queries.js';
import { retryDecision } from './retry-policy.js';
import type { Run } from './run.js';
import { startRun, type StartParams } from './run-start.js';
import { requestCancel, terminateRun } from './run-operations.js';
import type { WorkflowStatus } from './types.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

const CHILD_EVENT: Partial<Record<WorkflowStatus, string>> = {
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'CHILD_WORKFLOW_EXECUTION_COMPLETED',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'CHILD_WORKFLOW_EXECUTION_FAILED',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'CHILD_WORKFLOW_EXECUTION_CANCELED',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'CHILD_WORKFLOW_EXECUTION_TERMINATED',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'CHILD_WORKFLOW_EXECUTION_TIMED_OUT',
};

/**
 * Writes the close event and releases the run. `continuedBy` names the run that carries the
 * chain on (continue-as-new, retry): the parent then hears from that run later, not this one.
 */
export function closeRun(e: Engine, run: Run, status: WorkflowStatus, eventType: string, attrs: Msg, continuedBy?: string): void {
  const core = run.core;
  core.completionEventId = appendEvent(e, run, eventType, attrs);
  core.status = status;
  core.closeTime = e.clock.now();
  core.newRunId = continuedBy;
  core.wft = undefined;
  run.takeBuffered();
  run.touch();
  e.clearAllTimers(run);

  const children = [...run.children.values()];
  for (const [kind, map] of [
    ['activity', run.activities],
    ['timer', run.timers],
    ['child', run.children],
    ['external', run.externals],
  ] as const) {
    for (const key of map.keys()) run.touchItem(kind, key);
    map.clear();
  }
  for (const u of [...run.updates.values()]) {
    if (u.stage < 3) {
      run.updates.delete(u.updateId);
      run.touchItem('update', u.updateId);
    }
  }
  for (const waiters of run.updateWaiters.values()) for (const w of [...waiters]) w();
  for (const wake of [...run.historyWaiters]) wake();

  e.runs.closed(run);
  e.visibility.record(core);
  for (const q of [...run.wftQueries, ...run.waitingQueries]) dispatchLegacyQuery(e, core, q);
  run.wftQueries = [];
  run.waitingQueries = [];

  applyParentClosePolicy(e, run, children);
  if (!continuedBy) notifyParent(e, run, status, attrs);
}

function applyParentClosePolicy(e: Engine, run: Run, children: Array<{ runId?: string; namespace: string; workflowId: string; parentClosePolicy?: string }>): void {
  for (const child of children) {
    if (!child.runId || child.parentClosePolicy === 'PARENT_CLOSE_POLICY_ABANDON') continue;
    const childRun = e.runs.openRun(child.namespace, child.workflowId);
    if (!childRun || childRun.core.firstRunId !== child.runId) continue;
    if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL') {
      requestCancel(e, childRun, { reason: 'by parent close policy', identity: 'temporal-lite' });
    } else {
      terminateRun(e, childRun, { reason: 'by parent close policy', identity: 'temporal-lite' });
    }
  }
}

function notifyParent(e: Engine, child: Run, status: WorkflowStatus, closeAttrs: Msg): void {
  const link = child.core.parent;
  const eventType = CHILD_EVENT[status];
  if (!link || !eventType) return;
  const parent = e.runs.live(link.runId);
  if (!parent || !parent.open) return;
  const state = parent.children.get(link.initiatedEventId);
  if (!state) return;
  parent.children.delete(link.initiatedEventId);
  parent.touchItem('child', link.initiatedEventId);
  const attrs: Msg = {
    namespace: child.core.namespace,
    workflowExecution: { workflowId: child.core.workflowId, runId: state.runId ?? child.core.runId },
    workflowType: { name: state.workflowType },
    initiatedEventId: link.initiatedEventId,
  };
  if (status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED') attrs.result = closeAttrs.result;
  if (status === 'WORKFLOW_EXECUTION_STATUS_FAILED') Object.assign(attrs, { failure: closeAttrs.failure, retryState: closeAttrs.retryState });
  if (status === 'WORKFLOW_EXECUTION_STATUS_CANCELED') attrs.details = closeAttrs.details;
  if (status === 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT') attrs.retryState = closeAttrs.retryState;
  addExternalEvent(e, parent, eventType, attrs);
  scheduleWorkflowTask(e, parent);
}

/** Parameters for the next run of a chain, inherited from `run`. */
function chainParams(run: Run, overrides: Partial<StartParams>): StartParams {
  const s = run.core.start;
  return {
    namespace: run.core.namespace,
    workflowId: run.core.workflowId,
    workflowType: run.core.workflowType,
    taskQueue: run.core.taskQueue,
    input: s.input,
    header: s.header,
    memo: run.core.memo,
    searchAttributes: run.core.searchAttributes,
    retryPolicy: s.retryPolicy,
    cronSchedule: s.cronSchedule,
    workflowExecutionTimeout: s.workflowExecutionTimeout,
    workflowRunTimeout: s.workflowRunTimeout,
    workflowTaskTimeout: s.workflowTaskTimeout,
    parent: run.core.parent,
    root: run.core.root,
    ...overrides,
  };
}

/** ContinueAsNewWorkflowExecution command (or a cron/retry continuation). */
export function continueAsNew(e: Engine, run: Run, cmd: Msg, workflowTaskCompletedEventId: number, identity?: string): void {
  const newRunId = randomUUID();
  const delayMs = durationMs(cmd.backoffStartInterval);
  const params = chainParams(run, {
    workflowType: cmd.workflowType?.name || run.core.workflowType,
    taskQueue: cmd.taskQueue?.name || run.core.taskQueue,
    input: cmd.input,
    header: cmd.header,
    memo: cmd.memo ?? run.core.memo,
    searchAttributes: cmd.searchAttributes ?? run.core.searchAttributes,
    retryPolicy: cmd.retryPolicy ?? run.core.start.retryPolicy,
    workflowRunTimeout: cmd.workflowRunTimeout ?? run.core.start.workflowRunTimeout,
    workflowTaskTimeout: cmd.workflowTaskTimeout ?? run.core.start.workflowTaskTimeout,
    identity,
    firstTaskDelayMs: delayMs,
    chain: {
      runId: newRunId,
      firstRunId: run.core.firstRunId,
      continuedFromRunId: run.core.runId,
      initiator: cmd.initiator || 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
      attempt: 1,
      executionDeadline: run.core.executionDeadline,
      lastCompletionResult: cmd.lastCompletionResult,
      continuedFailure: cmd.failure,
    },
  });
  closeRun(
    e,
    run,
    'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
    'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    {
      newExecutionRunId: newRunId,
      workflowType: { name: params.workflowType },
      taskQueue: { name: params.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: cmd.input,
      workflowRunTimeout: params.workflowRunTimeout,
      workflowTaskTimeout: params.workflowTaskTimeout,
      workflowTaskCompletedEventId,
      backoffStartInterval: cmd.backoffStartInterval,
      initiator: params.chain!.initiator,
      failure: cmd.failure,
      lastCompletionResult: cmd.lastCompletionResult,
      header: cmd.header,
      memo: params.memo,
      searchAttributes: params.searchAttributes,
    },
    newRunId,
  );
  startRun(e, params);
}

/**
 * Closes a run as failed or timed out, unless its retry policy starts another attempt (then
 * the close event names the new run and the parent waits for the chain's end).
 */
export function failOrRetry(e: Engine, run: Run, kind: 'failed' | 'timedOut', failure: Msg | undefined, workflowTaskCompletedEventId?: number): void {
  const status = kind === 'failed' ? 'WORKFLOW_EXECUTION_STATUS_FAILED' : 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT';
  const eventType = kind === 'failed' ? 'WORKFLOW_EXECUTION_FAILED' : 'WORKFLOW_EXECUTION_TIMED_OUT';
  const policy = run.core.start.retryPolicy;
  const attempt = Number(run.core.start.attempt ?? 1);
  const decision = policy
    ? retryDecision(policy, attempt, failure, e.clock.now(), run.core.executionDeadline)
    : ({ retry: false, retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET' } as const);
  const base: Msg = kind === 'failed' ? { failure, workflowTaskCompletedEventId } : {};
  if (!decision.retry) {
    closeRun(e, run, status, eventType, { ...base, retryState: decision.retryState });
    return;
  }
  const newRunId = randomUUID();
  closeRun(e, run, status, eventType, { ...base, retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId: newRunId }, newRunId);
  startRun(
    e,
    chainParams(run, {
      firstTaskDelayMs: decision.delayMs,
      chain: {
        runId: newRunId,
        firstRunId: run.core.firstRunId,
        continuedFromRunId: run.core.runId,
        initiator: 'CONTINUE_AS_NEW_INITIATOR_RETRY',
        attempt: attempt + 1,
        executionDeadline: run.core.executionDeadline,
        continuedFailure: failure,
      },
    }),
  );
}

/** Arms the run's timeout: the earlier of its run deadline and the chain's execution deadline. */
export function armRunDeadline(e: Engine, run: Run): void {
  const deadlines = [run.core.runDeadline, run.core.executionDeadline].filter((d): d is number => d !== undefined);
  if (deadlines.length === 0) return;
  e.setTimer(run, 'run', Math.min(...deadlines), () => {
    if (!run.open) return;
    forceCloseWorkflowTask(e, run);
    failOrRetry(e, run, 'timedOut', { message: 'workflow timed out', timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } });
  });
}

/**
 * Before a close the workflow did not ask for (terminate, timeout): a task in flight is failed
 * and the events buffered behind it are written, so the history stays well-formed.
 */
export function forceCloseWorkflowTask(e: Engine, run: Run): void {
  const wft = run.core.wft;
  if (wft && wft.startedEventId !== undefined && !wft.transient) {
    appendEvent(e, run, 'WORKFLOW_TASK_FAILED', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
      identity: 'temporal-lite',
    });
  }
  run.core.wft = undefined;
  flushBuffered(e, run);
}
