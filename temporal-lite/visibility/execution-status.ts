// Workflow execution statuses: the short names Temporal's query language and group values use
// ('Running'), the proto enum names ('WORKFLOW_EXECUTION_STATUS_RUNNING') and the numbers.
import type { WorkflowExecutionStatus } from '../grpc/api.js';

export const STATUS_NAMES = ['Unspecified', 'Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut', 'Paused'] as const;

export type ExecutionStatusName = Exclude<(typeof STATUS_NAMES)[number], 'Unspecified'>;

const ENUM_NAMES: readonly WorkflowExecutionStatus[] = [
  'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED',
  'WORKFLOW_EXECUTION_STATUS_RUNNING',
  'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  'WORKFLOW_EXECUTION_STATUS_FAILED',
  'WORKFLOW_EXECUTION_STATUS_CANCELED',
  'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  'WORKFLOW_EXECUTION_STATUS_PAUSED',
];

/** Status number from either name form, case-sensitive as Temporal; undefined if unknown. */
export function statusNumber(name: string): number | undefined {
  const short = STATUS_NAMES.findIndex((shortName) => shortName === name);
  if (short >= 0) return short;
  const long = ENUM_NAMES.findIndex((enumName) => enumName === name);
  return long >= 0 ? long : undefined;
}

export function isStatusNumber(status: number): boolean {
  return Number.isInteger(status) && status >= 0 && status < STATUS_NAMES.length;
}

export function statusShortName(status: number): string {
  return STATUS_NAMES[status] ?? 'Unspecified';
}

export function statusEnumName(status: number): WorkflowExecutionStatus {
  return ENUM_NAMES[status] ?? ENUM_NAMES[0];
}
