// ListOpen/ListClosedWorkflowExecutions filters, turned into list-filter queries exactly as
// Temporal's frontend does, so that they share the query path.
import { formatRfc3339Nano } from './datetime.js';
import { invalidArgument } from './errors.js';
import { statusNumber } from './execution-status.js';
import { isUnsetTimestamp, timestampNanos, type ProtoTimestamp } from './proto-time.js';

export interface LegacyListRequest {
  startTimeFilter?: { earliestTime?: ProtoTimestamp | null; latestTime?: ProtoTimestamp | null } | null;
  executionFilter?: { workflowId?: string | null; runId?: string | null } | null;
  typeFilter?: { name?: string | null } | null;
  statusFilter?: { status?: string | number | null } | null;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function timeRange(attribute: string, filter: LegacyListRequest['startTimeFilter']): string[] {
  const nanos = (time: ProtoTimestamp | null | undefined) => (isUnsetTimestamp(time) ? undefined : timestampNanos(time));
  const earliest = nanos(filter?.earliestTime);
  const latest = nanos(filter?.latestTime);
  const lit = (nanos: bigint) => quote(formatRfc3339Nano(nanos));
  if (earliest !== undefined && latest !== undefined) {
    if (earliest > latest) throw invalidArgument('EarliestTime in StartTimeFilter should not be larger than LatestTime.');
    return [`${attribute} BETWEEN ${lit(earliest)} AND ${lit(latest)}`];
  }
  if (earliest !== undefined) return [`${attribute} >= ${lit(earliest)}`];
  if (latest !== undefined) return [`${attribute} <= ${lit(latest)}`];
  return [];
}

/** Open runs: filtered by start time, and by workflow id or else type. */
export function openExecutionsQuery(req: LegacyListRequest): string {
  const terms = [`ExecutionStatus = 'Running'`, ...timeRange('StartTime', req.startTimeFilter)];
  if (req.executionFilter) terms.push(`WorkflowId = ${quote(req.executionFilter.workflowId ?? '')}`);
  else if (req.typeFilter) terms.push(`WorkflowType = ${quote(req.typeFilter.name ?? '')}`);
  return terms.join(' AND ');
}

/** Closed runs: the "start time" filter applies to the close time, as in Temporal. */
export function closedExecutionsQuery(req: LegacyListRequest): string {
  const terms = [`ExecutionStatus != 'Running'`, ...timeRange('CloseTime', req.startTimeFilter)];
  if (req.executionFilter) terms.push(`WorkflowId = ${quote(req.executionFilter.workflowId ?? '')}`);
  else if (req.typeFilter) terms.push(`WorkflowType = ${quote(req.typeFilter.name ?? '')}`);
  else if (req.statusFilter) {
    const raw = req.statusFilter.status;
    const status = typeof raw === 'number' ? raw : statusNumber(raw ?? '');
    if (!status || status === statusNumber('Running')) {
      throw invalidArgument('StatusFilter must be specified and must be not Running.');
    }
    terms.push(`ExecutionStatus = ${status}`);
  }
  return terms.join(' AND ');
}
