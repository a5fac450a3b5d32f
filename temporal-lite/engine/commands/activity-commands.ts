import { duration, durationMs } from '../../clock/time.js';
import type { Msg } from '../../grpc/proto.js';
import { addActivity, requestActivityCancel } from '../activities.js';
import { decodeEvent } from '../event-codec.js';
import { appendEvent } from '../history.js';
import { withRetryDefaults } from '../retry-policy.js';
import type { CommandHandler } from './command.js';

const DUPLICATE = 'duplicate activity id';

export const scheduleActivity: CommandHandler = {
  attributes: 'scheduleActivityTaskCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
  causeFor: (m) => (m.includes(DUPLICATE) ? 'WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID' : undefined),
  validate(a, batch) {
    if (!a.activityId) return 'ActivityId is not set on ScheduleActivityTaskCommand.';
    if (!a.activityType?.name) return 'ActivityType is not set on ScheduleActivityTaskCommand.';
    if (durationMs(a.startToCloseTimeout) <= 0 && durationMs(a.scheduleToCloseTimeout) <= 0) {
      return 'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.';
    }
    if (batch.activityIds.has(a.activityId)) return `ScheduleActivityTaskCommand: ${DUPLICATE} ${a.activityId}.`;
    batch.activityIds.add(a.activityId);
    return undefined;
  },
  apply(ctx, a) {
    const run = ctx.run;
    const runTimeout = durationMs(run.core.start.workflowRunTimeout);
    const s2c = durationMs(a.scheduleToCloseTimeout) || runTimeout;
    const attrs: Msg = {
      activityId: a.activityId,
      activityType: a.activityType,
      taskQueue: { name: a.taskQueue?.name || run.core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: a.header,
      input: a.input,
      scheduleToCloseTimeout: duration(s2c),
      scheduleToStartTimeout: duration(durationMs(a.scheduleToStartTimeout) || s2c),
      startToCloseTimeout: duration(durationMs(a.startToCloseTimeout) || s2c),
      heartbeatTimeout: duration(durationMs(a.heartbeatTimeout)),
      workflowTaskCompletedEventId: ctx.completedEventId,
      retryPolicy: withRetryDefaults(a.retryPolicy),
      useWorkflowBuildId: a.useWorkflowBuildId,
      priority: a.priority,
    };
    const id = appendEvent(ctx.e, run, 'ACTIVITY_TASK_SCHEDULED', attrs);
    // Eager execution: the completing worker runs it from the response instead of a poll. Core
    // asks only for activities on the workflow's own queue, which is what the server checks too.
    const eager = !!a.requestEagerExecution && attrs.taskQueue.name === run.core.taskQueue;
    addActivity(ctx.e, run, id, attrs, !eager);
    if (eager) ctx.eagerActivities.push(id);
  },
};

export const requestCancelActivity: CommandHandler = {
  attributes: 'requestCancelActivityTaskCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES',
  validate(a, batch) {
    const id = Number(a.scheduledEventId ?? 0);
    if (batch.run.activities.has(id)) return undefined;
    // An activity whose result is still buffered behind this task is no longer pending, but real.
    const bytes = id > 0 ? batch.run.events[id - 1] : undefined;
    if (bytes && decodeEvent(bytes).eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') return undefined;
    return `RequestCancelActivityTaskCommand: no activity was scheduled with event id ${id}.`;
  },
  apply(ctx, a) {
    const id = Number(a.scheduledEventId);
    const act = ctx.run.activities.get(id);
    if (act) {
      if (requestActivityCancel(ctx.e, ctx.run, act, ctx.completedEventId)) ctx.needsTask = true;
    } else {
      appendEvent(ctx.e, ctx.run, 'ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId: id, workflowTaskCompletedEventId: ctx.completedEventId });
    }
  },
};
