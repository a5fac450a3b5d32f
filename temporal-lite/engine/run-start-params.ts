// What a new run starts from (a start request, a child command, or the run it continues) and
// the WorkflowExecutionStarted attributes and initial state built from it.
import { duration, durationMs, timestamp } from '../clock/time.js';
import type {
  ContinueAsNewInitiator,
  Duration,
  EventAttributes,
  Failure,
  Header,
  Memo,
  Payloads,
  Priority,
  RetryPolicy,
  SearchAttributes,
  UserMetadata,
} from '../grpc/api.js';
import { DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS } from './limits.js';
import type { Run } from './run.js';
import type { RunCore } from './types.js';

/** How a run continues a chain (continue-as-new, retry). */
export interface ChainLink {
  runId: string;
  firstRunId: string;
  continuedFromRunId: string;
  initiator: ContinueAsNewInitiator;
  attempt: number;
  executionDeadline?: number;
  lastCompletionResult?: Payloads;
  continuedFailure?: Failure;
}

export interface StartParams {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: Payloads;
  header?: Header;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  retryPolicy?: RetryPolicy;
  cronSchedule?: string;
  workflowExecutionTimeout?: Duration;
  workflowRunTimeout?: Duration;
  workflowTaskTimeout?: Duration;
  identity?: string;
  requestId?: string;
  userMetadata?: UserMetadata;
  priority?: Priority;
  parent?: RunCore['parent'];
  root?: RunCore['root'];
  /** For runs that continue a chain (continue-as-new, retry). */
  chain?: ChainLink;
  /** The previous run's result or failure, for runs a schedule starts (a chain's own win). */
  lastCompletionResult?: Payloads;
  continuedFailure?: Failure;
  firstTaskDelayMs?: number;
  /** Runs between the started event and the first workflow task (signal-with-start). */
  beforeFirstTask?: (run: Run) => void;
  /** Schedules the first workflow task without offering it: the caller starts it (eager start). */
  holdFirstTask?: boolean;
}

/** The run's timeouts: the task timeout is capped (by the server's maximum and the run timeout). */
function runTimeouts(params: StartParams): { executionTimeoutMs: number; runTimeoutMs: number; taskTimeoutMs: number } {
  const executionTimeoutMs = durationMs(params.workflowExecutionTimeout);
  const runTimeoutMs = durationMs(params.workflowRunTimeout) || executionTimeoutMs;
  let taskTimeoutMs = Math.min(durationMs(params.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs);
  return { executionTimeoutMs, runTimeoutMs, taskTimeoutMs };
}

/** The execution deadline: inherited along a chain, else the execution timeout from now. */
export function executionDeadline(params: StartParams, now: number): number | undefined {
  const executionTimeoutMs = durationMs(params.workflowExecutionTimeout);
  return params.chain ? params.chain.executionDeadline : executionTimeoutMs > 0 ? now + executionTimeoutMs : undefined;
}

export function startedAttributes(params: StartParams, runId: string, now: number): EventAttributes<'WORKFLOW_EXECUTION_STARTED'> {
  const { executionTimeoutMs, runTimeoutMs, taskTimeoutMs } = runTimeouts(params);
  const deadline = executionDeadline(params, now);
  const delay = params.firstTaskDelayMs ?? 0;
  return {
    workflowType: { name: params.workflowType },
    taskQueue: { name: params.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    input: params.input,
    header: params.header,
    workflowExecutionTimeout: executionTimeoutMs > 0 ? duration(executionTimeoutMs) : undefined,
    workflowRunTimeout: runTimeoutMs > 0 ? duration(runTimeoutMs) : undefined,
    workflowTaskTimeout: duration(taskTimeoutMs),
    continuedExecutionRunId: params.chain?.continuedFromRunId,
    initiator: params.chain?.initiator,
    continuedFailure: params.chain ? params.chain.continuedFailure : params.continuedFailure,
    lastCompletionResult: params.chain ? params.chain.lastCompletionResult : params.lastCompletionResult,
    originalExecutionRunId: runId,
    identity: params.identity,
    firstExecutionRunId: params.chain?.firstRunId ?? runId,
    retryPolicy: params.retryPolicy,
    attempt: params.chain?.attempt ?? 1,
    workflowExecutionExpirationTime: deadline ? timestamp(deadline) : undefined,
    cronSchedule: params.cronSchedule,
    firstWorkflowTaskBackoff: delay > 0 ? duration(delay) : undefined,
    memo: params.memo,
    searchAttributes: params.searchAttributes,
    parentWorkflowNamespace: params.parent?.namespace,
    parentWorkflowExecution: params.parent && { workflowId: params.parent.workflowId, runId: params.parent.runId },
    parentInitiatedEventId: params.parent?.initiatedEventId,
    rootWorkflowExecution: params.root,
    workflowId: params.workflowId,
    priority: params.priority,
  };
}

/** The state of a run that has just started. */
export function initialCore(params: StartParams, pk: number, runId: string, start: EventAttributes<'WORKFLOW_EXECUTION_STARTED'>, now: number): RunCore {
  const runTimeoutMs = runTimeouts(params).runTimeoutMs;
  return {
    pk,
    namespace: params.namespace,
    workflowId: params.workflowId,
    runId,
    firstRunId: params.chain?.firstRunId ?? runId,
    workflowType: params.workflowType,
    taskQueue: params.taskQueue,
    status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
    startTime: now,
    executionTime: now + (params.firstTaskDelayMs ?? 0),
    startRequestId: params.requestId,
    start,
    memo: params.memo,
    searchAttributes: params.searchAttributes,
    userMetadata: params.userMetadata,
    historyLength: 0,
    historySize: 0,
    wftNeeded: false,
    previousStartedEventId: 0,
    refs: {},
    cancelRequested: false,
    runDeadline: runTimeoutMs > 0 ? now + runTimeoutMs : undefined,
    executionDeadline: executionDeadline(params, now),
    parent: params.parent,
    root: params.root,
    stateTransitions: 0,
  };
}

/** Parameters for the next run of a chain, inherited from `run`. */
export function chainParams(run: Run, overrides: Partial<StartParams>): StartParams {
  const start = run.core.start;
  return {
    namespace: run.core.namespace,
    workflowId: run.core.workflowId,
    workflowType: run.core.workflowType,
    taskQueue: run.core.taskQueue,
    input: start.input,
    header: start.header,
    memo: run.core.memo,
    searchAttributes: run.core.searchAttributes,
    retryPolicy: start.retryPolicy,
    cronSchedule: start.cronSchedule,
    workflowExecutionTimeout: start.workflowExecutionTimeout,
    workflowRunTimeout: start.workflowRunTimeout,
    workflowTaskTimeout: start.workflowTaskTimeout,
    parent: run.core.parent,
    root: run.core.root,
    ...overrides,
  };
}
