import { HubError } from '../errors/hub-error.js';
import { JOB_STATUSES, JOB_TYPES, JOB_WORKFLOW, type JobStatus, type JobType } from '../../workflows/types.js';

/** Which jobs to list; `status: []` matches none. */
export interface JobListFilter {
  type?: JobType;
  status?: readonly JobStatus[];
}

/**
 * Spellings other SDKs and docs use for job statuses: synonyms, or statuses no v2 job has (see
 * https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-jobs#querying-for-progress-on-jobs).
 */
const STATUS_SYNONYMS: Record<string, readonly JobStatus[]> = {
  enqueued: ['queued'],
  canceled: ['cancelled'],
  unknown: [],
  pending: [],
};

const byLowerCase = <T extends string>(values: readonly T[]) => new Map(values.map((value) => [value.toLowerCase(), value]));
const TYPES = byLowerCase(JOB_TYPES);
const STATUSES = byLowerCase(JOB_STATUSES);

/**
 * The `jobType` / `jobStatus` query parameters, case-insensitively (C# sends `ScheduleDeviceMethod`,
 * `Completed`). An unknown value is a 400.
 */
export function parseListFilter(params: { jobType?: string; jobStatus?: string }): JobListFilter {
  const filter: JobListFilter = {};
  if (params.jobType) {
    const type = TYPES.get(params.jobType.toLowerCase());
    if (!type) throw new HubError('ArgumentInvalid', `Unknown jobType '${params.jobType}': expected ${JOB_TYPES.join(' or ')}`);
    filter.type = type;
  }
  if (params.jobStatus) {
    const key = params.jobStatus.toLowerCase();
    const status = STATUSES.get(key);
    const statuses = status ? [status] : STATUS_SYNONYMS[key];
    if (!statuses) throw new HubError('ArgumentInvalid', `Unknown jobStatus '${params.jobStatus}': expected one of ${JOB_STATUSES.join(', ')}`);
    filter.status = statuses;
  }
  return filter;
}

/** The visibility query for a filter (values come from fixed lists, never from the request text). */
export function jobListFilter(filter: JobListFilter): string {
  const parts = [`WorkflowType = '${JOB_WORKFLOW}'`];
  if (filter.type) parts.push(`JobType = '${filter.type}'`);
  if (filter.status?.length) parts.push(`JobStatus IN (${filter.status.map((s) => `'${s}'`).join(', ')})`);
  return parts.join(' AND ');
}
