// StartWorkflowExecution and SignalWithStartWorkflowExecution.
import { durationMs } from '../clock/time.js';
import { invalidArgument } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import { RAW_NESTED, type WithRawHistory } from '../grpc/raw-history.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';
import { startRun } from './run-start.js';
import { signalRun, terminateRun } from './run-operations.js';
import { decideStart } from './start-policy.js';
import { startHeldWorkflowTask } from './workflow-tasks.js';

function validateStart(e: Engine, req: Msg): void {
  e.namespaces.get(req.namespace);
  if (!req.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!req.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  for (const f of ['workflowExecutionTimeout', 'workflowRunTimeout', 'workflowTaskTimeout', 'workflowStartDelay']) {
    if (req[f] && durationMs(req[f]) < 0) throw invalidArgument(`Invalid ${f}: it must not be negative.`);
  }
  if (req.cronSchedule) throw invalidArgument('Cron schedules are not supported by temporal-lite.');
  e.validateSearchAttributes(req.namespace, req.searchAttributes);
}

function start(e: Engine, req: Msg, beforeFirstTask?: (run: Run) => void, holdFirstTask?: boolean): Run {
  return startRun(e, {
    namespace: req.namespace,
    workflowId: req.workflowId,
    workflowType: req.workflowType.name,
    taskQueue: req.taskQueue.name,
    input: req.input,
    header: req.header,
    memo: req.memo,
    searchAttributes: req.searchAttributes,
    retryPolicy: req.retryPolicy,
    cronSchedule: req.cronSchedule,
    workflowExecutionTimeout: req.workflowExecutionTimeout,
    workflowRunTimeout: req.workflowRunTimeout,
    workflowTaskTimeout: req.workflowTaskTimeout,
    identity: req.identity,
    requestId: req.requestId,
    userMetadata: req.userMetadata,
    priority: req.priority,
    firstTaskDelayMs: durationMs(req.workflowStartDelay),
    beforeFirstTask,
    holdFirstTask,
  });
}

export function startWorkflowExecution(e: Engine, req: Msg): Msg {
  validateStart(e, req);
  const decision = decideStart(e, req.namespace, req.workflowId, req.workflowIdReusePolicy, req.workflowIdConflictPolicy, req.requestId);
  switch (decision.action) {
    case 'duplicate-request':
      return { runId: decision.runId, started: true, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' };
    case 'use-existing':
      return { runId: decision.run.core.runId, started: false, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' };
    case 'terminate-existing':
      terminateRun(e, decision.run, { reason: 'terminated by a new start with the same workflow id', identity: req.identity });
      break;
    case 'start':
      break;
  }
  // Eager start: the caller's own worker takes the first workflow task from this response.
  const eager = !!req.requestEagerExecution && durationMs(req.workflowStartDelay) === 0;
  const run = start(e, req, undefined, eager);
  const response: WithRawHistory = { runId: run.core.runId, started: true, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' };
  if (eager) response[RAW_NESTED] = { eagerWorkflowTask: startHeldWorkflowTask(e, run, req.identity ?? '') };
  return response;
}

export function signalWithStartWorkflowExecution(e: Engine, req: Msg): Msg {
  validateStart(e, req);
  if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
  const signal = { signalName: req.signalName, input: req.signalInput, header: req.header, identity: req.identity };
  const open = e.runs.openRun(req.namespace, req.workflowId);
  // A running workflow is signalled unless the conflict policy says to replace it.
  if (open && req.workflowIdConflictPolicy !== 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING') {
    if (req.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_FAIL') {
      decideStart(e, req.namespace, req.workflowId, req.workflowIdReusePolicy, req.workflowIdConflictPolicy, undefined);
    }
    signalRun(e, open, signal);
    return { runId: open.core.runId, started: false };
  }
  const decision = decideStart(e, req.namespace, req.workflowId, req.workflowIdReusePolicy, 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING', undefined);
  if (decision.action === 'terminate-existing') {
    terminateRun(e, decision.run, { reason: 'terminated by signal-with-start', identity: req.identity });
  }
  const run = start(e, req, (r) => signalRun(e, r, signal));
  return { runId: run.core.runId, started: true };
}
