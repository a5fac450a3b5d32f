// Queries: attached to a scheduled workflow task (the `queries` map), or sent as legacy
// query tasks when the run has no task (including closed runs). Nothing is written to history.
import { randomUUID } from 'node:crypto';
import type { CallContext } from '../grpc/call-context.js';
import { deadlineExceeded, invalidArgument, notFound } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import type { Engine, LegacyQuery } from './engine.js';
import { requireRun } from './lookup.js';
import type { PendingQuery, Run } from './run.js';
import type { RunView } from './run-index.js';
import { decodeToken } from './tokens.js';
import type { RunCore } from './types.js';
import { dispatchWorkflowTask } from './workflow-tasks.js';

export function dispatchLegacyQuery(e: Engine, core: RunCore, q: PendingQuery): void {
  const expiry = setTimeout(() => {
    endLegacyQuery(e, q.id)?.reject(deadlineExceeded(`No worker answered the query within ${e.queryTaskTimeoutMs} ms.`));
  }, e.queryTaskTimeoutMs).unref();
  const legacy: LegacyQuery = { ...q, namespace: core.namespace, runId: core.runId, expiry };
  e.legacyQueries.set(q.id, legacy);
  e.matching.workflowQueue(core.namespace, core.taskQueue).offer({ kind: 'query', query: legacy });
}

/**
 * While a query task of a run is out, its workflow tasks wait: a worker that starts a newer task
 * before answering the query would fail the query as expired (its history is older).
 */
export function queryHoldsWorkflowTasks(e: Engine, runId: string): boolean {
  for (const q of e.legacyQueries.values()) if (q.runId === runId) return true;
  return false;
}

/** Takes a query task out (answered, expired or abandoned) and releases a task it held. */
function endLegacyQuery(e: Engine, queryId: string): LegacyQuery | undefined {
  const q = e.legacyQueries.get(queryId);
  if (!q) return undefined;
  e.legacyQueries.delete(queryId);
  clearTimeout(q.expiry);
  const run = e.runs.live(q.runId);
  if (run?.wftHeld && !queryHoldsWorkflowTasks(e, q.runId)) {
    run.wftHeld = false;
    dispatchWorkflowTask(e, run);
  }
  return q;
}

/** Settles a query from a worker's answer (QueryResultType + answer/errorMessage). */
export function settleQuery(q: PendingQuery, resultType: string | undefined, answer: Msg | undefined, errorMessage: string | undefined): void {
  if (resultType === 'QUERY_RESULT_TYPE_ANSWERED') q.resolve({ queryResult: answer });
  else q.reject(invalidArgument(errorMessage || 'query failed'));
}

function rejected(view: RunView, condition: string | undefined): Msg | undefined {
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

export function queryWorkflow(e: Engine, req: Msg, ctx: CallContext): Promise<Msg> | Msg {
  const view = requireRun(e, req.namespace, req.execution);
  if (!req.query?.queryType) throw invalidArgument('Query type is not set on request.');
  const reject = rejected(view, req.queryRejectCondition);
  if (reject) return reject;
  return new Promise<Msg>((resolve, rejectQuery) => {
    const q: PendingQuery = { id: randomUUID(), query: req.query, resolve, reject: rejectQuery };
    const run = view.live;
    if (run && run.open) placeOnRun(e, run, q);
    else dispatchLegacyQuery(e, view.core, q);
    ctx.onCancel(() => forget(e, run, q));
  });
}

function placeOnRun(e: Engine, run: Run, q: PendingQuery): void {
  const wft = run.core.wft;
  if (wft && wft.startedEventId === undefined) run.wftQueries.push(q);
  else if (wft) run.waitingQueries.push(q);
  else dispatchLegacyQuery(e, run.core, q);
}

function forget(e: Engine, run: Run | undefined, q: PendingQuery): void {
  endLegacyQuery(e, q.id);
  if (!run) return;
  run.wftQueries = run.wftQueries.filter((x) => x !== q);
  run.waitingQueries = run.waitingQueries.filter((x) => x !== q);
}

export function respondQueryTaskCompleted(e: Engine, req: Msg): Msg {
  const t = decodeToken(req.taskToken, 'query');
  const q = t.k === 'query' ? endLegacyQuery(e, t.q) : undefined;
  if (!q) throw notFound('Query task not found: it timed out or was already answered.');
  settleQuery(q, req.completedType, req.queryResult, req.errorMessage);
  return {};
}
