// Finding the run a request names, with the server's NOT_FOUND / INVALID_ARGUMENT wording.
import { invalidArgument, notFound } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';
import type { RunView } from './run-index.js';

export function workflowNotFound(workflowId: string, runId?: string) {
  return notFound(`Workflow execution not found. WorkflowId: ${workflowId}, RunId: ${runId || '(latest)'}.`);
}

/** Any run (open or closed) named by a WorkflowExecution message; latest run when runId is empty. */
export function requireRun(e: Engine, namespace: string, execution: Msg | undefined): RunView {
  e.namespaces.get(namespace);
  const workflowId: string | undefined = execution?.workflowId;
  if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
  const view = e.runs.find(namespace, workflowId, execution?.runId || undefined);
  if (!view) throw workflowNotFound(workflowId, execution?.runId);
  return view;
}

/** NOT_FOUND for a task token that names no started task: says so when its workflow has closed. */
export function staleTaskError(e: Engine, runId: string, what: 'Workflow task' | 'Activity task') {
  const view = e.runs.findByRunId(runId);
  const closed = view !== undefined && !(view.live && view.live.open);
  return notFound(closed ? 'workflow execution already completed' : `${what} not found.`);
}

/** The open run named by a WorkflowExecution message; NOT_FOUND if it has closed. */
export function requireOpenRun(e: Engine, namespace: string, execution: Msg | undefined): Run {
  const view = requireRun(e, namespace, execution);
  if (!view.live || !view.live.open) throw notFound('workflow execution already completed');
  return view.live;
}
