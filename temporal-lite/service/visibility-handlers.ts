// Visibility RPCs, served by the visibility module; its client-mistake errors become gRPC statuses.
import { status } from '@grpc/grpc-js';
import type { WorkflowExecutionInfo } from '../grpc/api.js';
import { RpcError } from '../grpc/errors.js';
import type { OperatorServiceHandlers, WorkflowServiceHandlers } from '../grpc/handlers.js';
import type { Engine } from '../engine/engine.js';
import { VisibilityError, type VisibilityService } from '../visibility/index.js';

const CODES = { INVALID_ARGUMENT: status.INVALID_ARGUMENT, NOT_FOUND: status.NOT_FOUND, ALREADY_EXISTS: status.ALREADY_EXISTS };

/** Runs a visibility call, translating VisibilityError into RpcError. */
export function visibilityCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof VisibilityError) throw new RpcError(CODES[err.grpcCode], err.message);
    throw err;
  }
}

const translated =
  <Request, Response>(fn: (req: Request) => Response): ((req: Request) => Response) =>
  (req) =>
    visibilityCall(() => fn(req));

/**
 * A run's visibility record is written when its state or attributes change (start, close,
 * upserts), not on every event: for runs still in memory, lists show the engine's current
 * history length, size and state transitions, as DescribeWorkflowExecution does.
 */
function withLiveProgress(engine: Engine) {
  return <Response extends { executions?: WorkflowExecutionInfo[] }>(response: Response): Response => {
    for (const info of response.executions ?? []) {
      const core = info.execution?.runId ? engine.runs.live(info.execution.runId)?.core : undefined;
      if (!core) continue;
      info.historyLength = core.historyLength;
      info.historySizeBytes = core.historySize;
      info.stateTransitionCount = core.stateTransitions;
    }
    return response;
  };
}

export function visibilityWorkflowHandlers(vis: VisibilityService, engine: Engine): WorkflowServiceHandlers {
  const live = withLiveProgress(engine);
  return {
    ListWorkflowExecutions: translated((req) => live(vis.listWorkflowExecutions(req))),
    ScanWorkflowExecutions: translated((req) => live(vis.scanWorkflowExecutions(req))),
    ListOpenWorkflowExecutions: translated((req) => live(vis.listOpenWorkflowExecutions(req))),
    ListClosedWorkflowExecutions: translated((req) => vis.listClosedWorkflowExecutions(req)),
    CountWorkflowExecutions: translated((req) => vis.countWorkflowExecutions(req)),
    GetSearchAttributes: translated((req) => vis.getSearchAttributes(req)),
  };
}

export function visibilityOperatorHandlers(vis: VisibilityService): OperatorServiceHandlers {
  return {
    AddSearchAttributes: translated((req) => vis.addSearchAttributes(req)),
    RemoveSearchAttributes: translated((req) => vis.removeSearchAttributes(req)),
    ListSearchAttributes: translated((req) => vis.listSearchAttributes(req)),
  };
}
