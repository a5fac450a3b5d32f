import { closeRun, continueAsNew, failOrRetry } from '../run-close.js';
import type { CommandHandler } from './command.js';

/** Complete and cancel close the run with one event carrying one attribute of the command. */
function closingCommand(kind: 'complete' | 'cancel'): CommandHandler {
  const complete = kind === 'complete';
  return {
    attributes: complete ? 'completeWorkflowExecutionCommandAttributes' : 'cancelWorkflowExecutionCommandAttributes',
    cause: complete ? 'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES' : 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES',
    closes: true,
    validate: () => undefined,
    apply(ctx, a) {
      closeRun(
        ctx.e,
        ctx.run,
        complete ? 'WORKFLOW_EXECUTION_STATUS_COMPLETED' : 'WORKFLOW_EXECUTION_STATUS_CANCELED',
        complete ? 'WORKFLOW_EXECUTION_COMPLETED' : 'WORKFLOW_EXECUTION_CANCELED',
        complete ? { result: a?.result, workflowTaskCompletedEventId: ctx.completedEventId } : { details: a?.details, workflowTaskCompletedEventId: ctx.completedEventId },
      );
    },
  };
}

export const completeWorkflow = closingCommand('complete');
export const cancelWorkflow = closingCommand('cancel');

export const failWorkflow: CommandHandler = {
  attributes: 'failWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES',
  closes: true,
  validate: (a) => (a?.failure ? undefined : 'Failure is not set on FailWorkflowExecutionCommand.'),
  apply(ctx, a) {
    failOrRetry(ctx.e, ctx.run, 'failed', a.failure, ctx.completedEventId);
  },
};

export const continueAsNewWorkflow: CommandHandler = {
  attributes: 'continueAsNewWorkflowExecutionCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES',
  closes: true,
  validate: (a) => (a ? undefined : 'ContinueAsNewWorkflowExecutionCommand has no attributes.'),
  apply(ctx, a) {
    continueAsNew(ctx.e, ctx.run, a, ctx.completedEventId, ctx.identity);
  },
};
