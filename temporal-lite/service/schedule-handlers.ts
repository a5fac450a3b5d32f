// Client-facing RPCs about schedules.
import type { Engine } from '../engine/engine.js';
import type { WorkflowServiceHandlers } from '../grpc/handlers.js';
import { scheduleRequests } from '../schedules/requests.js';
import type { ScheduleRunner } from '../schedules/runner.js';
import { schedulerDivisionCount } from '../schedules/scheduler-division.js';

type CountWorkflows = NonNullable<WorkflowServiceHandlers['CountWorkflowExecutions']>;

/** The schedule RPCs, and workflow counts that also answer counts of schedules' workflows (see scheduler-division.ts). */
export function scheduleHandlers(engine: Engine, runner: ScheduleRunner, countWorkflows: CountWorkflows): WorkflowServiceHandlers {
  const requests = scheduleRequests(engine, runner);
  return {
    CountWorkflowExecutions: (req, ctx) => {
      const schedules = schedulerDivisionCount(runner.list(req.namespace ?? ''), req.query);
      return schedules === undefined ? countWorkflows(req, ctx) : { count: schedules };
    },
    CreateSchedule: (req) => requests.create(req),
    DescribeSchedule: (req) => requests.describe(req),
    UpdateSchedule: (req) => requests.update(req),
    PatchSchedule: (req) => requests.patch(req),
    DeleteSchedule: (req) => requests.delete(req),
    ListSchedules: (req) => requests.list(req),
    CountSchedules: (req) => requests.count(req),
    ListScheduleMatchingTimes: (req) => requests.matchingTimes(req),
  };
}
