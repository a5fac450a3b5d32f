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
  const target = findTarget(engine, source, request);
  const summary = requestSummary(source, request, target);
  if (!target) reportTargetNotFound(engine, source, request, summary);
  else if (request.kind === 'signal') deliverSignal(engine, source, request, target, summary);
  else deliverCancel(engine, source, request, target, summary);
  scheduleWorkflowTask(engine, source);
}

/** What the source's result events say about the request: its event, namespace, target execution and control. */
function requestSummary(source: Run, request: ExternalRequestState, target: Run | undefined) {
  const attrs = request.attrs;
  const execution = attrs.workflowExecution ?? {};
  return {
    initiatedEventId: request.initiatedEventId,
    namespace: attrs.namespace || source.core.namespace,
    workflowExecution: { workflowId: execution.workflowId, runId: target?.core.runId ?? execution.runId },
    control: attrs.control,
  };
}

type RequestSummary = ReturnType<typeof requestSummary>;

const sourceOf = (source: Run) => ({
  identity: `workflow ${source.core.workflowId}`,
  execution: { workflowId: source.core.workflowId, runId: source.core.runId },
});

function reportTargetNotFound(engine: Engine, source: Run, request: ExternalRequestState, summary: RequestSummary): void {
  const workflowTaskCompletedEventId = request.attrs.workflowTaskCompletedEventId;
  if (request.kind === 'signal') {
    const cause = 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND';
    addExternalEvent(engine, source, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', { ...summary, cause, workflowTaskCompletedEventId });
  } else {
    const cause = 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND';
    addExternalEvent(engine, source, 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', { ...summary, cause, workflowTaskCompletedEventId });
  }
}

function deliverSignal(engine: Engine, source: Run, request: ExternalRequestState & { kind: 'signal' }, target: Run, summary: RequestSummary): void {
  const { identity, execution } = sourceOf(source);
  const signal = request.attrs;
  signalRun(engine, target, { signalName: signal.signalName, input: signal.input, header: signal.header, identity, externalWorkflowExecution: execution });
  addExternalEvent(engine, source, 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED', summary);
}

function deliverCancel(engine: Engine, source: Run, request: ExternalRequestState & { kind: 'cancel' }, target: Run, summary: RequestSummary): void {
  const { identity, execution } = sourceOf(source);
  requestCancel(engine, target, {
    reason: request.attrs.reason,
    identity,
    externalInitiatedEventId: request.initiatedEventId,
    externalWorkflowExecution: execution,
  });
  const { initiatedEventId, namespace, workflowExecution } = summary;
  addExternalEvent(engine, source, 'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED', { initiatedEventId, namespace, workflowExecution });
}
