// Worker-facing RPCs: polls and task responses for workflow and activity tasks.
import type { TaskQueue } from '../grpc/api.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceHandlers, WorkflowServiceRequest } from '../grpc/handlers.js';
import { activityCanceled, activityCompleted, activityFailed } from '../engine/activity-attempts.js';
import { activityById, activityFromToken, claimActivityTask, recordHeartbeat } from '../engine/activity-tasks.js';
import type { Engine } from '../engine/engine.js';
import { requireOpenRun } from '../engine/lookup.js';
import { respondQueryTaskCompleted } from '../engine/queries.js';
import type { Run } from '../engine/run.js';
import type { ActivityState } from '../engine/types.js';
import { completeWorkflowTask, failWorkflowTaskRpc } from '../engine/wft-completion.js';
import { moveToNormalQueue } from '../engine/workflow-task-dispatch.js';
import { claimWorkflowTask } from '../engine/workflow-tasks.js';

function queueName(taskQueue: TaskQueue | undefined): string {
  const name = taskQueue?.name;
  if (!name) throw invalidArgument('TaskQueue is not set on request.');
  return name;
}

/** The activity attempt a response names, by task token or by workflow and activity id. */
type Target = { run: Run; activity: ActivityState };

interface ByIdRequest {
  namespace?: string;
  workflowId?: string;
  runId?: string;
  activityId?: string;
}

function byId(engine: Engine, req: ByIdRequest): Target {
  if (!req.activityId) throw invalidArgument('ActivityId is not set on request.');
  const run = requireOpenRun(engine, req.namespace, { workflowId: req.workflowId, runId: req.runId });
  return { run, activity: activityById(run, req.activityId) };
}

export function taskHandlers(engine: Engine): WorkflowServiceHandlers {
  return { ...workflowTaskHandlers(engine), ...activityTaskHandlers(engine), ...queueHandlers(engine) };
}

function workflowTaskHandlers(engine: Engine): WorkflowServiceHandlers {
  return {
    PollWorkflowTaskQueue: async (req, ctx) => {
      const identity = req.identity ?? '';
      const sticky = req.taskQueue?.kind === 'TASK_QUEUE_KIND_STICKY';
      const queue = engine.matching.workflowQueue(req.namespace ?? '', queueName(req.taskQueue));
      const task = await queue.poll((ref) => claimWorkflowTask(engine, ref, { identity, sticky }), ctx, engine.pollTimeoutMs, identity, engine.clock.now());
      return task ?? {};
    },
    RespondWorkflowTaskCompleted: (req) => completeWorkflowTask(engine, req),
    RespondWorkflowTaskFailed: (req) => failWorkflowTaskRpc(engine, req),
    RespondQueryTaskCompleted: (req) => respondQueryTaskCompleted(engine, req),
  };
}

function activityTaskHandlers(engine: Engine): WorkflowServiceHandlers {
  // Each activity response exists by task token and by workflow/activity id.
  const byToken = (req: { taskToken?: Buffer }): Target => activityFromToken(engine, req.taskToken);
  const heartbeat = ({ run, activity }: Target, req: WorkflowServiceRequest<'RecordActivityTaskHeartbeat'>) =>
    recordHeartbeat(engine, run, activity, req.details);
  const completed = ({ run, activity }: Target, req: WorkflowServiceRequest<'RespondActivityTaskCompleted'>) => {
    activityCompleted(engine, run, activity, req.result, req.identity);
    return {};
  };
  const failed = ({ run, activity }: Target, req: WorkflowServiceRequest<'RespondActivityTaskFailed'>) => {
    activityFailed(engine, run, activity, req.failure, req.identity, req.lastHeartbeatDetails);
    return {};
  };
  const canceled = ({ run, activity }: Target, req: WorkflowServiceRequest<'RespondActivityTaskCanceled'>) => {
    activityCanceled(engine, run, activity, req.details, req.identity);
    return {};
  };
  return {
    PollActivityTaskQueue: async (req, ctx) => {
      const identity = req.identity ?? '';
      const queue = engine.matching.activityQueue(req.namespace ?? '', queueName(req.taskQueue));
      const task = await queue.poll((ref) => claimActivityTask(engine, ref, identity), ctx, engine.pollTimeoutMs, identity, engine.clock.now());
      return task ?? {};
    },
    RecordActivityTaskHeartbeat: (req) => heartbeat(byToken(req), req),
    RecordActivityTaskHeartbeatById: (req) => heartbeat(byId(engine, req), req),
    RespondActivityTaskCompleted: (req) => completed(byToken(req), req),
    RespondActivityTaskCompletedById: (req) => completed(byId(engine, req), req),
    RespondActivityTaskFailed: (req) => failed(byToken(req), req),
    RespondActivityTaskFailedById: (req) => failed(byId(engine, req), req),
    RespondActivityTaskCanceled: (req) => canceled(byToken(req), req),
    RespondActivityTaskCanceledById: (req) => canceled(byId(engine, req), req),
  };
}

function queueHandlers(engine: Engine): WorkflowServiceHandlers {
  return {
    ResetStickyTaskQueue: (req) => {
      moveToNormalQueue(engine, requireOpenRun(engine, req.namespace, req.execution));
      return {};
    },
    ShutdownWorker: (req) => {
      const sticky = req.stickyTaskQueue;
      if (sticky) {
        for (const run of engine.runs.openRuns()) if (run.core.stickyQueue === sticky) moveToNormalQueue(engine, run);
        engine.matching.workflowQueue(req.namespace ?? '', sticky).releasePollers();
      }
      return {};
    },
    DescribeTaskQueue: (req) => {
      const name = queueName(req.taskQueue);
      const namespace = req.namespace ?? '';
      const queue =
        req.taskQueueType === 'TASK_QUEUE_TYPE_ACTIVITY' ? engine.matching.activityQueue(namespace, name) : engine.matching.workflowQueue(namespace, name);
      return {
        pollers: [...queue.recentPollers.values()].map((poller) => ({
          identity: poller.identity,
          lastAccessTime: { seconds: Math.floor(poller.lastAccessTime / 1000), nanos: 0 },
        })),
      };
    },
  };
}
