import { startChild } from '../children.js';
import { deliverExternal } from '../externals.js';
import { appendEvent } from '../history.js';
import type { ChildState, ExternalRequestState } from '../types.js';
import type { CommandHandler } from './command.js';

export const startChildWorkflow: CommandHandler = {
  attributes: 'startChildWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES',
  validate(a, batch) {
    if (!a.workflowId) return 'WorkflowId is not set on StartChildWorkflowExecutionCommand.';
    if (!a.workflowType?.name) return 'WorkflowType is not set on StartChildWorkflowExecutionCommand.';
    if (a.namespace && a.namespace !== batch.run.core.namespace) return 'Child workflows in another namespace are not supported.';
    if (a.cronSchedule) return 'Cron schedules are not supported by temporal-lite.';
    return undefined;
  },
  apply(ctx, a) {
    const run = ctx.run;
    const attrs = {
      ...a,
      namespace: run.core.namespace,
      taskQueue: { name: a.taskQueue?.name || run.core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowTaskCompletedEventId: ctx.completedEventId,
    };
    const initiatedEventId = appendEvent(ctx.e, run, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED', attrs);
    const child: ChildState = {
      initiatedEventId,
      namespace: run.core.namespace,
      workflowId: a.workflowId,
      workflowType: a.workflowType.name,
      parentClosePolicy: a.parentClosePolicy,
      pendingStart: attrs,
      wftCompletedEventId: ctx.completedEventId,
    };
    run.children.set(initiatedEventId, child);
    run.touchItem('child', initiatedEventId);
    ctx.after.push(() => startChild(ctx.e, run, child));
  },
};

function externalHandler(kind: 'signal' | 'cancel'): CommandHandler {
  const signal = kind === 'signal';
  return {
    attributes: signal ? 'signalExternalWorkflowExecutionCommandAttributes' : 'requestCancelExternalWorkflowExecutionCommandAttributes',
    cause: signal
      ? 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES'
      : 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
    validate(a) {
      const exec = signal ? a.execution : a;
      if (!exec?.workflowId) return `WorkflowId is not set on ${signal ? 'SignalExternalWorkflowExecutionCommand' : 'RequestCancelExternalWorkflowExecutionCommand'}.`;
      if (signal && !a.signalName) return 'SignalName is not set on SignalExternalWorkflowExecutionCommand.';
      return undefined;
    },
    apply(ctx, a) {
      const run = ctx.run;
      const execution = signal ? a.execution : { workflowId: a.workflowId, runId: a.runId };
      const eventAttrs = signal
        ? { namespace: run.core.namespace, workflowExecution: execution, signalName: a.signalName, input: a.input, control: a.control, childWorkflowOnly: a.childWorkflowOnly, header: a.header }
        : { namespace: run.core.namespace, workflowExecution: execution, control: a.control, childWorkflowOnly: a.childWorkflowOnly, reason: a.reason };
      const initiatedEventId = appendEvent(
        ctx.e,
        run,
        signal ? 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED' : 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
        { ...eventAttrs, workflowTaskCompletedEventId: ctx.completedEventId },
      );
      const req: ExternalRequestState = { initiatedEventId, kind, attrs: { ...eventAttrs, workflowTaskCompletedEventId: ctx.completedEventId } };
      run.externals.set(initiatedEventId, req);
      run.touchItem('external', initiatedEventId);
      ctx.after.push(() => deliverExternal(ctx.e, run, req));
    },
  };
}

export const signalExternal = externalHandler('signal');
export const cancelExternal = externalHandler('cancel');
