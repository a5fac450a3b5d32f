// GetWorkflowExecutionHistory(Reverse): pages, the close-event filter and long polls.
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
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

function encodePageToken(t: PageToken): Buffer {
  return Buffer.from(JSON.stringify(t));
}

function decodePageToken(bytes: Uint8Array | undefined): PageToken | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const t = JSON.parse(Buffer.from(bytes).toString('utf8')) as PageToken;
    if (typeof t.runId === 'string' && typeof t.next === 'number') return t;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid next page token.');
}

/** Resolves when `until` holds after a new event, the wait times out, or the call ends. */
function waitFor(e: Engine, run: Run, ctx: CallContext, until: () => boolean): Promise<void> {
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
    const timer = setTimeout(done, e.historyPollTimeoutMs);
    const unsubscribe = ctx.onCancel(done);
  });
}

export async function getHistory(e: Engine, req: Msg, ctx: CallContext): Promise<Msg> {
  const token = decodePageToken(req.nextPageToken);
  const execution = token ? { ...req.execution, runId: token.runId } : req.execution;
  let view: RunView = requireRun(e, req.namespace, execution);
  const closeOnly = req.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT';
  const pageSize = Number(req.maximumPageSize) > 0 ? Number(req.maximumPageSize) : DEFAULT_HISTORY_PAGE_SIZE;

  if (closeOnly) {
    if (view.live?.open && req.waitNewEvent) {
      const run = view.live;
      await waitFor(e, run, ctx, () => !run.open);
      view = e.runs.findByRunId(view.core.runId) ?? view;
    }
    if (view.core.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING') {
      return { history: { events: [] }, nextPageToken: encodePageToken({ runId: view.core.runId, next: 0 }) };
    }
    const closeEvent = view.eventsReverse(view.core.historyLength, 1);
    return { [RAW_HISTORY]: closeEvent, history: {} };
  }

  const from = token?.next ?? 1;
  if (req.waitNewEvent && view.live?.open && view.core.historyLength < from) {
    const run = view.live;
    await waitFor(e, run, ctx, () => run.core.historyLength >= from || !run.open);
    view = e.runs.findByRunId(view.core.runId) ?? view;
  }
  const events = view.events(from, pageSize);
  const next = from + events.length;
  const more = next <= view.core.historyLength || (req.waitNewEvent && view.core.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING');
  return {
    [RAW_HISTORY]: events,
    history: {},
    nextPageToken: more ? encodePageToken({ runId: view.core.runId, next }) : undefined,
  };
}

export function getHistoryReverse(e: Engine, req: Msg): Msg {
  const token = decodePageToken(req.nextPageToken);
  const execution = token ? { ...req.execution, runId: token.runId } : req.execution;
  const view = requireRun(e, req.namespace, execution);
  const pageSize = Number(req.maximumPageSize) > 0 ? Number(req.maximumPageSize) : DEFAULT_HISTORY_PAGE_SIZE;
  const to = token?.next ?? view.core.historyLength;
  const events = view.eventsReverse(to, pageSize);
  const next = to - events.length;
  return {
    [RAW_HISTORY]: events,
    history: {},
    nextPageToken: next >= 1 ? encodePageToken({ runId: view.core.runId, next }) : undefined,
  };
}
