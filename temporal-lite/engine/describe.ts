// DescribeWorkflowExecution and the WorkflowExecutionInfo shared with visibility listings.
import { durationMs, timestamp } from '../clock/time.js';
import type { Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { requireRun } from './lookup.js';
import type { Run } from './run.js';
import type { RunCore } from './types.js';

export function executionInfo(core: RunCore): Msg {
  return {
    execution: { workflowId: core.workflowId, runId: core.runId },
    type: { name: core.workflowType },
    startTime: timestamp(core.startTime),
    closeTime: core.closeTime !== undefined ? timestamp(core.closeTime) : undefined,
    status: core.status,
    historyLength: core.historyLength,
    historySizeBytes: core.historySize,
    executionTime: timestamp(core.executionTime),
    memo: core.memo,
    searchAttributes: core.searchAttributes,
    taskQueue: core.taskQueue,
    stateTransitionCount: core.stateTransitions,
    parentNamespaceId: core.parent?.namespace,
    parentExecution: core.parent && { workflowId: core.parent.workflowId, runId: core.parent.runId },
    rootExecution: core.root ?? { workflowId: core.workflowId, runId: core.runId },
    firstRunId: core.firstRunId,
    executionDuration: core.closeTime !== undefined ? timestamp(core.closeTime - core.startTime) : undefined,
  };
}

function pendingActivities(run: Run): Msg[] {
  return [...run.activities.values()].map((a) => {
    const policy = a.attrs.retryPolicy ?? {};
    const s2cMs = durationMs(a.attrs.scheduleToCloseTimeout);
    return {
      activityId: a.attrs.activityId,
      activityType: a.attrs.activityType,
      state: a.cancelRequested ? 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED' : a.phase === 'started' ? 'PENDING_ACTIVITY_STATE_STARTED' : 'PENDING_ACTIVITY_STATE_SCHEDULED',
      heartbeatDetails: a.heartbeatDetails,
      lastHeartbeatTime: a.lastHeartbeatTime !== undefined ? timestamp(a.lastHeartbeatTime) : undefined,
      lastStartedTime: a.startedTime !== undefined ? timestamp(a.startedTime) : undefined,
      attempt: a.attempt,
      maximumAttempts: policy.maximumAttempts ?? 0,
      scheduledTime: timestamp(a.attemptScheduledTime),
      expirationTime: s2cMs > 0 ? timestamp(a.scheduledTime + s2cMs) : undefined,
      lastFailure: a.lastFailure,
      lastWorkerIdentity: a.startedIdentity,
      currentRetryInterval: a.phase === 'backoff' ? timestamp(a.attemptScheduledTime - (a.startedTime ?? a.scheduledTime)) : undefined,
    };
  });
}

function pendingChildren(run: Run): Msg[] {
  return [...run.children.values()].map((c) => ({
    workflowId: c.workflowId,
    runId: c.runId,
    workflowTypeName: c.workflowType,
    initiatedId: c.initiatedEventId,
    parentClosePolicy: c.parentClosePolicy,
  }));
}

function pendingWorkflowTask(run: Run): Msg | undefined {
  const wft = run.core.wft;
  if (!wft) return undefined;
  return {
    state: wft.startedEventId !== undefined ? 'PENDING_WORKFLOW_TASK_STATE_STARTED' : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
    scheduledTime: timestamp(wft.scheduledTime),
    originalScheduledTime: timestamp(wft.scheduledTime),
    startedTime: wft.startedTime !== undefined ? timestamp(wft.startedTime) : undefined,
    attempt: wft.attempt,
  };
}

export function describeWorkflowExecution(e: Engine, req: Msg): Msg {
  const view = requireRun(e, req.namespace, req.execution);
  const core = view.core;
  const run = view.live?.open ? view.live : undefined;
  return {
    executionConfig: {
      taskQueue: { name: core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowExecutionTimeout: core.start.workflowExecutionTimeout,
      workflowRunTimeout: core.start.workflowRunTimeout,
      defaultWorkflowTaskTimeout: core.start.workflowTaskTimeout,
    },
    workflowExecutionInfo: executionInfo(core),
    pendingActivities: run ? pendingActivities(run) : [],
    pendingChildren: run ? pendingChildren(run) : [],
    pendingWorkflowTask: run ? pendingWorkflowTask(run) : undefined,
  };
}
