// A child workflow's close, reported to its parent as a ChildWorkflowExecution* event.
import type { EventAttributes } from '../grpc/api.js';
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import type { RunStatus } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

/** How a run closed: its status and the attributes of its close event. */
export type RunClose =
  | { status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED'; attrs: EventAttributes<'WORKFLOW_EXECUTION_COMPLETED'> }
  | { status: 'WORKFLOW_EXECUTION_STATUS_FAILED'; attrs: EventAttributes<'WORKFLOW_EXECUTION_FAILED'> }
  | { status: 'WORKFLOW_EXECUTION_STATUS_CANCELED'; attrs: EventAttributes<'WORKFLOW_EXECUTION_CANCELED'> }
  | { status: 'WORKFLOW_EXECUTION_STATUS_TERMINATED'; attrs: EventAttributes<'WORKFLOW_EXECUTION_TERMINATED'> }
  | { status: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'; attrs: EventAttributes<'WORKFLOW_EXECUTION_TIMED_OUT'> }
  | { status: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW'; attrs: EventAttributes<'WORKFLOW_EXECUTION_CONTINUED_AS_NEW'> };

/** Close statuses with their close event type. */
export const CLOSE_EVENT = {
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'WORKFLOW_EXECUTION_COMPLETED',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'WORKFLOW_EXECUTION_FAILED',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'WORKFLOW_EXECUTION_CANCELED',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'WORKFLOW_EXECUTION_TERMINATED',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'WORKFLOW_EXECUTION_TIMED_OUT',
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
} as const satisfies Record<Exclude<RunStatus, 'WORKFLOW_EXECUTION_STATUS_RUNNING'>, string>;

type ChildEvent = {
  [T in 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'TIMED_OUT']: {
    type: `CHILD_WORKFLOW_EXECUTION_${T}`;
    attrs: EventAttributes<`CHILD_WORKFLOW_EXECUTION_${T}`>;
  };
}['COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'TIMED_OUT'];

type ChildEventBase = Pick<EventAttributes<'CHILD_WORKFLOW_EXECUTION_COMPLETED'>, 'namespace' | 'workflowExecution' | 'workflowType' | 'initiatedEventId'>;

/** The parent's event for a child's close; undefined for a close the parent does not hear of (continue-as-new). */
function childEvent(close: RunClose, base: ChildEventBase): ChildEvent | undefined {
  switch (close.status) {
    case 'WORKFLOW_EXECUTION_STATUS_COMPLETED':
      return { type: 'CHILD_WORKFLOW_EXECUTION_COMPLETED', attrs: { ...base, result: close.attrs.result } };
    case 'WORKFLOW_EXECUTION_STATUS_FAILED':
      return { type: 'CHILD_WORKFLOW_EXECUTION_FAILED', attrs: { ...base, failure: close.attrs.failure, retryState: close.attrs.retryState } };
    case 'WORKFLOW_EXECUTION_STATUS_CANCELED':
      return { type: 'CHILD_WORKFLOW_EXECUTION_CANCELED', attrs: { ...base, details: close.attrs.details } };
    case 'WORKFLOW_EXECUTION_STATUS_TERMINATED':
      return { type: 'CHILD_WORKFLOW_EXECUTION_TERMINATED', attrs: base };
    case 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT':
      return { type: 'CHILD_WORKFLOW_EXECUTION_TIMED_OUT', attrs: { ...base, retryState: close.attrs.retryState } };
    case 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW':
      return undefined;
  }
}

/** Tells the parent (if it still waits for this child) that the child closed. */
export function notifyParent(engine: Engine, child: Run, close: RunClose): void {
  const link = child.core.parent;
  if (!link) return;
  const parent = engine.runs.live(link.runId);
  if (!parent || !parent.open) return;
  const state = parent.children.get(link.initiatedEventId);
  if (!state) return;
  const event = childEvent(close, {
    namespace: child.core.namespace,
    workflowExecution: { workflowId: child.core.workflowId, runId: state.runId ?? child.core.runId },
    workflowType: { name: state.workflowType },
    initiatedEventId: link.initiatedEventId,
  });
  if (!event) return;
  parent.children.delete(link.initiatedEventId);
  parent.touchItem('child', link.initiatedEventId);
  addExternalEvent(engine, parent, event.type, event.attrs);
  scheduleWorkflowTask(engine, parent);
}
