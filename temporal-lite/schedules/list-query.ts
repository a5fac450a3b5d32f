// ListSchedules' query: the filters schedule lists use, joined by AND — ScheduleId (= or
// STARTS_WITH), WorkflowType (=) and TemporalSchedulePaused (= true/false). Anything else is
// refused with INVALID_ARGUMENT rather than ignored.
import { invalidArgument } from '../grpc/errors.js';
import type { LiveSchedule } from './runner.js';

type Condition = (live: LiveSchedule) => boolean;

const CONDITION = /^\s*`?(\w+)`?\s*(=|!=|STARTS_WITH)\s*(?:'([^']*)'|"([^"]*)"|(true|false))\s*$/i;

function condition(text: string): Condition {
  const match = CONDITION.exec(text);
  if (!match) throw invalidArgument(`invalid query: ${text.trim()}`);
  const [, field, operator, single, double, bool] = match;
  const value = single ?? double ?? bool ?? '';
  const op = operator.toUpperCase();
  const compare = (actual: string): boolean => (op === '=' ? actual === value : op === '!=' ? actual !== value : actual.startsWith(value));
  switch (field) {
    case 'ScheduleId':
      return (live) => compare(live.record.scheduleId);
    case 'WorkflowType':
      return (live) => compare(live.record.schedule.action?.startWorkflow?.workflowType?.name ?? '');
    case 'TemporalSchedulePaused':
      if (op === 'STARTS_WITH') break;
      return (live) => compare(String(!!live.record.schedule.state?.paused));
  }
  throw invalidArgument(`invalid query: unsupported filter on ${field}`);
}

export function filterSchedules(schedules: LiveSchedule[], query: string): LiveSchedule[] {
  if (!query.trim()) return schedules;
  const conditions = query.split(/\s+AND\s+/i).map(condition);
  return schedules.filter((live) => conditions.every((matches) => matches(live)));
}
