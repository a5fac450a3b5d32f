// Client-facing RPCs about workflow executions.
import type { SearchAttributes } from '../grpc/api.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceHandlers } from '../grpc/handlers.js';
import { describeWorkflowExecution } from '../engine/describe.js';
import type { Engine } from '../engine/engine.js';
import { getHistory, getHistoryReverse } from '../engine/history-reads.js';
import { requireOpenRun } from '../engine/lookup.js';
import { queryWorkflow } from '../engine/queries.js';
import { terminateRun } from '../engine/run-lifecycle.js';
import { requestCancel, signalRun } from '../engine/run-requests.js';
import { signalWithStartWorkflowExecution, startWorkflowExecution } from '../engine/starts.js';
import { pollWorkflowExecutionUpdate, updateWorkflowExecution } from '../engine/updates.js';
import { executeMultiOperation } from '../engine/update-with-start.js';
import { resetWorkflowExecution } from '../engine/reset.js';
import { pauseActivity, resetActivity, unpauseActivity } from '../engine/activity-pause.js';

/** Search attributes with their registered types in payload metadata (what DescribeWorkflowExecution shows). */
export type TypedSearchAttributes = (namespace: string, searchAttributes: SearchAttributes) => SearchAttributes;

export function executionHandlers(engine: Engine, typedSearchAttributes: TypedSearchAttributes): WorkflowServiceHandlers {
  return {
    StartWorkflowExecution: (req) => startWorkflowExecution(engine, req),
    SignalWithStartWorkflowExecution: (req) => signalWithStartWorkflowExecution(engine, req),
    SignalWorkflowExecution: (req) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      signalRun(engine, requireOpenRun(engine, req.namespace, req.workflowExecution), req);
      return {};
    },
    RequestCancelWorkflowExecution: (req) => {
      requestCancel(engine, requireOpenRun(engine, req.namespace, req.workflowExecution), { reason: req.reason, identity: req.identity });
      return {};
    },
    TerminateWorkflowExecution: (req) => {
      terminateRun(engine, requireOpenRun(engine, req.namespace, req.workflowExecution), req);
      return {};
    },
    GetWorkflowExecutionHistory: (req, ctx) => getHistory(engine, req, ctx),
    GetWorkflowExecutionHistoryReverse: (req) => getHistoryReverse(engine, req),
    DescribeWorkflowExecution: (req) => {
      const response = describeWorkflowExecution(engine, req);
      const info = response.workflowExecutionInfo;
      if (info.searchAttributes) info.searchAttributes = typedSearchAttributes(req.namespace ?? '', info.searchAttributes);
      return response;
    },
    QueryWorkflow: (req, ctx) => queryWorkflow(engine, req, ctx),
    UpdateWorkflowExecution: (req, ctx) => updateWorkflowExecution(engine, req, ctx),
    PollWorkflowExecutionUpdate: (req, ctx) => pollWorkflowExecutionUpdate(engine, req, ctx),
    ExecuteMultiOperation: (req, ctx) => executeMultiOperation(engine, req, ctx),
    ResetWorkflowExecution: (req) => resetWorkflowExecution(engine, req),
    PauseActivity: (req) => pauseActivity(engine, req),
    UnpauseActivity: (req) => unpauseActivity(engine, req),
    ResetActivity: (req) => resetActivity(engine, req),
  };
}
