// Worker-facing RPCs: polls and task responses for workflow and activity tasks.
import { invalidArgument } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import type { Handlers } from '../grpc/service.js';
import {
  activityById,
  activityCanceled,
  activityCompleted,
  activityFailed,
  activityFromToken,
  claimActivityTask,
  recordHeartbeat,
} from '../engine/activities.js';
import type { Engine } from '../engine/engine.js';
import { requireOpenRun } from '../engine/lookup.js';
import type { Run } from '../engine/run.js';
import type { ActivityState } from '../engine/types.js';
import { respondQueryTaskCompleted } from '../engine/queries.js';
import { completeWorkflowTask, failWorkflowTaskRpc } from '../engine/wft-completion.js';
import { claimWorkflowTask, moveToNormalQueue } from '../engine/workflow-tasks.js';

function queueName(req: Msg): string {
  const name = req.taskQueue?.name;
  if (!name) throw invalidArgument('TaskQueue is not set on request.');
  return name;
}

function byId(e: Engine, req: Msg): { run: Run; a: ActivityState } {
  if (!req.activityId) throw invalidArgument('ActivityId is not set on request.');
  const run = requireOpenRun(e, req.namespace, { workflowId: req.workflowId, runId: req.runId });
  return { run, a: activityById(run, req.activityId) };
}

type Target = { run: Run; a: ActivityState };

export function taskHandlers(e: Engine): Handlers {
  // Each activity response exists by task token and by workflow/activity id.
  const byToken = (req: Msg): Target => activityFromToken(e, req.taskToken);
  const heartbeat = ({ run, a }: Target, req: Msg) => recordHeartbeat(e, run, a, req.details);
  const completed = ({ run, a }: Target, req: Msg) => (activityCompleted(e, run, a, req.result, req.identity), {});
  const failed = ({ run, a }: Target, req: Msg) => (activityFailed(e, run, a, req.failure, req.identity, req.lastHeartbeatDetails), {});
  const canceled = ({ run, a }: Target, req: Msg) => (activityCanceled(e, run, a, req.details, req.identity), {});
  return {
    PollWorkflowTaskQueue: async (req, ctx) => {
      const identity = req.identity ?? '';
      const sticky = req.taskQueue?.kind === 'TASK_QUEUE_KIND_STICKY';
      const q = e.matching.workflowQueue(req.namespace, queueName(req));
      const res = await q.poll((ref) => claimWorkflowTask(e, ref, { identity, sticky }), ctx, e.pollTimeoutMs, identity, e.clock.now());
      return res ?? {};
    },
    RespondWorkflowTaskCompleted: (req) => completeWorkflowTask(e, req),
    RespondWorkflowTaskFailed: (req) => failWorkflowTaskRpc(e, req),
    RespondQueryTaskCompleted: (req) => respondQueryTaskCompleted(e, req),
    PollActivityTaskQueue: async (req, ctx) => {
      const identity = req.identity ?? '';
      const q = e.matching.activityQueue(req.namespace, queueName(req));
      const res = await q.poll((ref) => claimActivityTask(e, ref, identity), ctx, e.pollTimeoutMs, identity, e.clock.now());
      return res ?? {};
    },
    RecordActivityTaskHeartbeat: (req) => heartbeat(byToken(req), req),
    RecordActivityTaskHeartbeatById: (req) => heartbeat(byId(e, req), req),
    RespondActivityTaskCompleted: (req) => completed(byToken(req), req),
    RespondActivityTaskCompletedById: (req) => completed(byId(e, req), req),
    RespondActivityTaskFailed: (req) => failed(byToken(req), req),
    RespondActivityTaskFailedById: (req) => failed(byId(e, req), req),
    RespondActivityTaskCanceled: (req) => canceled(byToken(req), req),
    RespondActivityTaskCanceledById: (req) => canceled(byId(e, req), req),
    ResetStickyTaskQueue: (req) => {
      moveToNormalQueue(e, requireOpenRun(e, req.namespace, req.execution));
      return {};
    },
    ShutdownWorker: (req) => {
      const sticky: string | undefined = req.stickyTaskQueue;
      if (sticky) {
        for (const run of e.runs.openRuns()) if (run.core.stickyQueue === sticky) moveToNormalQueue(e, run);
        e.matching.workflowQueue(req.namespace, sticky).releasePollers();
      }
      return {};
    },
    DescribeTaskQueue: (req) => {
      const name = queueName(req);
      const q = req.taskQueueType === 'TASK_QUEUE_TYPE_ACTIVITY' ? e.matching.activityQueue(req.namespace, name) : e.matching.workflowQueue(req.namespace, name);
      return {
        pollers: [...q.recentPollers.values()].map((p) => ({ identity: p.identity, lastAccessTime: { seconds: Math.floor(p.lastAccessTime / 1000), nanos: 0 } })),
      };
    },
  };
}
