import type { ExecutionStatusName } from './execution-status.js';
import type { IndexedFields } from './search-attributes.js';

export interface ExecutionRef {
  workflowId: string;
  runId: string;
}

/**
 * What the engine tells visibility about a run: on start, on every status change or search
 * attribute / memo upsert, and on close. Times are epoch milliseconds.
 */
export interface VisibilityRecord {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatusName;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  historyLength?: number;
  historySizeBytes?: number;
  stateTransitionCount?: number;
  /** proto Memo: { fields: { [key]: Payload } } */
  memo?: { fields?: IndexedFields | null } | null;
  /** proto SearchAttributes: the run's current attributes (after upserts), as stored payloads. */
  searchAttributes?: { indexedFields?: IndexedFields | null } | null;
  parentExecution?: ExecutionRef;
  /** The root of the run's workflow tree; defaults to the run itself. */
  rootExecution?: ExecutionRef;
}
