import type { CommandType } from '../../grpc/api.js';
import { requestCancelActivity, scheduleActivity } from './activity-commands.js';
import { cancelExternal, signalExternal, startChildWorkflow } from './child-commands.js';
import { cancelWorkflow, completeWorkflow, continueAsNewWorkflow, failWorkflow } from './close-commands.js';
import type { CommandHandler } from './command.js';
import { modifyProperties, recordMarker, upsertSearchAttributes } from './property-commands.js';
import { cancelTimer, startTimer } from './timer-commands.js';

/** Handlers by CommandType; PROTOCOL_MESSAGE is handled by the completion itself. */
const COMMAND_HANDLERS: Partial<Record<CommandType, CommandHandler>> = {
  COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: scheduleActivity,
  COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: requestCancelActivity,
  COMMAND_TYPE_START_TIMER: startTimer,
  COMMAND_TYPE_CANCEL_TIMER: cancelTimer,
  COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: completeWorkflow,
  COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: failWorkflow,
  COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: cancelWorkflow,
  COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: continueAsNewWorkflow,
  COMMAND_TYPE_RECORD_MARKER: recordMarker,
  COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: startChildWorkflow,
  COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: signalExternal,
  COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: cancelExternal,
  COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: upsertSearchAttributes,
  COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: modifyProperties,
};

export function commandHandlerFor(commandType: CommandType | 'COMMAND_TYPE_UNSPECIFIED' | undefined): CommandHandler | undefined {
  return commandType && commandType !== 'COMMAND_TYPE_UNSPECIFIED' ? COMMAND_HANDLERS[commandType] : undefined;
}
