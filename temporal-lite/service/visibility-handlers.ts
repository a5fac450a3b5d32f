// Visibility RPCs, served by the visibility module; its client-mistake errors become gRPC statuses.
import { status } from '@grpc/grpc-js';
import { RpcError } from '../grpc/errors.js';
import type { OperatorServiceHandlers, WorkflowServiceHandlers } from '../grpc/handlers.js';
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

export function visibilityWorkflowHandlers(vis: VisibilityService): WorkflowServiceHandlers {
  return {
    ListWorkflowExecutions: translated((req) => vis.listWorkflowExecutions(req)),
    ScanWorkflowExecutions: translated((req) => vis.scanWorkflowExecutions(req)),
    ListOpenWorkflowExecutions: translated((req) => vis.listOpenWorkflowExecutions(req)),
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
