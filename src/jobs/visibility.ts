import type { WorkflowExecutionInfo } from '@temporalio/client';
import { isJsonObject } from '../registry/json.js';
import { formatHubTime } from '../registry/time.js';
import { jobResponse } from '../../workflows/job-response.js';
import { JOB_WORKFLOW, type JobMemo, type JobResponse } from '../../workflows/types.js';

/** The memo the API starts a job with and the workflow keeps up to date; other workflows have none. */
function isJobMemo(memo: Record<string, unknown> | undefined): memo is Record<string, unknown> & JobMemo {
  return isJsonObject(memo?.job) && typeof memo.job.jobId === 'string' && (memo.view === undefined || isJsonObject(memo.view));
}

/**
 * A job as Temporal's visibility shows it, without asking its workflow: the view in its memo (list
 * rows; GET while no worker answers), or, for a workflow closed without finishing the job (e.g.
 * terminated by an operator), failed. Undefined for a workflow that is not a job's.
 */
export function jobFromVisibility(execution: Pick<WorkflowExecutionInfo, 'type' | 'status' | 'memo' | 'closeTime'>): JobResponse | undefined {
  const { memo } = execution;
  if (execution.type !== JOB_WORKFLOW || !isJobMemo(memo)) return undefined;
  const status = execution.status.name;
  if (status === 'RUNNING') return jobResponse(memo.job, memo.view ?? { status: 'queued' });
  if (status === 'COMPLETED' && memo.view) return jobResponse(memo.job, memo.view);
  return jobResponse(memo.job, {
    status: 'failed',
    endTime: formatHubTime(execution.closeTime ?? new Date()),
    failureReason: `The job's workflow ended without finishing the job (${status.toLowerCase()})`,
  });
}
