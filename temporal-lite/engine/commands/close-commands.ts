import type { WorkflowTaskFailedCause } from '../../grpc/api.js';
import type { RunClose } from '../child-results.js';
import { closeRun, continueAsNew, failOrRetry } from '../run-lifecycle.js';
import { commandHandler, type AttributesField, type AttributesOf } from './command.js';

/** Complete and cancel close the run with one event, made from the command's attributes. */
function closingCommand<F extends AttributesField>(
  attributes: F,
  cause: WorkflowTaskFailedCause,
  close: (attrs: AttributesOf<F>, workflowTaskCompletedEventId: number) => RunClose,
) {
  return commandHandler({
    attributes,
    cause,
    closes: true,
    validate: () => undefined,
    apply: (ctx, attrs) => closeRun(ctx.engine, ctx.run, close(attrs, ctx.completedEventId)),
  });
}

export const completeWorkflow = closingCommand(
  'completeWorkflowExecutionCommandAttributes',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES',
  (attrs, workflowTaskCompletedEventId) => ({ status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED', attrs: { result: attrs.result, workflowTaskCompletedEventId } }),
);

export const cancelWorkflow = closingCommand(
  'cancelWorkflowExecutionCommandAttributes',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES',
  (attrs, workflowTaskCompletedEventId) => ({ status: 'WORKFLOW_EXECUTION_STATUS_CANCELED', attrs: { details: attrs.details, workflowTaskCompletedEventId } }),
);

export const failWorkflow = commandHandler({
  attributes: 'failWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES',
  closes: true,
  validate: (attrs) => (attrs.failure ? undefined : 'Failure is not set on FailWorkflowExecutionCommand.'),
  apply(ctx, attrs) {
    failOrRetry(ctx.engine, ctx.run, 'failed', attrs.failure, ctx.completedEventId);
  },
});

export const continueAsNewWorkflow = commandHandler({
  attributes: 'continueAsNewWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES',
  closes: true,
  validate: () => undefined,
  apply(ctx, attrs) {
    continueAsNew(ctx.engine, ctx.run, attrs, ctx.completedEventId, ctx.identity);
  },
});
