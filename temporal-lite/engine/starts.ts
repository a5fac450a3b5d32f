// StartWorkflowExecution and SignalWithStartWorkflowExecution.
import { durationMs } from '../clock/time.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { RAW_NESTED } from '../grpc/raw-history.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';
import { startRun, terminateRun } from './run-lifecycle.js';
import { signalRun } from './run-requests.js';
import { decideStart } from './start-policy.js';
import { startHeldWorkflowTask } from './workflow-tasks.js';

type StartRequest = WorkflowServiceRequest<'StartWorkflowExecution'> | WorkflowServiceRequest<'SignalWithStartWorkflowExecution'>;

/** A start request's required fields, once checked. */
export interface ValidStart {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
}

const TIMEOUTS = ['workflowExecutionTimeout', 'workflowRunTimeout', 'workflowTaskTimeout', 'workflowStartDelay'] as const;

export function validateStart(engine: Engine, req: StartRequest): ValidStart {
  const namespace = engine.namespaces.get(req.namespace ?? '').name;
  if (!req.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!req.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  for (const field of TIMEOUTS) {
    const timeout = req[field];
    if (timeout && durationMs(timeout) < 0) throw invalidArgument(`Invalid ${field}: it must not be negative.`);
  }
  if (req.cronSchedule) throw invalidArgument('Cron schedules are not supported by temporal-lite.');
  engine.validateSearchAttributes(namespace, req.searchAttributes);
  return { namespace, workflowId: req.workflowId, workflowType: req.workflowType.name, taskQueue: req.taskQueue.name };
}

export function start(engine: Engine, req: StartRequest, valid: ValidStart, beforeFirstTask?: (run: Run) => void, holdFirstTask?: boolean): Run {
  return startRun(engine, {
    ...valid,
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
    // Set by schedules on the workflows they start (signal-with-start has no such fields).
    lastCompletionResult: 'lastCompletionResult' in req ? req.lastCompletionResult : undefined,
    continuedFailure: 'continuedFailure' in req ? req.continuedFailure : undefined,
    firstTaskDelayMs: durationMs(req.workflowStartDelay),
    beforeFirstTask,
    holdFirstTask,
  });
}

export function startWorkflowExecution(
  engine: Engine,
  req: WorkflowServiceRequest<'StartWorkflowExecution'>,
): WorkflowServiceResponse<'StartWorkflowExecution'> {
  const valid = validateStart(engine, req);
  const decision = decideStart(engine, valid.namespace, valid.workflowId, req.workflowIdReusePolicy, req.workflowIdConflictPolicy, req.requestId);
  switch (decision.action) {
    case 'duplicate-request':
      return { runId: decision.runId, started: true, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' };
    case 'use-existing':
      return { runId: decision.run.core.runId, started: false, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' };
    case 'terminate-existing':
      terminateRun(engine, decision.run, { reason: 'terminated by a new start with the same workflow id', identity: req.identity });
      break;
    case 'start':
      break;
  }
  // Eager start: the caller's own worker takes the first workflow task from this response.
  const eager = !!req.requestEagerExecution && durationMs(req.workflowStartDelay) === 0;
  const run = start(engine, req, valid, undefined, eager);
  const response = { runId: run.core.runId, started: true, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' } as const;
  if (!eager) return response;
  return { ...response, [RAW_NESTED]: { eagerWorkflowTask: startHeldWorkflowTask(engine, run, req.identity ?? '') } };
}

export function signalWithStartWorkflowExecution(
  engine: Engine,
  req: WorkflowServiceRequest<'SignalWithStartWorkflowExecution'>,
): WorkflowServiceResponse<'SignalWithStartWorkflowExecution'> {
  const valid = validateStart(engine, req);
  if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
  const signal = { signalName: req.signalName, input: req.signalInput, header: req.header, identity: req.identity };
  const open = engine.runs.openRun(valid.namespace, valid.workflowId);
  // A running workflow is signalled unless the conflict policy says to replace it.
  if (open && req.workflowIdConflictPolicy !== 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING') {
    if (req.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_FAIL') {
      decideStart(engine, valid.namespace, valid.workflowId, req.workflowIdReusePolicy, req.workflowIdConflictPolicy, undefined);
    }
    signalRun(engine, open, signal);
    return { runId: open.core.runId, started: false };
  }
  const decision = decideStart(
    engine,
    valid.namespace,
    valid.workflowId,
    req.workflowIdReusePolicy,
    'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING',
    undefined,
  );
  if (decision.action === 'terminate-existing') {
    terminateRun(engine, decision.run, { reason: 'terminated by signal-with-start', identity: req.identity });
  }
  const run = start(engine, req, valid, (newRun) => signalRun(engine, newRun, signal));
  return { runId: run.core.runId, started: true };
}
