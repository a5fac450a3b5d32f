// Workflow updates: admission by RPC (deduplicated by update id), delivery as protocol
// messages on a workflow task, and the worker's acceptance / response / rejection.
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument, notFound } from '../grpc/errors.js';
import { unpackAny, type Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { requireRun } from './lookup.js';
import type { Run } from './run.js';
import type { UpdateStage, UpdateState } from './types.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

const STAGE_NAMES = ['UNSPECIFIED', 'ADMITTED', 'ACCEPTED', 'COMPLETED'].map((s) => `UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_${s}`);

function wantedStage(policy: Msg | undefined, fallback: UpdateStage): UpdateStage {
  const i = STAGE_NAMES.indexOf(policy?.lifecycleStage);
  return i >= 1 ? (i as UpdateStage) : fallback;
}

function notifyUpdate(run: Run, updateId: string): void {
  for (const w of run.updateWaiters.get(updateId) ?? []) w();
}

/** Waits until the update reaches `stage`, the run closes, the call ends or the wait times out. */
function waitForStage(e: Engine, run: Run | undefined, updateId: string, stage: UpdateStage, ctx: CallContext): Promise<void> {
  const current = () => run?.updates.get(updateId);
  if (!run || !run.open || (current()?.stage ?? 3) >= stage) return Promise.resolve();
  return new Promise((resolve) => {
    const waiters = run.updateWaiters.get(updateId) ?? new Set<() => void>();
    run.updateWaiters.set(updateId, waiters);
    const done = () => {
      waiters.delete(check);
      if (waiters.size === 0) run.updateWaiters.delete(updateId);
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const check = () => {
      if (!run.open || (current()?.stage ?? 3) >= stage) done();
    };
    waiters.add(check);
    const timer = setTimeout(done, e.historyPollTimeoutMs);
    const unsubscribe = ctx.onCancel(done);
  });
}

function response(core: { workflowId: string; runId: string }, updateId: string, u: Msg | undefined): Msg {
  return {
    updateRef: { workflowExecution: { workflowId: core.workflowId, runId: core.runId }, updateId },
    outcome: u && u.stage >= 3 ? u.outcome : undefined,
    stage: STAGE_NAMES[u?.stage ?? 1],
  };
}

export async function updateWorkflowExecution(e: Engine, req: Msg, ctx: CallContext): Promise<Msg> {
  const view = requireRun(e, req.namespace, req.workflowExecution);
  const updateId: string | undefined = req.request?.meta?.updateId;
  if (!updateId) throw invalidArgument('Update id is not set on request.');
  if (!req.request?.input?.name) throw invalidArgument('Update name is not set on request.');
  const run = view.live;
  if (!view.update(updateId)) {
    if (!run || !run.open) throw notFound('workflow execution already completed');
    const u: UpdateState = { updateId, request: req.request, stage: 1, delivered: false };
    run.updates.set(updateId, u);
    run.touchItem('update', updateId);
    e.committer.enlist(run);
    scheduleWorkflowTask(e, run);
  }
  await waitForStage(e, run, updateId, wantedStage(req.waitPolicy, 2), ctx);
  const u = run?.updates.get(updateId) ?? view.update(updateId);
  if (!u) throw notFound('workflow execution already completed');
  return response(view.core, updateId, u);
}

export async function pollWorkflowExecutionUpdate(e: Engine, req: Msg, ctx: CallContext): Promise<Msg> {
  const ref = req.updateRef ?? {};
  const view = requireRun(e, req.namespace, ref.workflowExecution);
  if (!ref.updateId) throw invalidArgument('Update id is not set on request.');
  if (!view.update(ref.updateId)) throw notFound(`Update ${ref.updateId} not found.`);
  await waitForStage(e, view.live, ref.updateId, wantedStage(req.waitPolicy, 3), ctx);
  const u = view.live?.updates.get(ref.updateId) ?? view.update(ref.updateId);
  if (!u) throw notFound('workflow execution already completed');
  return response(view.core, ref.updateId, u);
}

/** Checks a protocol message from a workflow task completion; returns an error message if bad. */
export function validateUpdateMessage(run: Run, message: Msg): string | undefined {
  const body = unpackAny(message.body);
  if (!body) return `Protocol message ${message.id} has no decodable body.`;
  const u = run.updates.get(message.protocolInstanceId);
  if (!u) return `Protocol message ${message.id} refers to unknown update ${message.protocolInstanceId}.`;
  if (u.stage === 3) return `Update ${u.updateId} is already completed.`;
  return undefined;
}

export function applyUpdateMessage(e: Engine, run: Run, message: Msg, workflowTaskCompletedEventId: number): void {
  const body = unpackAny(message.body)!;
  const u = run.updates.get(message.protocolInstanceId)!;
  const m = body.message;
  switch (body.typeName) {
    case 'temporal.api.update.v1.Acceptance':
      u.acceptedEventId = appendEvent(e, run, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', {
        protocolInstanceId: u.updateId,
        acceptedRequestMessageId: m.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: m.acceptedRequestSequencingEventId,
        acceptedRequest: m.acceptedRequest ?? u.request,
      });
      u.stage = 2;
      break;
    case 'temporal.api.update.v1.Response':
      appendEvent(e, run, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED', { meta: m.meta, acceptedEventId: u.acceptedEventId, outcome: m.outcome });
      u.stage = 3;
      u.outcome = m.outcome;
      break;
    case 'temporal.api.update.v1.Rejection':
      u.stage = 3;
      u.outcome = { failure: m.failure };
      break;
    default:
      e.logger.warn(`ignoring protocol message of type ${body.typeName} (workflow task completed event ${workflowTaskCompletedEventId})`);
      return;
  }
  run.touchItem('update', u.updateId);
  notifyUpdate(run, u.updateId);
}

/** Updates admitted but not yet delivered to a workflow task. */
export function hasUndeliveredUpdates(run: Run): boolean {
  for (const u of run.updates.values()) if (u.stage === 1 && !u.delivered) return true;
  return false;
}
