// The schedule RPCs: checks of what a request asks for, with the INVALID_ARGUMENT, NOT_FOUND,
// ALREADY_EXISTS and FAILED_PRECONDITION answers Temporal's frontend gives, then the change
// applied through the runner.
import { timestampMs } from '../clock/time.js';
import type { Engine } from '../engine/engine.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { packAny } from '../grpc/proto.js';
import { conflictTokenBytes, describeSchedule, listEntry, matchingTimes, tokenFromBytes } from './describe.js';
import { filterSchedules } from './list-query.js';
import type { LiveSchedule, ScheduleRunner } from './runner.js';
import { canonicalSpec } from './spec.js';
import { SpecError } from './spec-error.js';
import type { Schedule, SchedulePatch, ScheduleRecord } from './types.js';

const MAX_ID_LENGTH = 1000;

/** The schedule as it will be kept: spec canonical, action and search attributes checked. */
function validSchedule(engine: Engine, namespace: string, schedule: Schedule | undefined): Schedule {
  if (!schedule) throw invalidArgument('Schedule is not set on request.');
  const action = schedule.action?.startWorkflow;
  if (!action) throw invalidArgument('Schedule action is not set on request.');
  if (!action.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (action.workflowId.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowId length exceeds limit.');
  if (!action.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!action.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  engine.validateSearchAttributes(namespace, action.searchAttributes);
  let spec;
  try {
    spec = canonicalSpec(schedule.spec ?? {});
  } catch (err) {
    if (err instanceof SpecError) throw invalidArgument(`Invalid schedule spec: ${err.message}`);
    throw err;
  }
  return { ...schedule, spec };
}

/** A time a Date can hold (the nominal time names the workflow), else undefined. */
function validTime(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(new Date(ms).getTime()) ? ms : undefined;
}

function scheduleNotFound(scheduleId: string | undefined) {
  return notFound(`schedule "${scheduleId ?? ''}" not found`);
}

function requireSchedule(runner: ScheduleRunner, namespace: string, scheduleId: string | undefined): LiveSchedule {
  const live = scheduleId ? runner.get(namespace, scheduleId) : undefined;
  if (!live) throw scheduleNotFound(scheduleId);
  return live;
}

function applyPatch(runner: ScheduleRunner, live: LiveSchedule, patch: SchedulePatch | undefined): void {
  if (!patch) return;
  // Times up to now are dealt with as the schedule was: those that passed while paused stay skipped.
  runner.wake(live);
  const trigger = patch.triggerImmediately;
  if (trigger) runner.trigger(live, trigger.overlapPolicy, validTime(timestampMs(trigger.scheduledTime)));
  for (const backfill of patch.backfillRequest ?? []) {
    const start = timestampMs(backfill.startTime);
    const end = timestampMs(backfill.endTime);
    if (start === undefined || end === undefined) throw invalidArgument('Backfill start and end times are required.');
    runner.backfill(live, start, end, backfill.overlapPolicy);
  }
  const state = (live.record.schedule.state ??= {});
  if (patch.pause) {
    state.paused = true;
    state.notes = patch.pause;
    live.record.conflictToken++;
  }
  if (patch.unpause) {
    state.paused = false;
    state.notes = patch.unpause;
    live.record.conflictToken++;
  }
  runner.changed(live);
}

export function scheduleRequests(engine: Engine, runner: ScheduleRunner) {
  const namespaceOf = (name: string | undefined) => engine.namespaces.get(name ?? '').name;
  return {
    create(req: WorkflowServiceRequest<'CreateSchedule'>): WorkflowServiceResponse<'CreateSchedule'> {
      const namespace = namespaceOf(req.namespace);
      if (!req.scheduleId) throw invalidArgument('ScheduleId is not set on request.');
      if (req.scheduleId.length > MAX_ID_LENGTH) throw invalidArgument('ScheduleId length exceeds limit.');
      const schedule = validSchedule(engine, namespace, req.schedule);
      engine.validateSearchAttributes(namespace, req.searchAttributes);
      const existing = runner.get(namespace, req.scheduleId);
      // A client retrying its create gets the same answer.
      if (existing && req.requestId && existing.record.createRequestId === req.requestId) {
        return { conflictToken: conflictTokenBytes(existing.record.conflictToken) };
      }
      if (existing) {
        throw alreadyExists('schedule with this ID is already registered', [
          packAny('temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', { startRequestId: req.requestId }),
        ]);
      }
      const now = engine.clock.now();
      const record: ScheduleRecord = {
        namespace,
        scheduleId: req.scheduleId,
        schedule,
        memo: req.memo,
        searchAttributes: engine.typeSearchAttributes(namespace, req.searchAttributes),
        createRequestId: req.requestId,
        createTime: now,
        conflictToken: 1,
        lastProcessedTime: now,
        actionCount: 0,
        missedCatchupWindow: 0,
        overlapSkipped: 0,
        bufferDropped: 0,
        runningWorkflows: [],
        recentActions: [],
        buffer: [],
      };
      const live = runner.create(record);
      applyPatch(runner, live, req.initialPatch);
      return { conflictToken: conflictTokenBytes(record.conflictToken) };
    },

    describe(req: WorkflowServiceRequest<'DescribeSchedule'>): WorkflowServiceResponse<'DescribeSchedule'> {
      return describeSchedule(requireSchedule(runner, namespaceOf(req.namespace), req.scheduleId));
    },

    update(req: WorkflowServiceRequest<'UpdateSchedule'>): WorkflowServiceResponse<'UpdateSchedule'> {
      const namespace = namespaceOf(req.namespace);
      const live = requireSchedule(runner, namespace, req.scheduleId);
      const schedule = validSchedule(engine, namespace, req.schedule);
      engine.validateSearchAttributes(namespace, req.searchAttributes);
      const token = tokenFromBytes(req.conflictToken);
      if (token !== undefined && token !== live.record.conflictToken) throw failedPrecondition('mismatched conflict token');
      runner.wake(live);
      const record = live.record;
      record.schedule = schedule;
      // Unset leaves the schedule's search attributes; an empty set clears them.
      if (req.searchAttributes) record.searchAttributes = engine.typeSearchAttributes(namespace, req.searchAttributes);
      record.updateTime = engine.clock.now();
      record.conflictToken++;
      runner.changed(live);
      return {};
    },

    patch(req: WorkflowServiceRequest<'PatchSchedule'>): WorkflowServiceResponse<'PatchSchedule'> {
      const live = requireSchedule(runner, namespaceOf(req.namespace), req.scheduleId);
      applyPatch(runner, live, req.patch);
      return {};
    },

    delete(req: WorkflowServiceRequest<'DeleteSchedule'>): WorkflowServiceResponse<'DeleteSchedule'> {
      runner.delete(requireSchedule(runner, namespaceOf(req.namespace), req.scheduleId));
      return {};
    },

    list(req: WorkflowServiceRequest<'ListSchedules'>): WorkflowServiceResponse<'ListSchedules'> {
      const all = filterSchedules(runner.list(namespaceOf(req.namespace)), req.query ?? '');
      const after = req.nextPageToken?.length ? req.nextPageToken.toString('utf8') : undefined;
      const remaining = after === undefined ? all : all.filter((live) => live.record.scheduleId > after);
      const size = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
      const page = remaining.slice(0, size);
      const more = remaining.length > size;
      return { schedules: page.map(listEntry), nextPageToken: more ? Buffer.from(page[page.length - 1].record.scheduleId) : undefined };
    },

    count(req: WorkflowServiceRequest<'CountSchedules'>): WorkflowServiceResponse<'CountSchedules'> {
      return { count: filterSchedules(runner.list(namespaceOf(req.namespace)), req.query ?? '').length };
    },

    matchingTimes(req: WorkflowServiceRequest<'ListScheduleMatchingTimes'>): WorkflowServiceResponse<'ListScheduleMatchingTimes'> {
      const live = requireSchedule(runner, namespaceOf(req.namespace), req.scheduleId);
      const start = timestampMs(req.startTime);
      const end = timestampMs(req.endTime);
      if (start === undefined || end === undefined) throw invalidArgument('missing or invalid query');
      return { startTime: matchingTimes(live, start, end) };
    },
  };
}
