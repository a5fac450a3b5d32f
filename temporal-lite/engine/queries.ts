// QueryWorkflow and RespondQueryTaskCompleted: a query rides on the run's scheduled workflow
// task (the `queries` map), waits for the one in flight, or goes out as a legacy query task.
import { randomUUID } from 'node:crypto';
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument, notFound } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import type { Engine } from './engine.js';
import { requireRun } from './lookup.js';
import { dispatchLegacyQuery, endLegacyQuery, settleQuery } from './query-tasks.js';
import type { PendingQuery, Run } from './run.js';
import type { RunView } from './run-index.js';
import { decodeToken } from './tokens.js';

type QueryResponse = WorkflowServiceResponse<'QueryWorkflow'>;

function rejected(view: RunView, condition: WorkflowServiceRequest<'QueryWorkflow'>['queryRejectCondition']): QueryResponse | undefined {
  const status = view.core.status;
  if (condition === 'QUERY_REJECT_CONDITION_NOT_OPEN' && status !== 'WORKFLOW_EXECUTION_STATUS_RUNNING') return { queryRejected: { status } };
  if (
    condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' &&
    status !== 'WORKFLOW_EXECUTION_STATUS_RUNNING' &&
    status !== 'WORKFLOW_EXECUTION_STATUS_COMPLETED'
  ) {
    return { queryRejected: { status } };
  }
  return undefined;
}

export function queryWorkflow(engine: Engine, req: WorkflowServiceRequest<'QueryWorkflow'>, ctx: CallContext): Promise<QueryResponse> | QueryResponse {
  const view = requireRun(engine, req.namespace, req.execution);
  const query = req.query;
  if (!query?.queryType) throw invalidArgument('Query type is not set on request.');
  const reject = rejected(view, req.queryRejectCondition);
  if (reject) return reject;
  return new Promise<QueryResponse>((resolve, rejectQuery) => {
    const pending: PendingQuery = { id: randomUUID(), query, resolve, reject: rejectQuery };
    const run = view.live;
    if (run && run.open) placeOnRun(engine, run, pending);
    else dispatchLegacyQuery(engine, view.core, pending);
    ctx.onCancel(() => forget(engine, run, pending));
  });
}

function placeOnRun(engine: Engine, run: Run, query: PendingQuery): void {
  const wft = run.core.wft;
  if (wft && wft.startedEventId === undefined) run.wftQueries.push(query);
  else if (wft) run.waitingQueries.push(query);
  else dispatchLegacyQuery(engine, run.core, query);
}

function forget(engine: Engine, run: Run | undefined, query: PendingQuery): void {
  endLegacyQuery(engine, query.id);
  if (!run) return;
  run.wftQueries = run.wftQueries.filter((other) => other !== query);
  run.waitingQueries = run.waitingQueries.filter((other) => other !== query);
}

export function respondQueryTaskCompleted(
  engine: Engine,
  req: WorkflowServiceRequest<'RespondQueryTaskCompleted'>,
): WorkflowServiceResponse<'RespondQueryTaskCompleted'> {
  const token = decodeToken(req.taskToken, 'query');
  const query = endLegacyQuery(engine, token.queryId);
  if (!query) throw notFound('Query task not found: it timed out or was already answered.');
  settleQuery(query, req.completedType, req.queryResult, req.errorMessage);
  return {};
}
