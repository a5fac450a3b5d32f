// The BuildIds system search attribute: which worker builds have completed a run's workflow
// tasks, kept as Temporal's history service keeps it (MutableStateImpl.addBuildIdToLoadedSearchAttribute
// in service/history/workflow/mutable_state_impl.go): the sentinel "unversioned" first for a worker
// without versioning, then "unversioned:<build id>" or "versioned:<build id>" for each build seen.
// Updated on every workflow task completion (workflowTaskStateMachine.AddWorkflowTaskCompletedEvent).
import type { EventAttributes, Payload } from '../grpc/api.js';
import type { WorkflowServiceRequest } from '../grpc/handlers.js';
import type { Run } from './run.js';

type CompletedRequest = WorkflowServiceRequest<'RespondWorkflowTaskCompleted'>;
type CompletedVersioning = Pick<
  EventAttributes<'WORKFLOW_TASK_COMPLETED'>,
  'binaryChecksum' | 'workerVersion' | 'workerDeploymentName' | 'deploymentVersion' | 'versioningBehavior'
>;

/**
 * The completing worker's build and deployment as Temporal's history service records them on
 * WorkflowTaskCompleted (workflowTaskStateMachine.AddWorkflowTaskCompletedEvent): the version
 * stamp as sent, the deployment name, the deployment version of a versioned worker (or of a
 * deprecated Deployment naming both series and build), and no versioning behavior for an
 * unversioned one. SDKs read these back on replay as the build that ran each task
 * (WorkflowInfo.currentBuildId).
 */
export function completedTaskVersioning(req: CompletedRequest): CompletedVersioning {
  const options = req.deploymentOptions;
  const versioned = options?.workerVersioningMode === 'WORKER_VERSIONING_MODE_VERSIONED';
  const deployment = versioned ? { seriesName: options.deploymentName, buildId: options.buildId } : req.deployment;
  const deploymentVersion = deployment?.seriesName && deployment.buildId ? { deploymentName: deployment.seriesName, buildId: deployment.buildId } : undefined;
  return {
    binaryChecksum: req.binaryChecksum,
    workerVersion: req.workerVersionStamp,
    workerDeploymentName: options?.deploymentName || req.deployment?.seriesName || undefined,
    deploymentVersion,
    versioningBehavior: options && !versioned ? undefined : req.versioningBehavior,
  };
}

const BUILD_IDS = 'BuildIds';
const UNVERSIONED = 'unversioned';

/** The worker's build as its workflow task completion states it (none: an unversioned worker without build id). */
function workerBuild(req: CompletedRequest): { buildId: string; versioned: boolean } {
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
export function recordWorkerBuild(run: Run, req: CompletedRequest): boolean {
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
