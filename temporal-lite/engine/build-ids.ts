// The BuildIds system search attribute: which worker builds have completed a run's workflow
// tasks, kept as Temporal's history service keeps it (MutableStateImpl.addBuildIdToLoadedSearchAttribute
// in service/history/workflow/mutable_state_impl.go): the sentinel "unversioned" first for a worker
// without versioning, then "unversioned:<build id>" or "versioned:<build id>" for each build seen.
// Updated on every workflow task completion (workflowTaskStateMachine.AddWorkflowTaskCompletedEvent).
import type { Payload } from '../grpc/api.js';
import type { WorkflowServiceRequest } from '../grpc/handlers.js';
import type { Run } from './run.js';

const BUILD_IDS = 'BuildIds';
const UNVERSIONED = 'unversioned';

/** The worker's build as its workflow task completion states it (none: an unversioned worker without build id). */
function workerBuild(req: WorkflowServiceRequest<'RespondWorkflowTaskCompleted'>): { buildId: string; versioned: boolean } {
  const stamp = req.workerVersionStamp;
  if (stamp) return { buildId: stamp.buildId ?? '', versioned: !!stamp.useVersioning };
  const options = req.deploymentOptions;
  if (options) return { buildId: options.buildId ?? '', versioned: options.workerVersioningMode === 'WORKER_VERSIONING_MODE_VERSIONED' };
  return { buildId: '', versioned: false };
}

function decodeList(payload: Payload | undefined): string[] {
  if (!payload?.data) return [];
  try {
    const value: unknown = JSON.parse(payload.data.toString('utf8'));
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

const isSentinel = (value: string) => value === UNVERSIONED || value.startsWith('assigned:');

/** Adds the completing worker's build to the run's BuildIds; true if it changed. */
export function recordWorkerBuild(run: Run, req: WorkflowServiceRequest<'RespondWorkflowTaskCompleted'>): boolean {
  const build = workerBuild(req);
  const fields = run.core.searchAttributes?.indexedFields ?? {};
  const existing = decodeList(fields[BUILD_IDS]);
  const value = !build.buildId ? UNVERSIONED : `${build.versioned ? 'versioned' : 'unversioned'}:${build.buildId}`;
  const next = build.versioned ? [] : [UNVERSIONED];
  next.push(...existing.filter((item) => !isSentinel(item)));
  if (!next.includes(value)) next.push(value);
  if (next.length === existing.length && next.every((item, i) => item === existing[i])) return false;
  const payload: Payload = {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('KeywordList') },
    data: Buffer.from(JSON.stringify(next)),
  };
  run.core.searchAttributes = { indexedFields: { ...fields, [BUILD_IDS]: payload } };
  run.touchProps();
  return true;
}
