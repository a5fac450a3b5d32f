// A visibility row as the proto WorkflowExecutionInfo that list responses carry.
import type { Payload, WorkflowExecutionInfo } from '../grpc/api.js';
import { encodeSearchAttributeValue } from './payload-values.js';
import { secondsNanos } from './proto-time.js';
import type { AttributeLookup } from './registry.js';
import { statusEnumName } from './execution-status.js';
import { fromStoredJson } from './stored-values.js';
import { storedMemo } from './store.js';

/** A vis_executions row read with safeIntegers (integers as bigint). */
export interface ExecutionRow {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  task_queue: string;
  status: bigint;
  start_time: bigint;
  execution_time: bigint;
  close_time: bigint | null;
  execution_duration: bigint | null;
  history_length: bigint | null;
  history_size_bytes: bigint | null;
  state_transition_count: bigint | null;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  root_workflow_id: string | null;
  root_run_id: string | null;
  memo: string | null;
  search_attributes: string | null;
}

const int = (value: bigint | null) => (value === null ? undefined : Number(value));

/**
 * The run as WorkflowExecutionInfo. Search attributes are re-encoded from their decoded values
 * with their type in metadata (as the server does), limited to attributes still registered.
 */
export function executionInfo(row: ExecutionRow, lookup: AttributeLookup): WorkflowExecutionInfo {
  const info: WorkflowExecutionInfo = {
    execution: { workflowId: row.workflow_id, runId: row.run_id },
    type: { name: row.workflow_type },
    startTime: secondsNanos(Number(row.start_time)),
    executionTime: secondsNanos(Number(row.execution_time)),
    status: statusEnumName(Number(row.status)),
    historyLength: int(row.history_length) ?? 0,
    taskQueue: row.task_queue,
  };
  if (row.close_time !== null) info.closeTime = secondsNanos(Number(row.close_time));
  if (row.execution_duration !== null) info.executionDuration = secondsNanos(Number(row.execution_duration));
  if (row.history_size_bytes !== null) info.historySizeBytes = int(row.history_size_bytes);
  if (row.state_transition_count !== null) info.stateTransitionCount = int(row.state_transition_count);
  if (row.parent_workflow_id !== null) {
    info.parentExecution = { workflowId: row.parent_workflow_id, runId: row.parent_run_id ?? '' };
  }
  if (row.root_workflow_id !== null) info.rootExecution = { workflowId: row.root_workflow_id, runId: row.root_run_id ?? '' };
  const memo = storedMemo(row.memo);
  if (memo) info.memo = { fields: memo };
  const indexedFields: Record<string, Payload> = {};
  for (const [name, value] of fromStoredJson(row.search_attributes)) {
    if (lookup(name)?.type === value.type) indexedFields[name] = encodeSearchAttributeValue(value);
  }
  if (Object.keys(indexedFields).length > 0) info.searchAttributes = { indexedFields };
  return info;
}
