// What clients and other workflows ask of a running workflow: signals and cancellation.
import type { Header, Payloads, WorkflowExecution } from '../grpc/api.js';
import type { Engine } from './engine.js';
import { addExternalEvent } from './history.js';
import type { Run } from './run.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';

const REMEMBERED_SIGNAL_REQUESTS = 100;

export interface Signal {
  signalName?: string;
  input?: Payloads;
  header?: Header;
  identity?: string;
  /** Set by a client: a retried request with the same id is delivered once. */
  requestId?: string;
  externalWorkflowExecution?: WorkflowExecution;
}

export function signalRun(engine: Engine, run: Run, signal: Signal): void {
  if (signal.requestId) {
    const seen = (run.core.signalRequestIds ??= []);
    if (seen.includes(signal.requestId)) return;
    seen.push(signal.requestId);
    if (seen.length > REMEMBERED_SIGNAL_REQUESTS) seen.shift();
  }
  addExternalEvent(engine, run, 'WORKFLOW_EXECUTION_SIGNALED', {
    signalName: signal.signalName,
    input: signal.input,
    identity: signal.identity,
    header: signal.header,
    externalWorkflowExecution: signal.externalWorkflowExecution,
  });
  scheduleWorkflowTask(engine, run);
}

export interface CancelRequest {
  reason?: string;
  identity?: string;
  externalInitiatedEventId?: number;
  externalWorkflowExecution?: WorkflowExecution;
}

export function requestCancel(engine: Engine, run: Run, request: CancelRequest): void {
  if (run.core.cancelRequested) return;
  run.core.cancelRequested = true;
  run.touch();
  addExternalEvent(engine, run, 'WORKFLOW_EXECUTION_CANCEL_REQUESTED', {
    cause: request.reason,
    identity: request.identity,
    externalInitiatedEventId: request.externalInitiatedEventId,
    externalWorkflowExecution: request.externalWorkflowExecution,
  });
  scheduleWorkflowTask(engine, run);
}
