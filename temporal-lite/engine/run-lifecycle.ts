// A run's life: its start (WorkflowExecutionStarted, deadlines, first workflow task), its close
// (the close event, releasing what is pending, the parent's and children's part), and the runs
// that carry a chain on: continue-as-new and workflow retries. Kept together because they call
// each other: a close applies the parent close policy (terminating children), a run timeout
// fails or retries the run, a retry or continue-as-new starts the next run.
import { randomUUID } from 'node:crypto';
import { durationMs } from '../clock/time.js';
import type { CommandAttributes, EventAttributes, Failure, Payloads, RetryState } from '../grpc/api.js';
import { CLOSE_EVENT, notifyParent, type RunClose } from './child-results.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { dispatchLegacyQuery } from './query-tasks.js';
import { retryDecision } from './retry-policy.js';
import { Run } from './run.js';
import { requestCancel } from './run-requests.js';
import { chainParams, initialCore, startedAttributes, type StartParams } from './run-start-params.js';
import { UPDATE_STAGE, type ChildState } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';
import { forceCloseWorkflowTask } from './workflow-tasks.js';

export function startRun(engine: Engine, untyped: StartParams): Run {
  const now = engine.clock.now();
  // Typed as Temporal stores them, so the workflow decodes each value as its type (Datetime → Date).
  const params = { ...untyped, searchAttributes: engine.typeSearchAttributes(untyped.namespace, untyped.searchAttributes) };
  const runId = params.chain?.runId ?? randomUUID();
  const start = startedAttributes(params, runId, now);
  const core = initialCore(params, engine.runs.allocatePk(), runId, start, now);
  const run = new Run(core, [], engine.store, false);
  engine.runs.add(run);
  appendEvent(engine, run, 'WORKFLOW_EXECUTION_STARTED', start, now, params.userMetadata);
  params.beforeFirstTask?.(run);
  armRunDeadline(engine, run);
  if ((params.firstTaskDelayMs ?? 0) > 0) armFirstTask(engine, run);
  else scheduleWorkflowTask(engine, run, params.holdFirstTask);
  engine.visibility.record(core);
  return run;
}

/** A delayed first task (start delay, retry or cron backoff) waits on the clock. */
export function armFirstTask(engine: Engine, run: Run): void {
  engine.setTimer(run, 'first-task', run.core.executionTime, () => {
    if (!run.core.wft && run.core.previousStartedEventId === 0) scheduleWorkflowTask(engine, run);
  });
}

/** Arms the run's timeout: the earlier of its run deadline and the chain's execution deadline. */
export function armRunDeadline(engine: Engine, run: Run): void {
  const deadlines = [run.core.runDeadline, run.core.executionDeadline].filter((deadline): deadline is number => deadline !== undefined);
  if (deadlines.length === 0) return;
  engine.setTimer(run, 'run', Math.min(...deadlines), () => {
    if (!run.open) return;
    forceCloseWorkflowTask(engine, run);
    failOrRetry(engine, run, 'timedOut', { message: 'workflow timed out', timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } });
  });
}

/**
 * Writes the close event and releases the run. `continuedBy` names the run that carries the
 * chain on (continue-as-new, retry): the parent then hears from that run later, not this one.
 */
export function closeRun(engine: Engine, run: Run, close: RunClose, continuedBy?: string): void {
  const core = run.core;
  core.completionEventId = appendEvent(engine, run, CLOSE_EVENT[close.status], close.attrs);
  core.status = close.status;
  core.closeTime = engine.clock.now();
  core.newRunId = continuedBy;
  core.wft = undefined;
  run.takeBuffered();
  run.touch();
  engine.clearAllTimers(run);
  const children = run.clearPendingItems();
  endUnfinishedUpdates(run);
  for (const waiters of run.updateWaiters.values()) for (const wake of [...waiters]) wake();
  for (const wake of [...run.historyWaiters]) wake();

  engine.runs.closed(run);
  engine.visibility.record(core);
  for (const query of [...run.wftQueries, ...run.waitingQueries]) dispatchLegacyQuery(engine, core, query);
  run.wftQueries = [];
  run.waitingQueries = [];

  applyParentClosePolicy(engine, children);
  if (continuedBy) return;
  notifyParent(engine, run, close);
  engine.runClosed({ core, ...closeOutcome(close) });
}

/** The result or failure a close carries. */
function closeOutcome(close: RunClose): { result?: Payloads; failure?: Failure } {
  switch (close.status) {
    case 'WORKFLOW_EXECUTION_STATUS_COMPLETED':
      return { result: close.attrs.result };
    case 'WORKFLOW_EXECUTION_STATUS_FAILED':
      return { failure: close.attrs.failure };
    default:
      return {};
  }
}

/**
 * Updates not yet accepted end with the run (their callers get NOT_FOUND); accepted ones
 * complete with Temporal's AcceptedUpdateCompletedWorkflow failure, so a caller that saw the
 * acceptance gets an update outcome (server's service/history/workflow/update/abort_reason.go).
 */
function endUnfinishedUpdates(run: Run): void {
  for (const update of [...run.updates.values()]) {
    if (update.stage === UPDATE_STAGE.completed) continue;
    if (update.stage === UPDATE_STAGE.accepted) {
      update.stage = UPDATE_STAGE.completed;
      update.outcome = { failure: ACCEPTED_UPDATE_COMPLETED_WORKFLOW };
    } else {
      run.updates.delete(update.updateId);
    }
    run.touchItem('update', update.updateId);
  }
}

const ACCEPTED_UPDATE_COMPLETED_WORKFLOW: Failure = {
  message: 'Workflow Update failed because the Workflow completed before the Update completed.',
  source: 'Server',
  applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
};

function applyParentClosePolicy(engine: Engine, children: ChildState[]): void {
  for (const child of children) {
    if (!child.runId || child.parentClosePolicy === 'PARENT_CLOSE_POLICY_ABANDON') continue;
    const childRun = engine.runs.openRun(child.namespace, child.workflowId);
    if (!childRun || childRun.core.firstRunId !== child.runId) continue;
    if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL') {
      requestCancel(engine, childRun, { reason: 'by parent close policy', identity: 'temporal-lite' });
    } else {
      terminateRun(engine, childRun, { reason: 'by parent close policy', identity: 'temporal-lite' });
    }
  }
}

export function terminateRun(engine: Engine, run: Run, request: { reason?: string; details?: Payloads; identity?: string }): void {
  forceCloseWorkflowTask(engine, run);
  closeRun(engine, run, {
    status: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
    attrs: { reason: request.reason, details: request.details, identity: request.identity },
  });
}

type ContinueAsNewCommand = CommandAttributes<'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION'>;

/** ContinueAsNewWorkflowExecution command: the run closes and the next one starts. */
export function continueAsNew(engine: Engine, run: Run, command: ContinueAsNewCommand, workflowTaskCompletedEventId: number, identity?: string): void {
  const newRunId = randomUUID();
  const params = continuationParams(run, command, newRunId, identity);
  const attrs: EventAttributes<'WORKFLOW_EXECUTION_CONTINUED_AS_NEW'> = {
    newExecutionRunId: newRunId,
    workflowType: { name: params.workflowType },
    taskQueue: { name: params.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    input: command.input,
    workflowRunTimeout: params.workflowRunTimeout,
    workflowTaskTimeout: params.workflowTaskTimeout,
    workflowTaskCompletedEventId,
    backoffStartInterval: command.backoffStartInterval,
    initiator: params.chain?.initiator,
    failure: command.failure,
    lastCompletionResult: command.lastCompletionResult,
    header: command.header,
    memo: params.memo,
    searchAttributes: params.searchAttributes,
  };
  closeRun(engine, run, { status: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW', attrs }, newRunId);
  startRun(engine, params);
}

/** The next run's parameters: the command's, else the closing run's. */
function continuationParams(run: Run, command: ContinueAsNewCommand, newRunId: string, identity: string | undefined): StartParams {
  const start = run.core.start;
  return chainParams(run, {
    workflowType: command.workflowType?.name || run.core.workflowType,
    taskQueue: command.taskQueue?.name || run.core.taskQueue,
    input: command.input,
    header: command.header,
    memo: command.memo ?? run.core.memo,
    searchAttributes: command.searchAttributes ?? run.core.searchAttributes,
    retryPolicy: command.retryPolicy ?? start.retryPolicy,
    workflowRunTimeout: command.workflowRunTimeout ?? start.workflowRunTimeout,
    workflowTaskTimeout: command.workflowTaskTimeout ?? start.workflowTaskTimeout,
    identity,
    firstTaskDelayMs: durationMs(command.backoffStartInterval),
    chain: {
      runId: newRunId,
      firstRunId: run.core.firstRunId,
      continuedFromRunId: run.core.runId,
      initiator: command.initiator || 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
      attempt: 1,
      executionDeadline: run.core.executionDeadline,
      lastCompletionResult: command.lastCompletionResult,
      continuedFailure: command.failure,
    },
  });
}

type FailureEnding = { retryState: RetryState; newExecutionRunId?: string };

function failureClose(
  kind: 'failed' | 'timedOut',
  failure: Failure | undefined,
  workflowTaskCompletedEventId: number | undefined,
  ending: FailureEnding,
): RunClose {
  return kind === 'failed'
    ? { status: 'WORKFLOW_EXECUTION_STATUS_FAILED', attrs: { failure, workflowTaskCompletedEventId, ...ending } }
    : { status: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT', attrs: ending };
}

/**
 * Closes a run as failed or timed out, unless its retry policy starts another attempt (then
 * the close event names the new run and the parent waits for the chain's end).
 */
export function failOrRetry(engine: Engine, run: Run, kind: 'failed' | 'timedOut', failure: Failure | undefined, workflowTaskCompletedEventId?: number): void {
  const policy = run.core.start.retryPolicy;
  const attempt = Number(run.core.start.attempt ?? 1);
  const now = engine.clock.now();
  // The chain's execution timeout has expired: no retry, whatever the policy (Temporal's
  // timer queue task for a workflow run timeout).
  const expired = kind === 'timedOut' && run.core.executionDeadline !== undefined && run.core.executionDeadline <= now;
  const decision = expired
    ? ({ retry: false, retryState: 'RETRY_STATE_TIMEOUT' } as const)
    : retryDecision(policy ?? undefined, attempt, failure, now, run.core.executionDeadline);
  if (!decision.retry) {
    closeRun(engine, run, failureClose(kind, failure, workflowTaskCompletedEventId, { retryState: decision.retryState }));
    return;
  }
  const newRunId = randomUUID();
  const ending: FailureEnding = { retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId: newRunId };
  closeRun(engine, run, failureClose(kind, failure, workflowTaskCompletedEventId, ending), newRunId);
  startRun(
    engine,
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
