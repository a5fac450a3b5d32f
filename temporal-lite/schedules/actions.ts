// What a schedule does to workflows: starts one for a buffered start (its workflow id is the
// action's id with the nominal time appended, as Temporal's scheduler names them), and cancels
// or terminates a running one for the CANCEL_OTHER / TERMINATE_OTHER overlap policies.
import { randomUUID } from 'node:crypto';
import { timestamp } from '../clock/time.js';
import type { Payload, SearchAttributes, WorkflowExecution } from '../grpc/api.js';
import type { WorkflowServiceRequest } from '../grpc/handlers.js';
import type { Engine } from '../engine/engine.js';
import { terminateRun } from '../engine/run-lifecycle.js';
import { requestCancel } from '../engine/run-requests.js';
import { decideStart } from '../engine/start-policy.js';
import { start, validateStart } from '../engine/starts.js';
import type { BufferedStart, NewWorkflow, ScheduleActionResult, ScheduleRecord } from './types.js';

/** Who the schedule's starts, cancels and terminates come from. */
export const schedulerIdentity = (record: ScheduleRecord) => `temporal-scheduler-${record.namespace}-${record.scheduleId}`;

/** RFC 3339 in UTC with whole seconds ("2024-05-01T09:00:00Z"). */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const jsonPayload = (value: string, type: string): Payload => ({
  metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) },
  data: Buffer.from(JSON.stringify(value)),
});

/** The action's search attributes plus the two Temporal sets on scheduled workflows. */
function scheduledSearchAttributes(record: ScheduleRecord, action: NewWorkflow, nominalTime: number): SearchAttributes {
  return {
    indexedFields: {
      ...action.searchAttributes?.indexedFields,
      TemporalScheduledStartTime: jsonPayload(rfc3339Seconds(nominalTime), 'Datetime'),
      TemporalScheduledById: jsonPayload(record.scheduleId, 'Keyword'),
    },
  };
}

/**
 * Starts the workflow for `buffered`; its result for the schedule's recent actions. Throws the
 * start's error (e.g. ALREADY_EXISTS when that workflow id is taken).
 */
export function startScheduledWorkflow(engine: Engine, record: ScheduleRecord, buffered: BufferedStart, overlapping: boolean): ScheduleActionResult {
  const action = record.schedule.action?.startWorkflow ?? {};
  const workflowId = `${action.workflowId ?? ''}-${rfc3339Seconds(buffered.nominalTime)}`;
  const request: WorkflowServiceRequest<'StartWorkflowExecution'> = {
    namespace: record.namespace,
    workflowId,
    workflowType: action.workflowType,
    taskQueue: action.taskQueue,
    input: action.input,
    workflowExecutionTimeout: action.workflowExecutionTimeout,
    workflowRunTimeout: action.workflowRunTimeout,
    workflowTaskTimeout: action.workflowTaskTimeout,
    identity: schedulerIdentity(record),
    requestId: randomUUID(),
    // A scheduled time starts at most once; a trigger or backfill may repeat one.
    workflowIdReusePolicy: buffered.manual ? 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE' : 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
    retryPolicy: action.retryPolicy,
    memo: action.memo,
    searchAttributes: scheduledSearchAttributes(record, action, buffered.nominalTime),
    header: action.header,
    userMetadata: action.userMetadata,
    priority: action.priority,
    // ALLOW_ALL runs take no part in the chain of results.
    lastCompletionResult: overlapping ? undefined : record.lastCompletionResult,
    continuedFailure: overlapping ? undefined : record.continuedFailure,
  };
  const valid = validateStart(engine, request);
  decideStart(engine, valid.namespace, workflowId, request.workflowIdReusePolicy, undefined, request.requestId);
  const run = start(engine, request, valid);
  return {
    scheduleTime: timestamp(buffered.actualTime),
    actualTime: timestamp(engine.clock.now()),
    startWorkflowResult: { workflowId, runId: run.core.runId },
    startWorkflowStatus: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  };
}

/** Cancels or terminates a workflow the schedule started, if that chain still runs. */
export function stopRunning(engine: Engine, record: ScheduleRecord, execution: WorkflowExecution, how: 'cancel' | 'terminate'): void {
  const run = engine.runs.openRun(record.namespace, execution.workflowId ?? '');
  if (!run || run.core.firstRunId !== execution.runId) return;
  const identity = schedulerIdentity(record);
  if (how === 'cancel') requestCancel(engine, run, { reason: 'cancelled by schedule overlap policy', identity });
  else terminateRun(engine, run, { reason: 'terminated by schedule overlap policy', identity });
}
