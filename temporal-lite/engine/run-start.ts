// Creating a run: its WorkflowExecutionStarted event, deadlines, first workflow task.
import { randomUUID } from 'node:crypto';
import { duration, durationMs, timestamp } from '../clock/time.js';
import type { Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS } from './limits.js';
import { Run } from './run.js';
import { armRunDeadline } from './run-close.js';
import type { RunCore } from './types.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

export interface StartParams {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: Msg;
  header?: Msg;
  memo?: Msg;
  searchAttributes?: Msg;
  retryPolicy?: Msg;
  cronSchedule?: string;
  workflowExecutionTimeout?: Msg;
  workflowRunTimeout?: Msg;
  workflowTaskTimeout?: Msg;
  identity?: string;
  requestId?: string;
  userMetadata?: Msg;
  priority?: Msg;
  parent?: RunCore['parent'];
  root?: RunCore['root'];
  /** For runs that continue a chain (continue-as-new, retry). */
  chain?: {
    runId: string;
    firstRunId: string;
    continuedFromRunId: string;
    initiator: string;
    attempt: number;
    executionDeadline?: number;
    lastCompletionResult?: Msg;
    continuedFailure?: Msg;
  };
  firstTaskDelayMs?: number;
  /** Runs between the started event and the first workflow task (signal-with-start). */
  beforeFirstTask?: (run: Run) => void;
  /** Schedules the first workflow task without offering it: the caller starts it (eager start). */
  holdFirstTask?: boolean;
}

export function startRun(e: Engine, p: StartParams): Run {
  const now = e.clock.now();
  const runId = p.chain?.runId ?? randomUUID();
  const executionTimeoutMs = durationMs(p.workflowExecutionTimeout);
  const runTimeoutMs = durationMs(p.workflowRunTimeout) || executionTimeoutMs;
  let taskTimeoutMs = Math.min(durationMs(p.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs);
  const executionDeadline = p.chain ? p.chain.executionDeadline : executionTimeoutMs > 0 ? now + executionTimeoutMs : undefined;
  const delay = p.firstTaskDelayMs ?? 0;
  const start: Msg = {
    workflowType: { name: p.workflowType },
    taskQueue: { name: p.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    input: p.input,
    header: p.header,
    workflowExecutionTimeout: executionTimeoutMs > 0 ? duration(executionTimeoutMs) : undefined,
    workflowRunTimeout: runTimeoutMs > 0 ? duration(runTimeoutMs) : undefined,
    workflowTaskTimeout: duration(taskTimeoutMs),
    continuedExecutionRunId: p.chain?.continuedFromRunId,
    initiator: p.chain?.initiator,
    continuedFailure: p.chain?.continuedFailure,
    lastCompletionResult: p.chain?.lastCompletionResult,
    originalExecutionRunId: runId,
    identity: p.identity,
    firstExecutionRunId: p.chain?.firstRunId ?? runId,
    retryPolicy: p.retryPolicy,
    attempt: p.chain?.attempt ?? 1,
    workflowExecutionExpirationTime: executionDeadline ? timestamp(executionDeadline) : undefined,
    cronSchedule: p.cronSchedule,
    firstWorkflowTaskBackoff: delay > 0 ? duration(delay) : undefined,
    memo: p.memo,
    searchAttributes: p.searchAttributes,
    parentWorkflowNamespace: p.parent?.namespace,
    parentWorkflowExecution: p.parent && { workflowId: p.parent.workflowId, runId: p.parent.runId },
    parentInitiatedEventId: p.parent?.initiatedEventId,
    rootWorkflowExecution: p.root,
    workflowId: p.workflowId,
    priority: p.priority,
  };
  const core: RunCore = {
    pk: e.runs.allocatePk(),
    namespace: p.namespace,
    workflowId: p.workflowId,
    runId,
    firstRunId: start.firstExecutionRunId,
    workflowType: p.workflowType,
    taskQueue: p.taskQueue,
    status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
    startTime: now,
    executionTime: now + delay,
    startRequestId: p.requestId,
    start,
    memo: p.memo,
    searchAttributes: p.searchAttributes,
    historyLength: 0,
    historySize: 0,
    wftNeeded: false,
    previousStartedEventId: 0,
    refs: {},
    cancelRequested: false,
    runDeadline: runTimeoutMs > 0 ? now + runTimeoutMs : undefined,
    executionDeadline,
    parent: p.parent,
    root: p.root,
    stateTransitions: 0,
  };
  const run = new Run(core, [], e.store, false);
  e.runs.add(run);
  appendEvent(e, run, 'WORKFLOW_EXECUTION_STARTED', start, now);
  p.beforeFirstTask?.(run);
  armRunDeadline(e, run);
  if (delay > 0) armFirstTask(e, run);
  else scheduleWorkflowTask(e, run, p.holdFirstTask);
  e.visibility.record(core);
  return run;
}

/** A delayed first task (start delay, retry or cron backoff) waits on the clock. */
export function armFirstTask(e: Engine, run: Run): void {
  e.setTimer(run, 'first-task', run.core.executionTime, () => {
    if (!run.core.wft && run.core.previousStartedEventId === 0) scheduleWorkflowTask(e, run);
  });
}
