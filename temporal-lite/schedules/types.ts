// The schedule messages temporal-lite reads and writes, as Plain shapes of the @temporalio/proto
// interfaces, and the state it keeps per schedule.
import type { temporal } from '@temporalio/proto';
import type { Failure, Memo, Payloads, SearchAttributes, WorkflowExecution } from '../grpc/api.js';
import type { EnumName, Plain } from '../grpc/plain.js';

export type Schedule = Plain<temporal.api.schedule.v1.ISchedule>;
export type ScheduleSpec = Plain<temporal.api.schedule.v1.IScheduleSpec>;
export type ScheduleRange = Plain<temporal.api.schedule.v1.IRange>;
export type StructuredCalendar = Plain<temporal.api.schedule.v1.IStructuredCalendarSpec>;
export type CalendarStrings = Plain<temporal.api.schedule.v1.ICalendarSpec>;
export type IntervalSpec = Plain<temporal.api.schedule.v1.IIntervalSpec>;
export type ScheduleInfo = Plain<temporal.api.schedule.v1.IScheduleInfo>;
export type ScheduleActionResult = Plain<temporal.api.schedule.v1.IScheduleActionResult>;
export type SchedulePatch = Plain<temporal.api.schedule.v1.ISchedulePatch>;
export type ScheduleListInfo = Plain<temporal.api.schedule.v1.IScheduleListInfo>;
export type NewWorkflow = Plain<temporal.api.workflow.v1.INewWorkflowExecutionInfo>;
export type OverlapPolicy = EnumName<temporal.api.enums.v1.ScheduleOverlapPolicy>;

/** A start the schedule owes: a spec time, a trigger or a backfill time, waiting on the overlap policy. */
export interface BufferedStart {
  nominalTime: number;
  actualTime: number;
  /** Unset: the schedule's policy at the time it is started. */
  overlapPolicy?: OverlapPolicy;
  /** Trigger or backfill: taken even while paused, not counted against remaining actions or the catch-up window. */
  manual: boolean;
}

/** Everything stored for one schedule. */
export interface ScheduleRecord {
  namespace: string;
  scheduleId: string;
  /** Spec in canonical form (calendars and cron strings compiled to structured calendars). */
  schedule: Schedule;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  /** The CreateSchedule request id, so that a retried create succeeds. */
  createRequestId?: string;
  createTime: number;
  updateTime?: number;
  conflictToken: number;
  /** Spec times up to here are dealt with. */
  lastProcessedTime: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  runningWorkflows: WorkflowExecution[];
  recentActions: ScheduleActionResult[];
  buffer: BufferedStart[];
  /** The last started workflow's result / failure, handed to the next one. */
  lastCompletionResult?: Payloads;
  continuedFailure?: Failure;
}
