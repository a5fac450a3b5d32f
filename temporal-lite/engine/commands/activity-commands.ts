import { duration, durationMs } from '../../clock/time.js';
import type { EventAttributes } from '../../grpc/api.js';
import { addActivity, requestActivityCancel } from '../activity-tasks.js';
import { decodeEvent } from '../event-codec.js';
import { appendEvent } from '../history.js';
import { withRetryDefaults } from '../retry-policy.js';
import { appendCommandEvent, commandHandler } from './command.js';

const DUPLICATE = 'duplicate activity id';

export const scheduleActivity = commandHandler({
  attributes: 'scheduleActivityTaskCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
  causeFor: (message) => (message.includes(DUPLICATE) ? 'WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID' : undefined),
  validate(attrs, batch) {
    if (!attrs.activityId) return 'ActivityId is not set on ScheduleActivityTaskCommand.';
    if (!attrs.activityType?.name) return 'ActivityType is not set on ScheduleActivityTaskCommand.';
    if (durationMs(attrs.startToCloseTimeout) <= 0 && durationMs(attrs.scheduleToCloseTimeout) <= 0) {
      return 'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.';
    }
    if (batch.activityIds.has(attrs.activityId)) return `ScheduleActivityTaskCommand: ${DUPLICATE} ${attrs.activityId}.`;
    batch.activityIds.add(attrs.activityId);
    return undefined;
  },
  apply(ctx, attrs) {
    const run = ctx.run;
    const runTimeout = durationMs(run.core.start.workflowRunTimeout);
    const scheduleToClose = durationMs(attrs.scheduleToCloseTimeout) || runTimeout;
    const taskQueue = attrs.taskQueue?.name || run.core.taskQueue;
    const scheduled: EventAttributes<'ACTIVITY_TASK_SCHEDULED'> = {
      activityId: attrs.activityId,
      activityType: attrs.activityType,
      taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: attrs.header,
      input: attrs.input,
      scheduleToCloseTimeout: duration(scheduleToClose),
      scheduleToStartTimeout: duration(durationMs(attrs.scheduleToStartTimeout) || scheduleToClose),
      startToCloseTimeout: duration(durationMs(attrs.startToCloseTimeout) || scheduleToClose),
      heartbeatTimeout: duration(durationMs(attrs.heartbeatTimeout)),
      workflowTaskCompletedEventId: ctx.completedEventId,
      retryPolicy: withRetryDefaults(attrs.retryPolicy),
      useWorkflowBuildId: attrs.useWorkflowBuildId,
      priority: attrs.priority,
    };
    const id = appendCommandEvent(ctx, 'ACTIVITY_TASK_SCHEDULED', scheduled);
    // Eager execution: the completing worker runs it from the response instead of a poll. Core
    // asks only for activities on the workflow's own queue, which is what the server checks too.
    const eager = !!attrs.requestEagerExecution && taskQueue === run.core.taskQueue;
    addActivity(ctx.engine, run, id, scheduled, !eager);
    if (eager) ctx.eagerActivities.push(id);
  },
});

export const requestCancelActivity = commandHandler({
  attributes: 'requestCancelActivityTaskCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES',
  validate(attrs, batch) {
    const id = Number(attrs.scheduledEventId ?? 0);
    if (batch.run.activities.has(id)) return undefined;
    // An activity whose result is still buffered behind this task is no longer pending, but real.
    const bytes = id > 0 ? batch.run.events[id - 1] : undefined;
    if (bytes && decodeEvent(bytes).eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') return undefined;
    return `RequestCancelActivityTaskCommand: no activity was scheduled with event id ${id}.`;
  },
  apply(ctx, attrs) {
    const id = Number(attrs.scheduledEventId);
    const activity = ctx.run.activities.get(id);
    if (activity) {
      if (requestActivityCancel(ctx.engine, ctx.run, activity, ctx.completedEventId)) ctx.needsTask = true;
    } else {
      appendEvent(ctx.engine, ctx.run, 'ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId: id, workflowTaskCompletedEventId: ctx.completedEventId });
    }
  },
});
