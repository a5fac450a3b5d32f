import type { EventAttributes } from '../../grpc/api.js';
import { startChild } from '../children.js';
import { deliverExternal } from '../externals.js';
import { appendEvent } from '../history.js';
import type { ChildState, ExternalRequestState } from '../types.js';
import { appendCommandEvent, commandHandler, type CommandContext } from './command.js';

export const startChildWorkflow = commandHandler({
  attributes: 'startChildWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES',
  validate(attrs, batch) {
    if (!attrs.workflowId) return 'WorkflowId is not set on StartChildWorkflowExecutionCommand.';
    if (!attrs.workflowType?.name) return 'WorkflowType is not set on StartChildWorkflowExecutionCommand.';
    if (attrs.namespace && attrs.namespace !== batch.run.core.namespace) return 'Child workflows in another namespace are not supported.';
    if (attrs.cronSchedule) return 'Cron schedules are not supported by temporal-lite.';
    return undefined;
  },
  apply(ctx, attrs) {
    const run = ctx.run;
    const initiated: EventAttributes<'START_CHILD_WORKFLOW_EXECUTION_INITIATED'> = {
      ...attrs,
      namespace: run.core.namespace,
      taskQueue: { name: attrs.taskQueue?.name || run.core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowTaskCompletedEventId: ctx.completedEventId,
    };
    const initiatedEventId = appendCommandEvent(ctx, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED', initiated);
    const child: ChildState = {
      initiatedEventId,
      namespace: run.core.namespace,
      // Validated: both are set.
      workflowId: attrs.workflowId ?? '',
      workflowType: attrs.workflowType?.name ?? '',
      parentClosePolicy: attrs.parentClosePolicy,
      pendingStart: initiated,
      userMetadata: ctx.userMetadata,
      wftCompletedEventId: ctx.completedEventId,
    };
    run.children.set(initiatedEventId, child);
    run.touchItem('child', initiatedEventId);
    ctx.after.push(() => startChild(ctx.engine, run, child));
  },
});

export const signalExternal = commandHandler({
  attributes: 'signalExternalWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
  validate(attrs) {
    if (!attrs.execution?.workflowId) return 'WorkflowId is not set on SignalExternalWorkflowExecutionCommand.';
    if (!attrs.signalName) return 'SignalName is not set on SignalExternalWorkflowExecutionCommand.';
    return undefined;
  },
  apply(ctx, attrs) {
    const initiated: EventAttributes<'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'> = {
      ...requestBase(ctx, attrs),
      workflowExecution: attrs.execution,
      signalName: attrs.signalName,
      input: attrs.input,
      header: attrs.header,
    };
    const initiatedEventId = appendEvent(ctx.engine, ctx.run, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', initiated);
    track(ctx, { initiatedEventId, kind: 'signal', attrs: { ...initiated } });
  },
});

export const cancelExternal = commandHandler({
  attributes: 'requestCancelExternalWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
  validate: (attrs) => (attrs.workflowId ? undefined : 'WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand.'),
  apply(ctx, attrs) {
    const initiated: EventAttributes<'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'> = {
      ...requestBase(ctx, attrs),
      workflowExecution: { workflowId: attrs.workflowId, runId: attrs.runId },
      reason: attrs.reason,
    };
    const initiatedEventId = appendEvent(ctx.engine, ctx.run, 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', initiated);
    track(ctx, { initiatedEventId, kind: 'cancel', attrs: { ...initiated } });
  },
});

/** What the initiated event of a signal or cancellation request carries either way. */
function requestBase(ctx: CommandContext, attrs: { control?: string; childWorkflowOnly?: boolean }) {
  return {
    namespace: ctx.run.core.namespace,
    control: attrs.control,
    childWorkflowOnly: attrs.childWorkflowOnly,
    workflowTaskCompletedEventId: ctx.completedEventId,
  };
}

/** Keeps the request pending until it is delivered, after all of the task's commands. */
function track(ctx: CommandContext, request: ExternalRequestState): void {
  const { engine, run } = ctx;
  run.externals.set(request.initiatedEventId, request);
  run.touchItem('external', request.initiatedEventId);
  ctx.after.push(() => deliverExternal(engine, run, request));
}
