// Workflow id reuse and conflict policies: may a new run start under this workflow id?
import type { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '../grpc/api.js';
import { alreadyExists } from '../grpc/errors.js';
import type { Engine } from './engine.js';
import { packAny } from '../grpc/proto.js';
import type { Run } from './run.js';
import type { RunCore } from './types.js';

/** ALREADY_EXISTS with the WorkflowExecutionAlreadyStartedFailure detail naming the run in the way. */
function alreadyStarted(message: string, core: RunCore) {
  return alreadyExists(message, [
    packAny('temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', { startRequestId: core.startRequestId, runId: core.runId }),
  ]);
}

export type StartDecision =
  { action: 'start' } | { action: 'use-existing'; run: Run } | { action: 'terminate-existing'; run: Run } | { action: 'duplicate-request'; runId: string };

export function decideStart(
  engine: Engine,
  namespace: string,
  workflowId: string,
  reusePolicy: WorkflowIdReusePolicy | undefined,
  conflictPolicy: WorkflowIdConflictPolicy | undefined,
  requestId: string | undefined,
): StartDecision {
  const open = engine.runs.openRun(namespace, workflowId);
  if (open) {
    if (requestId && open.core.startRequestId === requestId) return { action: 'duplicate-request', runId: open.core.runId };
    if (conflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING') return { action: 'use-existing', run: open };
    if (conflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' || reusePolicy === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING') {
      return { action: 'terminate-existing', run: open };
    }
    throw alreadyStarted(`Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${open.core.runId}.`, open.core);
  }
  const latest = engine.runs.find(namespace, workflowId);
  if (!latest) return { action: 'start' };
  if (requestId && latest.core.startRequestId === requestId) return { action: 'duplicate-request', runId: latest.core.runId };
  if (reusePolicy === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE') {
    throw alreadyStarted(
      `Workflow execution already finished and its id may not be reused. WorkflowId: ${workflowId}, RunId: ${latest.core.runId}.`,
      latest.core,
    );
  }
  if (reusePolicy === 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY' && latest.core.status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED') {
    throw alreadyStarted(
      `Workflow execution already finished successfully. WorkflowId: ${workflowId}, RunId: ${latest.core.runId}. Workflow Id reuse policy: allow duplicate workflow Id if last run failed.`,
      latest.core,
    );
  }
  return { action: 'start' };
}
