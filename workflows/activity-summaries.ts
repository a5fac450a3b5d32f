/**
 * One-line summaries of the jobs engine's activities: Temporal records them as the user metadata
 * of each ActivityTaskScheduled event (ActivityOptions.summary) and the Web UI shows them beside
 * the activity in a workflow's history and timeline. Built from the workflow's own input only
 * (deterministic workflow code).
 */
import type { JobOperation, RolloutBatch, SeqRange } from './types.js';

/** What a job does to each device: "call method 'reboot'" or "update twin". */
export function operationSummary(operation: JobOperation): string {
  return operation.kind === 'method' ? `call method '${operation.call.methodName}'` : 'update twin';
}

/** Devices by their place among the job's targets, counted from 1. */
function devicesSummary({ from, to }: SeqRange): string {
  return to - from === 1 ? `device ${to}` : `devices ${from + 1}–${to}`;
}

/** A batch over a range of the job's devices: "call method 'reboot' on devices 1–100". */
export function batchSummary(operation: JobOperation, range: SeqRange): string {
  return `${operationSummary(operation)} on ${devicesSummary(range)}`;
}

/** A rollout batch: a range's first attempts, or the retries that are due. */
export function rolloutBatchSummary(operation: JobOperation, devices: RolloutBatch['devices']): string {
  return 'range' in devices ? batchSummary(operation, devices.range) : `${operationSummary(operation)}: retry up to ${devices.limit} due devices`;
}
