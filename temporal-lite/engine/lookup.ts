// Finding the run a request names, with the server's NOT_FOUND / INVALID_ARGUMENT wording.
import type { WorkflowExecution } from '../grpc/api.js';
import { invalidArgument, notFound } from '../grpc/errors.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';
import type { RunView } from './run-index.js';

export function workflowNotFound(workflowId: string, runId?: string | null) {
  return notFound(`Workflow execution not found. WorkflowId: ${workflowId}, RunId: ${runId || '(latest)'}.`);
}

/** Any run (open or closed) named by a WorkflowExecution message; latest run when runId is empty. */
export function requireRun(engine: Engine, namespace: string | null | undefined, execution: WorkflowExecution | null | undefined): RunView {
  const name = engine.namespaces.get(namespace ?? '').name;
  const workflowId = execution?.workflowId;
  if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
  const view = engine.runs.find(name, workflowId, execution?.runId || undefined);
  if (!view) throw workflowNotFound(workflowId, execution?.runId);
  return view;
}

/** NOT_FOUND for a task token that names no started task: says so when its workflow has closed. */
export function staleTaskError(engine: Engine, runId: string, what: 'Workflow task' | 'Activity task') {
  const view = engine.runs.findByRunId(runId);
  const closed = view !== undefined && !(view.live && view.live.open);
  return notFound(closed ? 'workflow execution already completed' : `${what} not found.`);
}

/** The open run named by a WorkflowExecution message; NOT_FOUND if it has closed. */
export function requireOpenRun(engine: Engine, namespace: string | null | undefined, execution: WorkflowExecution | null | undefined): Run {
  const view = requireRun(engine, namespace, execution);
  if (!view.live || !view.live.open) throw notFound('workflow execution already completed');
  return view.live;
}
