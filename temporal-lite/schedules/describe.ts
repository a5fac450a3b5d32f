// How a schedule is shown: DescribeSchedule's schedule (policies with their defaults filled
// in) and info, ListSchedules' entries, and the next action times.
import { duration, timestamp } from '../clock/time.js';
import type { Timestamp } from '../grpc/api.js';
import type { WorkflowServiceResponse } from '../grpc/handlers.js';
import { catchupWindowMs, overlapPolicy, type LiveSchedule } from './runner.js';
import type { Schedule, ScheduleInfo, ScheduleListInfo } from './types.js';

const FUTURE_ACTIONS = 10;
const FUTURE_ACTIONS_IN_LIST = 5;
const RECENT_ACTIONS_IN_LIST = 5;
const MAX_MATCHING_TIMES = 1000;

/** Up to `count` next action times (no more than the remaining actions; none before the last update). */
export function futureActionTimes(live: LiveSchedule, count: number): Timestamp[] {
  const { record } = live;
  const state = record.schedule.state ?? {};
  const limit = state.limitedActions ? Math.min(count, state.remainingActions ?? 0) : count;
  const out: Timestamp[] = [];
  for (let time = live.spec.nextTime(record.lastProcessedTime); time && out.length < limit; time = live.spec.nextTime(time.next)) {
    if (record.updateTime !== undefined && record.updateTime > time.next) continue;
    out.push(timestamp(time.next));
  }
  return out;
}

/** The spec times in (start, end], at most 1000 (ListScheduleMatchingTimes). */
export function matchingTimes(live: LiveSchedule, start: number, end: number): Timestamp[] {
  const out: Timestamp[] = [];
  for (let time = live.spec.nextTime(start); time && time.next <= end && out.length < MAX_MATCHING_TIMES; time = live.spec.nextTime(time.next)) {
    out.push(timestamp(time.next));
  }
  return out;
}

/** The schedule as stored, with the overlap policy and catch-up window resolved. */
function shownSchedule(live: LiveSchedule): Schedule {
  const { schedule } = live.record;
  return {
    ...schedule,
    policies: { ...schedule.policies, overlapPolicy: overlapPolicy(live.record), catchupWindow: duration(catchupWindowMs(live.record)) },
    state: { ...schedule.state },
  };
}

function info(live: LiveSchedule): ScheduleInfo {
  const { record } = live;
  return {
    actionCount: record.actionCount,
    missedCatchupWindow: record.missedCatchupWindow,
    overlapSkipped: record.overlapSkipped,
    bufferDropped: record.bufferDropped,
    bufferSize: record.buffer.length,
    runningWorkflows: record.runningWorkflows,
    recentActions: record.recentActions,
    futureActionTimes: futureActionTimes(live, FUTURE_ACTIONS),
    createTime: timestamp(record.createTime),
    updateTime: record.updateTime !== undefined ? timestamp(record.updateTime) : undefined,
  };
}

/** The conflict token as Temporal encodes it: the record's sequence number, 8 bytes big-endian. */
export function conflictTokenBytes(token: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(token));
  return bytes;
}

export function tokenFromBytes(bytes: Buffer | undefined): number | undefined {
  return bytes && bytes.length === 8 ? Number(bytes.readBigUInt64BE()) : undefined;
}

export function describeSchedule(live: LiveSchedule): WorkflowServiceResponse<'DescribeSchedule'> {
  return {
    schedule: shownSchedule(live),
    info: info(live),
    memo: live.record.memo,
    searchAttributes: live.record.searchAttributes,
    conflictToken: conflictTokenBytes(live.record.conflictToken),
  };
}

function listInfo(live: LiveSchedule): ScheduleListInfo {
  const { schedule, recentActions } = live.record;
  return {
    spec: schedule.spec,
    workflowType: schedule.action?.startWorkflow?.workflowType,
    notes: schedule.state?.notes,
    paused: !!schedule.state?.paused,
    recentActions: recentActions.slice(-RECENT_ACTIONS_IN_LIST),
    futureActionTimes: futureActionTimes(live, FUTURE_ACTIONS_IN_LIST),
  };
}

type ScheduleListEntry = NonNullable<WorkflowServiceResponse<'ListSchedules'>['schedules']>[number];

export function listEntry(live: LiveSchedule): ScheduleListEntry {
  return { scheduleId: live.record.scheduleId, memo: live.record.memo, searchAttributes: live.record.searchAttributes, info: listInfo(live) };
}
