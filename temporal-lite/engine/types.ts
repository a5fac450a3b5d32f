import type {
  EventAttributes,
  EventType,
  Failure,
  Memo,
  ParentClosePolicy,
  Payloads,
  SearchAttributes,
  UpdateOutcome,
  UpdateRequest,
  UserMetadata,
  WorkflowExecutionStatus,
} from '../grpc/api.js';

/** The statuses a run of temporal-lite goes through (it never pauses). */
export type RunStatus = Exclude<WorkflowExecutionStatus, 'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED' | 'WORKFLOW_EXECUTION_STATUS_PAUSED'>;

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

/** A workflow task that a worker has started. */
export type StartedWorkflowTask = WorkflowTaskState & { startedEventId: number };

/** The run's parent workflow: the child's result goes to its event `initiatedEventId`. */
export interface ParentLink {
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
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
  status: RunStatus;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  startRequestId?: string;
  /** WorkflowExecutionStarted attributes. */
  start: EventAttributes<'WORKFLOW_EXECUTION_STARTED'>;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  /** The start's static summary and details (user metadata). */
  userMetadata?: UserMetadata;
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
  parent?: ParentLink;
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
  attrs: EventAttributes<'ACTIVITY_TASK_SCHEDULED'>;
  phase: ActivityPhase;
  attempt: number;
  scheduledTime: number;
  attemptScheduledTime: number;
  startedTime?: number;
  startedIdentity?: string;
  requestId?: string;
  heartbeatDetails?: Payloads;
  lastHeartbeatTime?: number;
  lastFailure?: Failure;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  /** PauseActivity: no new attempt starts until UnpauseActivity; a running one is told by heartbeat. */
  paused?: boolean;
  /** ResetActivity of a running attempt: it is told by heartbeat, and the next attempt is the first. */
  resetRequested?: boolean;
}

/** An activity attempt a worker has started. */
export type StartedActivity = ActivityState & { phase: 'started'; startedTime: number };

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
  parentClosePolicy?: ParentClosePolicy;
  /** StartChildWorkflowExecutionInitiated attributes, until the child is started. */
  pendingStart?: EventAttributes<'START_CHILD_WORKFLOW_EXECUTION_INITIATED'>;
  /** The start command's summary and details, for the child's own start. */
  userMetadata?: UserMetadata;
  wftCompletedEventId: number;
}

/** A signal or cancellation request this run sends to another workflow, until it is delivered. */
export type ExternalRequestState =
  | { initiatedEventId: number; kind: 'signal'; attrs: EventAttributes<'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'> }
  | { initiatedEventId: number; kind: 'cancel'; attrs: EventAttributes<'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'> };

/** How far an update has come (stored as these numbers). */
export const UPDATE_STAGE = { admitted: 1, accepted: 2, completed: 3 } as const;
export type UpdateStage = (typeof UPDATE_STAGE)[keyof typeof UPDATE_STAGE];

export interface UpdateState {
  updateId: string;
  request: UpdateRequest;
  stage: UpdateStage;
  delivered: boolean;
  acceptedEventId?: number;
  outcome?: UpdateOutcome;
}

/** An event that arrived while a workflow task was in flight, waiting to be written. */
export interface BufferedEvent<T extends EventType = EventType> {
  seq: number;
  type: T;
  attrs: EventAttributes<T>;
  time: number;
}

/** Whether a buffered event is of type `type` (its attributes are then that type's). */
export function isBufferedOf<T extends EventType>(event: BufferedEvent, type: T): event is BufferedEvent<T> {
  return event.type === type;
}

export type ItemKind = 'activity' | 'timer' | 'child' | 'external' | 'update';
