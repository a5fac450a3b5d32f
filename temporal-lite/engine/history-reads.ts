// GetWorkflowExecutionHistory(Reverse): pages, the close-event filter and long polls.
import type { WorkflowExecution } from '../grpc/api.js';
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { RAW_HISTORY } from '../grpc/raw-history.js';
import type { Engine } from './engine.js';
import { DEFAULT_HISTORY_PAGE_SIZE } from './limits.js';
import { requireRun } from './lookup.js';
import type { Run } from './run.js';
import type { RunView } from './run-index.js';

interface PageToken {
  runId: string;
  next: number;
}

type HistoryRequest = WorkflowServiceRequest<'GetWorkflowExecutionHistory'>;
type HistoryResponse = WorkflowServiceResponse<'GetWorkflowExecutionHistory'>;

function encodePageToken(token: PageToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

function decodePageToken(bytes: Uint8Array | undefined): PageToken | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const token: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (isPageToken(token)) return token;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid next page token.');
}

function isPageToken(value: unknown): value is PageToken {
  return (
    typeof value === 'object' && value !== null && 'runId' in value && typeof value.runId === 'string' && 'next' in value && typeof value.next === 'number'
  );
}

/** The run a page continues (the token's), else the one the request names. */
function pageExecution(execution: WorkflowExecution | undefined, token: PageToken | undefined): WorkflowExecution | undefined {
  return token ? { ...execution, runId: token.runId } : execution;
}

function pageSize(requested: number | undefined): number {
  return Number(requested) > 0 ? Number(requested) : DEFAULT_HISTORY_PAGE_SIZE;
}

/** Resolves when `until` holds after a new event, the wait times out, or the call ends. */
function waitFor(engine: Engine, run: Run, ctx: CallContext, until: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      run.historyWaiters.delete(check);
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const check = () => {
      if (until()) done();
    };
    run.historyWaiters.add(check);
    const timer = setTimeout(done, engine.historyPollTimeoutMs);
    const unsubscribe = ctx.onCancel(done);
  });
}

export async function getHistory(engine: Engine, req: HistoryRequest, ctx: CallContext): Promise<HistoryResponse> {
  const token = decodePageToken(req.nextPageToken);
  const view = requireRun(engine, req.namespace, pageExecution(req.execution, token));
  if (req.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT') return closeEvent(engine, view, req, ctx);
  return eventsPage(engine, view, req, token?.next ?? 1, ctx);
}

/** The close event only, once the run has closed (waiting for it with waitNewEvent). */
async function closeEvent(engine: Engine, view: RunView, req: HistoryRequest, ctx: CallContext): Promise<HistoryResponse> {
  const live = view.live;
  if (live?.open && req.waitNewEvent) {
    await waitFor(engine, live, ctx, () => !live.open);
    view = engine.runs.findByRunId(view.core.runId) ?? view;
  }
  if (view.core.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING') {
    return { history: { events: [] }, nextPageToken: encodePageToken({ runId: view.core.runId, next: 0 }) };
  }
  return { [RAW_HISTORY]: view.eventsReverse(view.core.historyLength, 1), history: {} };
}

/** Events from `from` on; with waitNewEvent, waits for them to exist while the run is open. */
async function eventsPage(engine: Engine, view: RunView, req: HistoryRequest, from: number, ctx: CallContext): Promise<HistoryResponse> {
  const live = view.live;
  if (req.waitNewEvent && live?.open && view.core.historyLength < from) {
    await waitFor(engine, live, ctx, () => live.core.historyLength >= from || !live.open);
    view = engine.runs.findByRunId(view.core.runId) ?? view;
  }
  const events = view.events(from, pageSize(req.maximumPageSize));
  const next = from + events.length;
  const more = next <= view.core.historyLength || (req.waitNewEvent && view.core.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING');
  return {
    [RAW_HISTORY]: events,
    history: {},
    nextPageToken: more ? encodePageToken({ runId: view.core.runId, next }) : undefined,
  };
}

export function getHistoryReverse(
  engine: Engine,
  req: WorkflowServiceRequest<'GetWorkflowExecutionHistoryReverse'>,
): WorkflowServiceResponse<'GetWorkflowExecutionHistoryReverse'> {
  const token = decodePageToken(req.nextPageToken);
  const view = requireRun(engine, req.namespace, pageExecution(req.execution, token));
  const to = token?.next ?? view.core.historyLength;
  const events = view.eventsReverse(to, pageSize(req.maximumPageSize));
  const next = to - events.length;
  return {
    [RAW_HISTORY]: events,
    history: {},
    nextPageToken: next >= 1 ? encodePageToken({ runId: view.core.runId, next }) : undefined,
  };
}
