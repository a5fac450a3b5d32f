// Visibility RPCs, served by the visibility module; its client-mistake errors become gRPC statuses.
import { status } from '@grpc/grpc-js';
import { RpcError } from '../grpc/errors.js';
import type { Handlers } from '../grpc/service.js';
import type { Msg } from '../grpc/proto.js';
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

const wrap =
  (fn: (req: Msg) => Msg): ((req: Msg) => Msg) =>
  (req) =>
    visibilityCall(() => fn(req));

export function visibilityWorkflowHandlers(vis: VisibilityService): Handlers {
  return {
    ListWorkflowExecutions: wrap((req) => vis.listWorkflowExecutions(req)),
    ScanWorkflowExecutions: wrap((req) => vis.scanWorkflowExecutions(req)),
    ListOpenWorkflowExecutions: wrap((req) => vis.listOpenWorkflowExecutions(req)),
    ListClosedWorkflowExecutions: wrap((req) => vis.listClosedWorkflowExecutions(req)),
    CountWorkflowExecutions: wrap((req) => vis.countWorkflowExecutions(req)),
    GetSearchAttributes: wrap((req) => vis.getSearchAttributes(req)),
  };
}

export function visibilityOperatorHandlers(vis: VisibilityService): Handlers {
  return {
    AddSearchAttributes: wrap((req) => vis.addSearchAttributes(req)),
    RemoveSearchAttributes: wrap((req) => vis.removeSearchAttributes(req)),
    ListSearchAttributes: wrap((req) => vis.listSearchAttributes(req)),
  };
}
