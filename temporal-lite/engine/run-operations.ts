// What clients and other workflows do to a run: signal, request cancellation, terminate.
import type { Msg } from '../grpc/proto.js';
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import { closeRun, forceCloseWorkflowTask } from './run-close.js';
import { scheduleWorkflowTask } from './workflow-tasks.js';

const REMEMBERED_SIGNAL_REQUESTS = 100;

export function signalRun(e: Engine, run: Run, signal: Msg): void {
  if (signal.requestId) {
    const seen = (run.core.signalRequestIds ??= []);
    if (seen.includes(signal.requestId)) return;
    seen.push(signal.requestId);
    if (seen.length > REMEMBERED_SIGNAL_REQUESTS) seen.shift();
  }
  addExternalEvent(e, run, 'WORKFLOW_EXECUTION_SIGNALED', {
    signalName: signal.signalName,
    input: signal.input,
    identity: signal.identity,
    header: signal.header,
    externalWorkflowExecution: signal.externalWorkflowExecution,
  });
  scheduleWorkflowTask(e, run);
}

export function requestCancel(
  e: Engine,
  run: Run,
  req: { reason?: string; identity?: string; externalInitiatedEventId?: number; externalWorkflowExecution?: Msg },
): void {
  if (run.core.cancelRequested) return;
  run.core.cancelRequested = true;
  run.touch();
  addExternalEvent(e, run, 'WORKFLOW_EXECUTION_CANCEL_REQUESTED', {
    cause: req.reason,
    identity: req.identity,
    externalInitiatedEventId: req.externalInitiatedEventId,
    externalWorkflowExecution: req.externalWorkflowExecution,
  });
  scheduleWorkflowTask(e, run);
}

export function terminateRun(e: Engine, run: Run, req: { reason?: string; details?: Msg; identity?: string }): void {
  forceCloseWorkflowTask(e, run);
  closeRun(e, run, 'WORKFLOW_EXECUTION_STATUS_TERMINATED', 'WORKFLOW_EXECUTION_TERMINATED', {
    reason: req.reason,
    details: req.details,
    identity: req.identity,
  });
}
