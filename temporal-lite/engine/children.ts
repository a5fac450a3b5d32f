// Child workflows: starting them after the parent's task completes, reporting the start (or
// its failure) back to the parent.
import type { EventAttributes, WorkflowIdReusePolicy } from '../grpc/api.js';
import { RpcError } from '../grpc/errors.js';
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import { startRun, terminateRun } from './run-lifecycle.js';
import { decideStart } from './start-policy.js';
import type { ChildState } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

type ChildStart = EventAttributes<'START_CHILD_WORKFLOW_EXECUTION_INITIATED'>;

export function startChild(engine: Engine, parent: Run, child: ChildState): void {
  const attrs = child.pendingStart;
  if (!parent.open || !attrs || parent.children.get(child.initiatedEventId) !== child) return;
  if (mayStart(engine, child.namespace, child.workflowId, attrs.workflowIdReusePolicy)) startChildRun(engine, parent, child, attrs);
  else reportStartFailed(engine, parent, child, attrs);
  scheduleWorkflowTask(engine, parent);
}

function startChildRun(engine: Engine, parent: Run, child: ChildState, attrs: ChildStart): void {
  const childRun = startRun(engine, {
    namespace: child.namespace,
    workflowId: child.workflowId,
    workflowType: child.workflowType,
    taskQueue: attrs.taskQueue?.name || parent.core.taskQueue,
    input: attrs.input,
    header: attrs.header,
    memo: attrs.memo,
    searchAttributes: attrs.searchAttributes,
    retryPolicy: attrs.retryPolicy,
    cronSchedule: attrs.cronSchedule,
    workflowExecutionTimeout: attrs.workflowExecutionTimeout,
    workflowRunTimeout: attrs.workflowRunTimeout,
    workflowTaskTimeout: attrs.workflowTaskTimeout,
    identity: parent.core.start.identity,
    priority: attrs.priority,
    userMetadata: child.userMetadata,
    parent: { namespace: parent.core.namespace, workflowId: parent.core.workflowId, runId: parent.core.runId, initiatedEventId: child.initiatedEventId },
    root: parent.core.root ?? { workflowId: parent.core.workflowId, runId: parent.core.runId },
  });
  child.runId = childRun.core.runId;
  child.pendingStart = undefined;
  parent.touchItem('child', child.initiatedEventId);
  addExternalEvent(engine, parent, 'CHILD_WORKFLOW_EXECUTION_STARTED', {
    namespace: child.namespace,
    initiatedEventId: child.initiatedEventId,
    workflowExecution: { workflowId: child.workflowId, runId: childRun.core.runId },
    workflowType: { name: child.workflowType },
    header: attrs.header,
  });
}

function reportStartFailed(engine: Engine, parent: Run, child: ChildState, attrs: ChildStart): void {
  parent.children.delete(child.initiatedEventId);
  parent.touchItem('child', child.initiatedEventId);
  addExternalEvent(engine, parent, 'START_CHILD_WORKFLOW_EXECUTION_FAILED', {
    namespace: child.namespace,
    workflowId: child.workflowId,
    workflowType: { name: child.workflowType },
    cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS',
    control: attrs.control,
    initiatedEventId: child.initiatedEventId,
    workflowTaskCompletedEventId: child.wftCompletedEventId,
  });
}

/** Applies the id reuse policy for a child; a running workflow with the id always blocks it. */
function mayStart(engine: Engine, namespace: string, workflowId: string, reusePolicy: WorkflowIdReusePolicy | undefined): boolean {
  try {
    const decision = decideStart(engine, namespace, workflowId, reusePolicy, undefined, undefined);
    if (decision.action === 'terminate-existing') {
      terminateRun(engine, decision.run, { reason: 'terminated by a new child workflow with the same id', identity: 'temporal-lite' });
      return true;
    }
    return decision.action === 'start';
  } catch (err) {
    if (err instanceof RpcError) return false;
    throw err;
  }
}
