import { closeRun, continueAsNew, failOrRetry } from '../run-lifecycle.js';
import { commandHandler } from './command.js';

export const completeWorkflow = commandHandler({
  attributes: 'completeWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES',
  closes: true,
  validate: () => undefined,
  apply(ctx, attrs) {
    closeRun(ctx.engine, ctx.run, {
      status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      attrs: { result: attrs.result, workflowTaskCompletedEventId: ctx.completedEventId },
    });
  },
});

export const cancelWorkflow = commandHandler({
  attributes: 'cancelWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES',
  closes: true,
  validate: () => undefined,
  apply(ctx, attrs) {
    closeRun(ctx.engine, ctx.run, {
      status: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
      attrs: { details: attrs.details, workflowTaskCompletedEventId: ctx.completedEventId },
    });
  },
});

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
