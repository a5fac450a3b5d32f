// Client-facing RPCs about workflow executions.
import type { Handlers } from '../grpc/service.js';
import { describeWorkflowExecution } from '../engine/describe.js';
import type { Engine } from '../engine/engine.js';
import { getHistory, getHistoryReverse } from '../engine/history-reads.js';
import { requireOpenRun } from '../engine/lookup.js';
import { queryWorkflow } from '../engine/queries.js';
import { requestCancel, signalRun, terminateRun } from '../engine/run-operations.js';
import { signalWithStartWorkflowExecution, startWorkflowExecution } from '../engine/starts.js';
import { pollWorkflowExecutionUpdate, updateWorkflowExecution } from '../engine/updates.js';
import { invalidArgument } from '../grpc/errors.js';

export function executionHandlers(e: Engine, typedSearchAttributes: (namespace: string, sa: unknown) => unknown): Handlers {
  return {
    StartWorkflowExecution: (req) => startWorkflowExecution(e, req),
    SignalWithStartWorkflowExecution: (req) => signalWithStartWorkflowExecution(e, req),
    SignalWorkflowExecution: (req) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      signalRun(e, requireOpenRun(e, req.namespace, req.workflowExecution), req);
      return {};
    },
    RequestCancelWorkflowExecution: (req) => {
      requestCancel(e, requireOpenRun(e, req.namespace, req.workflowExecution), { reason: req.reason, identity: req.identity });
      return {};
    },
    TerminateWorkflowExecution: (req) => {
      terminateRun(e, requireOpenRun(e, req.namespace, req.workflowExecution), req);
      return {};
    },
    GetWorkflowExecutionHistory: (req, ctx) => getHistory(e, req, ctx),
    GetWorkflowExecutionHistoryReverse: (req) => getHistoryReverse(e, req),
    DescribeWorkflowExecution: (req) => {
      const res = describeWorkflowExecution(e, req);
      const info = res.workflowExecutionInfo;
      if (info.searchAttributes) info.searchAttributes = typedSearchAttributes(req.namespace, info.searchAttributes);
      return res;
    },
    QueryWorkflow: (req, ctx) => queryWorkflow(e, req, ctx),
    UpdateWorkflowExecution: (req, ctx) => updateWorkflowExecution(e, req, ctx),
    PollWorkflowExecutionUpdate: (req, ctx) => pollWorkflowExecutionUpdate(e, req, ctx),
  };
}
