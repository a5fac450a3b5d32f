// Client-facing RPCs about schedules.
import type { Engine } from '../engine/engine.js';
import type { WorkflowServiceHandlers } from '../grpc/handlers.js';
import { scheduleRequests } from '../schedules/requests.js';
import type { ScheduleRunner } from '../schedules/runner.js';

export function scheduleHandlers(engine: Engine, runner: ScheduleRunner): WorkflowServiceHandlers {
  const requests = scheduleRequests(engine, runner);
  return {
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
