// The Temporal API messages temporal-lite reads and writes, as Plain shapes of the
// @temporalio/proto interfaces (see plain.ts), under short names.
import type { google, temporal } from '@temporalio/proto';
import type { EnumName, Plain } from './plain.js';

type Enums = typeof temporal.api.enums.v1;

export type Timestamp = Plain<google.protobuf.ITimestamp>;
export type Duration = Plain<google.protobuf.IDuration>;
export type AnyMessage = Plain<google.protobuf.IAny>;

export type Payload = Plain<temporal.api.common.v1.IPayload>;
export type Payloads = Plain<temporal.api.common.v1.IPayloads>;
export type Header = Plain<temporal.api.common.v1.IHeader>;
export type Memo = Plain<temporal.api.common.v1.IMemo>;
export type SearchAttributes = Plain<temporal.api.common.v1.ISearchAttributes>;
export type RetryPolicy = Plain<temporal.api.common.v1.IRetryPolicy>;
export type Priority = Plain<temporal.api.common.v1.IPriority>;
export type WorkflowExecution = Plain<temporal.api.common.v1.IWorkflowExecution>;
export type Failure = Plain<temporal.api.failure.v1.IFailure>;
export type TaskQueue = Plain<temporal.api.taskqueue.v1.ITaskQueue>;
export type UserMetadata = Plain<temporal.api.sdk.v1.IUserMetadata>;

export type HistoryEvent = Plain<temporal.api.history.v1.IHistoryEvent>;
export type Command = Plain<temporal.api.command.v1.ICommand>;
export type ProtocolMessage = Plain<temporal.api.protocol.v1.IMessage>;
export type WorkflowQuery = Plain<temporal.api.query.v1.IWorkflowQuery>;
export type WorkflowQueryResult = Plain<temporal.api.query.v1.IWorkflowQueryResult>;
export type UpdateRequest = Plain<temporal.api.update.v1.IRequest>;
export type UpdateOutcome = Plain<temporal.api.update.v1.IOutcome>;
export type UpdateWaitPolicy = Plain<temporal.api.update.v1.IWaitPolicy>;
export type WorkflowExecutionInfo = Plain<temporal.api.workflow.v1.IWorkflowExecutionInfo>;
export type PendingActivityInfo = Plain<temporal.api.workflow.v1.IPendingActivityInfo>;
export type PendingChildExecutionInfo = Plain<temporal.api.workflow.v1.IPendingChildExecutionInfo>;
export type PendingWorkflowTaskInfo = Plain<temporal.api.workflow.v1.IPendingWorkflowTaskInfo>;
export type ActivityTask = Plain<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;

export type WorkflowExecutionStatus = EnumName<temporal.api.enums.v1.WorkflowExecutionStatus>;
export type RetryState = EnumName<temporal.api.enums.v1.RetryState>;
export type TimeoutType = EnumName<temporal.api.enums.v1.TimeoutType>;
export type ParentClosePolicy = EnumName<temporal.api.enums.v1.ParentClosePolicy>;
export type WorkflowTaskFailedCause = EnumName<temporal.api.enums.v1.WorkflowTaskFailedCause>;
export type ContinueAsNewInitiator = EnumName<temporal.api.enums.v1.ContinueAsNewInitiator>;
export type WorkflowIdReusePolicy = EnumName<temporal.api.enums.v1.WorkflowIdReusePolicy>;
export type WorkflowIdConflictPolicy = EnumName<temporal.api.enums.v1.WorkflowIdConflictPolicy>;
export type QueryResultType = EnumName<temporal.api.enums.v1.QueryResultType>;
export type UpdateLifecycleStage = EnumName<temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage>;

type Suffix<Name, Prefix extends string> = Name extends `${Prefix}${infer Rest}` ? Rest : never;
/** 'WORKFLOW_TASK_SCHEDULED' → 'workflowTaskScheduled'. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Rest}` ? `${Lowercase<Head>}${Capitalize<CamelCase<Rest>>}` : Lowercase<S>;

/** The attributes field of an event type: 'TIMER_FIRED' → 'timerFiredEventAttributes'. */
export type EventAttributesField<T extends string> = `${CamelCase<T>}EventAttributes`;
/** History event types without their EVENT_TYPE_ prefix ('TIMER_FIRED'), those with an attributes field. */
export type EventType = {
  [T in Suffix<keyof Enums['EventType'], 'EVENT_TYPE_'>]: EventAttributesField<T> extends keyof HistoryEvent ? T : never;
}[Suffix<keyof Enums['EventType'], 'EVENT_TYPE_'>];
/** The attributes of an event of type T. */
export type EventAttributes<T extends EventType> = NonNullable<HistoryEvent[EventAttributesField<T>]>;

/** The attributes field of a command type: 'COMMAND_TYPE_START_TIMER' → 'startTimerCommandAttributes'. */
type CommandAttributesField<T extends CommandType> = `${CamelCase<Suffix<T, 'COMMAND_TYPE_'>>}CommandAttributes` & keyof Command;
export type CommandType = Exclude<keyof Enums['CommandType'], 'COMMAND_TYPE_UNSPECIFIED'>;
/** The attributes of a command of type T. */
export type CommandAttributes<T extends CommandType> = NonNullable<Command[CommandAttributesField<T>]>;
