// Legacy query tasks: a query goes out as a task of its own on the workflow task queue when the
// run has no workflow task to ride on (including closed runs). Nothing is written to history.
import { deadlineExceeded, invalidArgument } from '../grpc/errors.js';
import type { Payloads, QueryResultType } from '../grpc/api.js';
import type { WorkflowServiceResponse } from '../grpc/handlers.js';
import { RAW_HISTORY } from '../grpc/raw-history.js';
import type { Engine, LegacyQuery } from './engine.js';
import type { PendingQuery, Run } from './run.js';
import { encodeToken } from './tokens.js';
import type { RunCore } from './types.js';
import { dispatchWorkflowTask, queryHoldsWorkflowTasks } from './workflow-task-dispatch.js';

export function dispatchLegacyQuery(engine: Engine, core: RunCore, query: PendingQuery): void {
  const expiry = setTimeout(() => {
    endLegacyQuery(engine, query.id)?.reject(deadlineExceeded(`No worker answered the query within ${engine.queryTaskTimeoutMs} ms.`));
  }, engine.queryTaskTimeoutMs).unref();
  const legacy: LegacyQuery = { ...query, namespace: core.namespace, runId: core.runId, expiry };
  engine.legacyQueries.set(query.id, legacy);
  engine.matching.workflowQueue(core.namespace, core.taskQueue).offer({ kind: 'query', query: legacy });
}

/** Takes a query task out (answered, expired or abandoned) and releases a workflow task it held. */
export function endLegacyQuery(engine: Engine, queryId: string): LegacyQuery | undefined {
  const query = engine.legacyQueries.get(queryId);
  if (!query) return undefined;
  engine.legacyQueries.delete(queryId);
  clearTimeout(query.expiry);
  const run = engine.runs.live(query.runId);
  if (run?.wftHeld && !queryHoldsWorkflowTasks(engine, query.runId)) {
    run.wftHeld = false;
    dispatchWorkflowTask(engine, run);
  }
  return query;
}

/** Settles a query from a worker's answer (QueryResultType + answer/errorMessage). */
export function settleQuery(
  query: PendingQuery,
  resultType: QueryResultType | undefined,
  answer: Payloads | undefined,
  errorMessage: string | undefined,
): void {
  if (resultType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve({ queryResult: answer });
  else query.reject(invalidArgument(errorMessage || 'query failed'));
}

/** Queries that waited for a task: ride on the scheduled one, or go out as legacy query tasks. */
export function attachWaitingQueries(engine: Engine, run: Run): void {
  if (run.waitingQueries.length === 0) return;
  const wft = run.core.wft;
  if (wft && wft.startedEventId !== undefined) return;
  const waiting = run.waitingQueries;
  run.waitingQueries = [];
  if (wft) run.wftQueries.push(...waiting);
  else for (const query of waiting) dispatchLegacyQuery(engine, run.core, query);
}

/** The poll response of a legacy query task; undefined once the query is gone. */
export function claimLegacyQuery(engine: Engine, queryId: string, sticky: boolean): WorkflowServiceResponse<'PollWorkflowTaskQueue'> | undefined {
  const query = engine.legacyQueries.get(queryId);
  if (!query) return undefined;
  const view = engine.runs.findByRunId(query.runId);
  if (!view) return undefined;
  const core = view.core;
  // Sticky workers get no history (they have the run cached or fetch it themselves).
  const events = sticky ? [] : view.events(1, Number.MAX_SAFE_INTEGER);
  return {
    taskToken: encodeToken({ kind: 'query', namespaceId: engine.namespaces.get(core.namespace).id, taskQueue: core.taskQueue, queryId: query.id }),
    workflowExecution: { workflowId: core.workflowId, runId: core.runId },
    workflowType: { name: core.workflowType },
    previousStartedEventId: core.previousStartedEventId,
    // 0: a query-only task, no workflow task started (how Core tells it from one that is).
    startedEventId: 0,
    query: query.query,
    workflowExecutionTaskQueue: { name: core.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    [RAW_HISTORY]: events,
  };
}
