// ExecuteMultiOperation: update-with-start, as Temporal's frontend validates it
// (service/frontend/workflow_handler.go ExecuteMultiOperation) and its history service runs it
// (service/history/api/multioperation/api.go): attach to the update if it exists, update the
// running workflow when the start is a retry of its own or the conflict policy is USE_EXISTING,
// else start a run (per the reuse and conflict policies) that receives the update with its first
// workflow task. Errors come as MultiOperationExecutionFailure: one status per operation, the
// one that was not at fault "aborted".
import { status } from '@grpc/grpc-js';
import type { AnyMessage } from '../grpc/api.js';
import type { CallContext } from '../grpc/call-context.js';
import { invalidArgument, RpcError } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { packAny } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { terminateRun } from './run-lifecycle.js';
import type { RunView } from './run-index.js';
import { decideStart } from './start-policy.js';
import { start, validateStart } from './starts.js';
import { admitUpdate, awaitUpdate, validUpdateRequest } from './updates.js';

type MultiRequest = WorkflowServiceRequest<'ExecuteMultiOperation'>;
type MultiResponse = WorkflowServiceResponse<'ExecuteMultiOperation'>;
type StartRequest = WorkflowServiceRequest<'StartWorkflowExecution'>;
type UpdateRequest = WorkflowServiceRequest<'UpdateWorkflowExecution'>;

const NOT_START_AND_UPDATE = 'Operations have to be exactly [Start, Update].';

/** An operation's outcome in a MultiOperationExecutionFailure: its own error, aborted, or fine. */
type OperationStatus = RpcError | 'aborted' | 'ok';

function operationStatus(op: OperationStatus) {
  if (op === 'ok') return { code: status.OK };
  if (op === 'aborted') {
    const details: AnyMessage[] = [packAny('temporal.api.failure.v1.MultiOperationExecutionAborted', {})];
    return { code: status.ABORTED, message: 'Operation was aborted.', details };
  }
  return { code: op.code, message: op.message, details: op.details };
}

/** The whole request's error: the code of the first operation at fault, every operation's status in the detail. */
function multiOperationError(message: string, start: OperationStatus, update: OperationStatus): RpcError {
  const fault = [start, update].find((op): op is RpcError => op instanceof RpcError);
  const detail = packAny('temporal.api.errordetails.v1.MultiOperationExecutionFailure', { statuses: [operationStatus(start), operationStatus(update)] });
  return new RpcError(fault?.code ?? status.ABORTED, message, [detail]);
}

/** Runs `check`; an RpcError it throws becomes the operation's status. */
function statusOf(check: () => void): OperationStatus {
  try {
    check();
    return 'ok';
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  }
}

/** The frontend's checks of each operation before any is run. */
function validate(engine: Engine, req: MultiRequest): { startReq: StartRequest; updateReq: UpdateRequest } {
  const operations = req.operations ?? [];
  const startReq = operations[0]?.startWorkflow;
  const updateReq = operations[1]?.updateWorkflow;
  if (operations.length !== 2 || !startReq || !updateReq) throw invalidArgument(NOT_START_AND_UPDATE);
  const sameNamespace = (namespace: string | undefined) => {
    if (namespace && namespace !== req.namespace) throw invalidArgument("Operation namespace did not match request's namespace.");
  };
  const startStatus = statusOf(() => {
    sameNamespace(startReq.namespace);
    validateStart(engine, { ...startReq, namespace: req.namespace });
    if (startReq.cronSchedule) throw invalidArgument('CronSchedule is not allowed.');
    if (startReq.requestEagerExecution) throw invalidArgument('RequestEagerExecution is not supported.');
    if (startReq.workflowStartDelay) throw invalidArgument('WorkflowStartDelay is not supported.');
  });
  let updateStatus = statusOf(() => {
    sameNamespace(updateReq.namespace);
    if (!updateReq.workflowExecution?.workflowId) throw invalidArgument('WorkflowId is not set on request.');
    validUpdateRequest(updateReq);
  });
  if (startStatus === 'ok' && updateStatus === 'ok' && updateReq.workflowExecution?.workflowId !== startReq.workflowId) {
    updateStatus = invalidArgument('WorkflowId is not consistent with previous operation(s).');
  }
  if (startStatus !== 'ok' || updateStatus !== 'ok') {
    throw multiOperationError(
      'MultiOperation could not be executed.',
      startStatus === 'ok' ? 'aborted' : startStatus,
      updateStatus === 'ok' ? 'aborted' : updateStatus,
    );
  }
  return { startReq: { ...startReq, namespace: req.namespace }, updateReq: { ...updateReq, namespace: req.namespace } };
}

/** Both operations' responses, once the update has reached the stage asked for. */
async function respond(engine: Engine, view: RunView, started: boolean, updateReq: UpdateRequest, ctx: CallContext): Promise<MultiResponse> {
  const { updateId } = validUpdateRequest(updateReq);
  let updateResponse;
  try {
    updateResponse = await awaitUpdate(engine, view, updateId, updateReq.waitPolicy, ctx);
  } catch (err) {
    if (err instanceof RpcError)
      throw multiOperationError(`MultiOperation could not be executed: Update failed: ${err.message}`, started ? 'ok' : 'aborted', err);
    throw err;
  }
  return {
    responses: [{ startWorkflow: { runId: view.core.runId, started, status: view.core.status } }, { updateWorkflow: updateResponse }],
  };
}

export async function executeMultiOperation(engine: Engine, req: MultiRequest, ctx: CallContext): Promise<MultiResponse> {
  const { startReq, updateReq } = validate(engine, req);
  const namespace = engine.namespaces.get(req.namespace ?? '').name;
  const workflowId = startReq.workflowId ?? '';
  const { request, updateId } = validUpdateRequest(updateReq);

  const latest = engine.runs.find(namespace, workflowId);
  // An update this id names already: the same request again, answered from its state.
  if (latest?.update(updateId)) return respond(engine, latest, false, updateReq, ctx);
  const open = latest?.live?.open ? latest.live : undefined;
  const sameStart = !!startReq.requestId && open?.core.startRequestId === startReq.requestId;
  if (open && (sameStart || startReq.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING')) {
    admitUpdate(engine, open, updateId, request);
    return respond(engine, latest!, false, updateReq, ctx);
  }

  let decision;
  try {
    const conflictPolicy = startReq.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING' ? undefined : startReq.workflowIdConflictPolicy;
    decision = decideStart(engine, namespace, workflowId, startReq.workflowIdReusePolicy, conflictPolicy, undefined);
  } catch (err) {
    if (err instanceof RpcError) throw multiOperationError(`MultiOperation could not be executed: Start failed: ${err.message}`, err, 'aborted');
    throw err;
  }
  if (decision.action === 'terminate-existing') {
    terminateRun(engine, decision.run, { reason: 'terminated by update-with-start', identity: startReq.identity });
  }
  const valid = validateStart(engine, startReq);
  const run = start(engine, startReq, valid, (newRun) => admitUpdate(engine, newRun, updateId, request));
  const view = engine.runs.find(namespace, workflowId, run.core.runId);
  if (!view) throw new Error(`run ${run.core.runId} that just started is not found`);
  return respond(engine, view, true, updateReq, ctx);
}
