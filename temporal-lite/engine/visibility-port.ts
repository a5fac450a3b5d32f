// How the engine feeds the visibility module: one record per run, written in the same
// transaction as the state change that caused it (start, close, search-attribute or memo change).
import type { ExecutionStatusName, VisibilityRecord } from '../visibility/index.js';
import type { CommitParticipant, Committer } from '../persistence/committer.js';
import type { RunCore, RunStatus } from './types.js';

/** What the engine needs from the visibility store. */
export interface VisibilitySink {
  upsert(rec: VisibilityRecord): void;
  delete(namespace: string, workflowId: string, runId: string): unknown;
}

const STATUS: Record<RunStatus, ExecutionStatusName> = {
  WORKFLOW_EXECUTION_STATUS_RUNNING: 'Running',
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'Completed',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'Failed',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'Canceled',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'Terminated',
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 'ContinuedAsNew',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'TimedOut',
};

export function visibilityRecord(core: RunCore): VisibilityRecord {
  return {
    namespace: core.namespace,
    workflowId: core.workflowId,
    runId: core.runId,
    workflowType: core.workflowType,
    taskQueue: core.taskQueue,
    status: STATUS[core.status],
    startTime: core.startTime,
    executionTime: core.executionTime,
    closeTime: core.closeTime,
    historyLength: core.historyLength,
    historySizeBytes: core.historySize,
    stateTransitionCount: core.stateTransitions,
    memo: core.memo,
    searchAttributes: core.searchAttributes,
    parentExecution: core.parent && { workflowId: core.parent.workflowId, runId: core.parent.runId },
    rootExecution: core.root,
  };
}

/** Collects the runs whose visibility changed this turn and writes them at commit time. */
export class VisibilityWriter implements CommitParticipant {
  private readonly pending = new Map<string, RunCore>();

  constructor(
    private readonly sink: VisibilitySink,
    private readonly committer: Committer,
  ) {}

  record(core: RunCore): void {
    this.pending.set(core.runId, core);
    this.committer.enlist(this);
  }

  write(): void {
    for (const core of this.pending.values()) this.sink.upsert(visibilityRecord(core));
    this.pending.clear();
  }
}
