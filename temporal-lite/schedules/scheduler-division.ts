// Temporal's server runs each schedule as a workflow in the namespace division "TemporalScheduler",
// running while the schedule exists, and clients count schedules by counting those workflows (the
// Web UI's schedule list asks `TemporalNamespaceDivision="TemporalScheduler" AND
// ExecutionStatus="Running"`). temporal-lite runs schedules without workflows, so such a count is
// answered from the schedules themselves; the query's other conditions filter them as ListSchedules'
// query does.
import { filterSchedules } from './list-query.js';
import type { LiveSchedule } from './runner.js';

const DIVISION = /^\s*`?TemporalNamespaceDivision`?\s*=\s*(['"])TemporalScheduler\1\s*$/;
const RUNNING = /^\s*`?ExecutionStatus`?\s*=\s*(['"])Running\1\s*$/;

/** The count a workflow query scoped to the scheduler division gives, or undefined for any other query. */
export function schedulerDivisionCount(schedules: LiveSchedule[], query: string | null | undefined): number | undefined {
  const conditions = (query ?? '').split(/\s+AND\s+/i);
  if (!conditions.some((condition) => DIVISION.test(condition))) return undefined;
  const rest = conditions.filter((condition) => !DIVISION.test(condition) && !RUNNING.test(condition));
  return filterSchedules(schedules, rest.join(' AND ')).length;
}
