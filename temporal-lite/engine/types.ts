import type { Msg } from '../grpc/proto.js';

export type WorkflowStatus =
  | 'WORKFLOW_EXECUTION_STATUS_RUNNING'
  | 'WORKFLOW_EXECUTION_STATUS_COMPLETED'
  | 'WORKFLOW_EXECUTION_STATUS_FAILED'
  | 'WORKFLOW_EXECUTION_STATUS_CANCELED'
  | 'WORKFLOW_EXECUTION_STATUS_TERMINATED'
  | 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW'
  | 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT';

export interface ExecutionRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

/** The in-flight or scheduled workflow task of a run. */
export interface WorkflowTaskState {
  scheduledEventId: number;
  attempt: number;
  /** Attempts after a failure are transient: their scheduled/started events are written only on completion. */
  transient: boolean;
  scheduledTime: number;
  /** Sticky queue the task is offered on, if any. */
  stickyQueue?: string;
  startedEventId?: number;
  startedTime?: number;
  requestId?: string;
  identity?: string;
  /** Updates delivered with this task. */
  updateIds: string[];
  /** Bumped on every (re)dispatch so stale queue entries are recognised. */
  dispatch: number;
  /** Earliest time the task may be dispatched (retry backoff after failures). */
  notBefore?: number;
}

/** The persisted core of a run (everything but the per-item maps and the events). */
export interface RunCore {
  pk: number;
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  status: WorkflowStatus;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  startRequestId?: string;
  /** WorkflowExecutionStarted attributes. */
  start: Msg;
  memo?: Msg;
  searchAttributes?: Msg;
  historyLength: number;
  historySize: number;
  wft?: WorkflowTaskState;
  /** Another workflow task is needed once the in-flight one completes. */
  wftNeeded: boolean;
  previousStartedEventId: number;
  stickyQueue?: string;
  stickyTimeoutMs?: number;
  /** Sequence number of the last event buffered (buffered events are persisted as items). */
  bufferSeq?: number;
  /** Event ids later events point back to (activity started, child started), keyed 'a<id>' / 'c<id>'. */
  refs: Record<string, number>;
  cancelRequested: boolean;
  runDeadline?: number;
  executionDeadline?: number;
  parent?: { namespace: string; workflowId: string; runId: string; initiatedEventId: number };
  root?: { workflowId: string; runId: string };
  /** Run that continued this chain (set on the closed run when it continued as new or retried). */
  newRunId?: string;
  completionEventId?: number;
  stateTransitions: number;
  /** Request ids of recent signals, so a client retrying a signal does not deliver it twice. */
  signalRequestIds?: string[];
}

export type ActivityPhase = 'scheduled' | 'started' | 'backoff';

export interface ActivityState {
  scheduledEventId: number;
  /** ActivityTaskScheduled attributes (with defaults filled). */
  attrs: Msg;
  phase: ActivityPhase;
  attempt: number;
  scheduledTime: number;
  attemptScheduledTime: number;
  startedTime?: number;
  startedIdentity?: string;
  requestId?: string;
  heartbeatDetails?: Msg;
  lastHeartbeatTime?: number;
  lastFailure?: Msg;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
}

export interface TimerState {
  timerId: string;
  startedEventId: number;
  fireAt: number;
}

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  runId?: string;
  parentClosePolicy?: string;
  /** StartChildWorkflowExecution attributes, until the child is started. */
  pendingStart?: Msg;
  wftCompletedEventId: number;
}

export interface ExternalRequestState {
  initiatedEventId: number;
  kind: 'signal' | 'cancel';
  attrs: Msg;
}

export type UpdateStage = 1 | 2 | 3; // admitted, accepted, completed

export interface UpdateState {
  updateId: string;
  request: Msg;
  stage: UpdateStage;
  delivered: boolean;
  acceptedEventId?: number;
  outcome?: Msg;
}

/** An event that arrived while a workflow task was in flight, waiting to be written. */
export interface BufferedEvent {
  seq: number;
  type: string;
  attrs: Msg;
  time: number;
}

export type ItemKind = 'activity' | 'timer' | 'child' | 'external' | 'update';
