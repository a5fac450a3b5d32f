// DescribeWorkflowExecution: the run's info, configuration and pending work.
import { durationMs, timestamp } from '../clock/time.js';
import type { PendingActivityInfo, PendingChildExecutionInfo, PendingWorkflowTaskInfo, WorkflowExecutionInfo } from '../grpc/api.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import type { Engine } from './engine.js';
import { requireRun } from './lookup.js';
import type { Run } from './run.js';
import type { ActivityState, RunCore } from './types.js';

function executionInfo(core: RunCore): WorkflowExecutionInfo {
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

function activityState(activity: ActivityState): PendingActivityInfo['state'] {
  if (activity.cancelRequested) return 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED';
  return activity.phase === 'started' ? 'PENDING_ACTIVITY_STATE_STARTED' : 'PENDING_ACTIVITY_STATE_SCHEDULED';
}

function pendingActivity(activity: ActivityState): PendingActivityInfo {
  const attrs = activity.attrs;
  const scheduleToCloseMs = durationMs(attrs.scheduleToCloseTimeout);
  return {
    activityId: attrs.activityId,
    activityType: attrs.activityType,
    state: activityState(activity),
    heartbeatDetails: activity.heartbeatDetails,
    lastHeartbeatTime: activity.lastHeartbeatTime !== undefined ? timestamp(activity.lastHeartbeatTime) : undefined,
    lastStartedTime: activity.startedTime !== undefined ? timestamp(activity.startedTime) : undefined,
    attempt: activity.attempt,
    maximumAttempts: attrs.retryPolicy?.maximumAttempts ?? 0,
    scheduledTime: timestamp(activity.attemptScheduledTime),
    expirationTime: scheduleToCloseMs > 0 ? timestamp(activity.scheduledTime + scheduleToCloseMs) : undefined,
    lastFailure: activity.lastFailure,
    lastWorkerIdentity: activity.startedIdentity,
    currentRetryInterval:
      activity.phase === 'backoff' ? timestamp(activity.attemptScheduledTime - (activity.startedTime ?? activity.scheduledTime)) : undefined,
  };
}

function pendingChildren(run: Run): PendingChildExecutionInfo[] {
  return [...run.children.values()].map((child) => ({
    workflowId: child.workflowId,
    runId: child.runId,
    workflowTypeName: child.workflowType,
    initiatedId: child.initiatedEventId,
    parentClosePolicy: child.parentClosePolicy,
  }));
}

function pendingWorkflowTask(run: Run): PendingWorkflowTaskInfo | undefined {
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

export function describeWorkflowExecution(
  engine: Engine,
  req: WorkflowServiceRequest<'DescribeWorkflowExecution'>,
): WorkflowServiceResponse<'DescribeWorkflowExecution'> & { workflowExecutionInfo: WorkflowExecutionInfo } {
  const view = requireRun(engine, req.namespace, req.execution);
  const core = view.core;
  const run = view.live?.open ? view.live : undefined;
  return {
    executionConfig: {
      taskQueue: { name: core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowExecutionTimeout: core.start.workflowExecutionTimeout,
      workflowRunTimeout: core.start.workflowRunTimeout,
      defaultWorkflowTaskTimeout: core.start.workflowTaskTimeout,
      userMetadata: core.userMetadata,
    },
    workflowExecutionInfo: executionInfo(core),
    pendingActivities: run ? [...run.activities.values()].map(pendingActivity) : [],
    pendingChildren: run ? pendingChildren(run) : [],
    pendingWorkflowTask: run ? pendingWorkflowTask(run) : undefined,
  };
}
