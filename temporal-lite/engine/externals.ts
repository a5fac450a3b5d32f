// Signals and cancellation requests a workflow sends to other workflows.
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import { requestCancel, signalRun } from './run-requests.js';
import type { ExternalRequestState } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

function findTarget(engine: Engine, source: Run, request: ExternalRequestState): Run | undefined {
  const attrs = request.attrs;
  const execution = attrs.workflowExecution ?? {};
  const namespace = attrs.namespace || source.core.namespace;
  const target = engine.runs.openRun(namespace, execution.workflowId ?? '');
  if (!target) return undefined;
  if (execution.runId && target.core.runId !== execution.runId && target.core.firstRunId !== execution.runId) return undefined;
  if (attrs.childWorkflowOnly && target.core.parent?.runId !== source.core.runId) return undefined;
  return target;
}

export function deliverExternal(engine: Engine, source: Run, request: ExternalRequestState): void {
  if (!source.open || source.externals.get(request.initiatedEventId) !== request) return;
  source.externals.delete(request.initiatedEventId);
  source.touchItem('external', request.initiatedEventId);
  const attrs = request.attrs;
  const execution = attrs.workflowExecution ?? {};
  const namespace = attrs.namespace || source.core.namespace;
  const target = findTarget(engine, source, request);
  const sourceExecution = { workflowId: source.core.workflowId, runId: source.core.runId };
  const identity = `workflow ${source.core.workflowId}`;
  const targetExecution = { workflowId: execution.workflowId, runId: target?.core.runId ?? execution.runId };
  const common = { initiatedEventId: request.initiatedEventId, namespace, workflowExecution: targetExecution, control: attrs.control };
  if (request.kind === 'signal') {
    const signal = request.attrs;
    if (target) {
      signalRun(engine, target, { signalName: signal.signalName, input: signal.input, header: signal.header, identity, externalWorkflowExecution: sourceExecution });
      addExternalEvent(engine, source, 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED', common);
    } else {
      addExternalEvent(engine, source, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', {
        ...common,
        cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
        workflowTaskCompletedEventId: attrs.workflowTaskCompletedEventId,
      });
    }
  } else if (target) {
    requestCancel(engine, target, { reason: request.attrs.reason, identity, externalInitiatedEventId: request.initiatedEventId, externalWorkflowExecution: sourceExecution });
    addExternalEvent(engine, source, 'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED', { initiatedEventId: request.initiatedEventId, namespace, workflowExecution: targetExecution });
  } else {
    addExternalEvent(engine, source, 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', {
      ...common,
      cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
      workflowTaskCompletedEventId: attrs.workflowTaskCompletedEventId,
    });
  }
  scheduleWorkflowTask(engine, source);
}
