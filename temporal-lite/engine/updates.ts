// Workflow updates: admission by RPC (deduplicated by update id), delivery as protocol
// messages on a workflow task, and the worker's acceptance / response / rejection.
import type { ProtocolMessage, UpdateLifecycleStage, UpdateRequest, UpdateWaitPolicy } from '../grpc/api.js';
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument, notFound } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { unpackAny } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { appendEvent } from './history.js';
import { requireRun } from './lookup.js';
import type { Run } from './run.js';
import type { RunView } from './run-index.js';
import { UPDATE_STAGE, type UpdateStage, type UpdateState } from './types.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

const STAGE_NAMES: Record<UpdateStage, UpdateLifecycleStage> = {
  [UPDATE_STAGE.admitted]: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  [UPDATE_STAGE.accepted]: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
  [UPDATE_STAGE.completed]: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
};

const UPDATE_PROTOCOL = ['temporal.api.update.v1.Acceptance', 'temporal.api.update.v1.Response', 'temporal.api.update.v1.Rejection'] as const;

function wantedStage(policy: UpdateWaitPolicy | undefined, fallback: UpdateStage): UpdateStage {
  switch (policy?.lifecycleStage) {
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED':
      return UPDATE_STAGE.admitted;
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED':
      return UPDATE_STAGE.accepted;
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED':
      return UPDATE_STAGE.completed;
    default:
      return fallback;
  }
}

function notifyUpdate(run: Run, updateId: string): void {
  for (const wake of run.updateWaiters.get(updateId) ?? []) wake();
}

/** Waits until the update reaches `stage`, the run closes, the call ends or the wait times out. */
function waitForStage(engine: Engine, run: Run | undefined, updateId: string, stage: UpdateStage, ctx: CallContext): Promise<void> {
  const current = () => run?.updates.get(updateId);
  if (!run || !run.open || (current()?.stage ?? UPDATE_STAGE.completed) >= stage) return Promise.resolve();
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
      if (!run.open || (current()?.stage ?? UPDATE_STAGE.completed) >= stage) done();
    };
    waiters.add(check);
    const timer = setTimeout(done, engine.historyPollTimeoutMs);
    const unsubscribe = ctx.onCancel(done);
  });
}

type UpdateResponse = WorkflowServiceResponse<'UpdateWorkflowExecution'>;

function response(core: { workflowId: string; runId: string }, updateId: string, update: UpdateState): UpdateResponse {
  return {
    updateRef: { workflowExecution: { workflowId: core.workflowId, runId: core.runId }, updateId },
    outcome: update.stage >= UPDATE_STAGE.completed ? update.outcome : undefined,
    stage: STAGE_NAMES[update.stage],
  };
}

export async function updateWorkflowExecution(
  engine: Engine,
  req: WorkflowServiceRequest<'UpdateWorkflowExecution'>,
  ctx: CallContext,
): Promise<UpdateResponse> {
  const view = requireRun(engine, req.namespace, req.workflowExecution);
  const { request, updateId } = validUpdateRequest(req);
  if (!view.update(updateId)) {
    const run = view.live;
    if (!run || !run.open) throw notFound('workflow execution already completed');
    admitUpdate(engine, run, updateId, request);
  }
  return awaitUpdate(engine, view, updateId, req.waitPolicy, ctx);
}

/** The update request and its id; INVALID_ARGUMENT (Temporal's wording) without them. */
export function validUpdateRequest(req: WorkflowServiceRequest<'UpdateWorkflowExecution'>): { request: UpdateRequest; updateId: string } {
  const request = req.request;
  if (!request?.meta) throw invalidArgument('Update meta is not set on request.');
  const updateId = request.meta.updateId;
  if (!updateId) throw invalidArgument('Update id is not set on request.');
  if (!request.input?.name) throw invalidArgument('Update name is not set on request.');
  return { request, updateId };
}

/** Admits an update to an open run: it rides on the run's next workflow task. */
export function admitUpdate(engine: Engine, run: Run, updateId: string, request: UpdateRequest): void {
  run.updates.set(updateId, { updateId, request, stage: UPDATE_STAGE.admitted, delivered: false });
  run.touchItem('update', updateId);
  engine.committer.enlist(run);
  scheduleWorkflowTask(engine, run);
}

/** Waits for the stage the wait policy asks (default: accepted) and answers with the update's state. */
export async function awaitUpdate(
  engine: Engine,
  view: RunView,
  updateId: string,
  waitPolicy: UpdateWaitPolicy | undefined,
  ctx: CallContext,
): Promise<UpdateResponse> {
  const run = view.live;
  await waitForStage(engine, run, updateId, wantedStage(waitPolicy, UPDATE_STAGE.accepted), ctx);
  const update = run?.updates.get(updateId) ?? view.update(updateId);
  if (!update) throw notFound('workflow execution already completed');
  return response(view.core, updateId, update);
}

export async function pollWorkflowExecutionUpdate(
  engine: Engine,
  req: WorkflowServiceRequest<'PollWorkflowExecutionUpdate'>,
  ctx: CallContext,
): Promise<WorkflowServiceResponse<'PollWorkflowExecutionUpdate'>> {
  const ref = req.updateRef ?? {};
  const view = requireRun(engine, req.namespace, ref.workflowExecution);
  const updateId = ref.updateId;
  if (!updateId) throw invalidArgument('Update id is not set on request.');
  if (!view.update(updateId)) throw notFound(`Update ${updateId} not found.`);
  await waitForStage(engine, view.live, updateId, wantedStage(req.waitPolicy, UPDATE_STAGE.completed), ctx);
  const update = view.live?.updates.get(updateId) ?? view.update(updateId);
  if (!update) throw notFound('workflow execution already completed');
  return response(view.core, updateId, update);
}

/** Checks a protocol message from a workflow task completion; returns an error message if bad. */
export function validateUpdateMessage(run: Run, message: ProtocolMessage): string | undefined {
  const body = unpackAny(message.body, UPDATE_PROTOCOL);
  if (!body) return `Protocol message ${message.id} has no decodable body.`;
  const update = run.updates.get(message.protocolInstanceId ?? '');
  if (!update) return `Protocol message ${message.id} refers to unknown update ${message.protocolInstanceId}.`;
  if (update.stage === UPDATE_STAGE.completed) return `Update ${update.updateId} is already completed.`;
  return undefined;
}

/** Applies a protocol message that validateUpdateMessage accepted. */
export function applyUpdateMessage(engine: Engine, run: Run, message: ProtocolMessage, workflowTaskCompletedEventId: number): void {
  const body = unpackAny(message.body, UPDATE_PROTOCOL);
  const update = run.updates.get(message.protocolInstanceId ?? '');
  if (!body || !update) return;
  if ('otherType' in body) {
    engine.logger.warn(`ignoring protocol message of type ${body.otherType} (workflow task completed event ${workflowTaskCompletedEventId})`);
    return;
  }
  switch (body.typeName) {
    case 'temporal.api.update.v1.Acceptance':
      update.acceptedEventId = appendEvent(engine, run, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED', {
        protocolInstanceId: update.updateId,
        acceptedRequestMessageId: body.message.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: body.message.acceptedRequestSequencingEventId,
        acceptedRequest: body.message.acceptedRequest ?? update.request,
      });
      update.stage = UPDATE_STAGE.accepted;
      break;
    case 'temporal.api.update.v1.Response':
      appendEvent(engine, run, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED', {
        meta: body.message.meta,
        acceptedEventId: update.acceptedEventId,
        outcome: body.message.outcome,
      });
      update.stage = UPDATE_STAGE.completed;
      update.outcome = body.message.outcome;
      break;
    case 'temporal.api.update.v1.Rejection':
      update.stage = UPDATE_STAGE.completed;
      update.outcome = { failure: body.message.failure };
      break;
  }
  run.touchItem('update', update.updateId);
  notifyUpdate(run, update.updateId);
}

/** Updates admitted but not yet delivered to a workflow task. */
export function hasUndeliveredUpdates(run: Run): boolean {
  for (const update of run.updates.values()) if (update.stage === UPDATE_STAGE.admitted && !update.delivered) return true;
  return false;
}
