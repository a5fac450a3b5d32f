// Signals and cancellation requests a workflow sends to other workflows.
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import { requestCancel, signalRun } from './run-operations.js';
import type { ExternalRequestState } from './types.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

function findTarget(e: Engine, source: Run, req: ExternalRequestState): Run | undefined {
  const a = req.attrs;
  const exec = a.execution ?? a.workflowExecution ?? {};
  const ns = a.namespace || source.core.namespace;
  const target = e.runs.openRun(ns, exec.workflowId ?? '');
  if (!target) return undefined;
  if (exec.runId && target.core.runId !== exec.runId && target.core.firstRunId !== exec.runId) return undefined;
  if (a.childWorkflowOnly && target.core.parent?.runId !== source.core.runId) return undefined;
  return target;
}

export function deliverExternal(e: Engine, source: Run, req: ExternalRequestState): void {
  if (!source.open || source.externals.get(req.initiatedEventId) !== req) return;
  source.externals.delete(req.initiatedEventId);
  source.touchItem('external', req.initiatedEventId);
  const a = req.attrs;
  const exec = a.execution ?? a.workflowExecution ?? {};
  const namespace = a.namespace || source.core.namespace;
  const target = findTarget(e, source, req);
  const sourceExec = { workflowId: source.core.workflowId, runId: source.core.runId };
  const common = { initiatedEventId: req.initiatedEventId, namespace, workflowExecution: { workflowId: exec.workflowId, runId: target?.core.runId ?? exec.runId }, control: a.control };
  if (req.kind === 'signal') {
    if (target) {
      signalRun(e, target, { signalName: a.signalName, input: a.input, header: a.header, identity: `workflow ${source.core.workflowId}`, externalWorkflowExecution: sourceExec });
      addExternalEvent(e, source, 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED', common);
    } else {
      addExternalEvent(e, source, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', {
        ...common,
        cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
        workflowTaskCompletedEventId: a.workflowTaskCompletedEventId,
      });
    }
  } else if (target) {
    requestCancel(e, target, { reason: a.reason, identity: `workflow ${source.core.workflowId}`, externalInitiatedEventId: req.initiatedEventId, externalWorkflowExecution: sourceExec });
    addExternalEvent(e, source, 'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED', { initiatedEventId: req.initiatedEventId, namespace, workflowExecution: common.workflowExecution });
  } else {
    addExternalEvent(e, source, 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', {
      ...common,
      cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
      workflowTaskCompletedEventId: a.workflowTaskCompletedEventId,
    });
  }
  scheduleWorkflowTask(e, source);
}
