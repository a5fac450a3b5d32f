// Checks a workflow task completion before any of it is applied: every command and protocol
// message must be valid, and nothing may follow a command that closes the workflow.
import type { Command, ProtocolMessage, WorkflowTaskFailedCause } from '../grpc/api.js';
import { commandHandlerFor } from './commands/index.js';
import type { BatchState } from './commands/command.js';
import type { Engine } from './engine.js';
import type { Run } from './run.js';
import { validateUpdateMessage } from './updates.js';

export interface Rejection {
  cause: WorkflowTaskFailedCause;
  message: string;
}

export function validateCompletion(engine: Engine, run: Run, commands: Command[], messages: ProtocolMessage[]): Rejection | undefined {
  const batch: BatchState = {
    engine,
    run,
    activityIds: new Set([...run.activities.values()].map((activity) => activity.attrs.activityId)),
    timerIds: new Set(run.timers.keys()),
  };
  const messageIds = new Set(messages.map((message) => message.id));
  let closed = false;
  for (const command of commands) {
    if (closed)
      return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: `Command ${command.commandType} follows a command that closed the workflow.` };
    const rejection = validateCommand(command, batch, messageIds);
    if (rejection) return rejection;
    closed = !!commandHandlerFor(command.commandType)?.closes;
  }
  for (const message of messages) {
    const problem = validateUpdateMessage(run, message);
    if (problem) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message: problem };
  }
  return undefined;
}

function validateCommand(command: Command, batch: BatchState, messageIds: Set<string | undefined>): Rejection | undefined {
  if (command.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
    const id = command.protocolMessageCommandAttributes?.messageId;
    if (messageIds.has(id)) return undefined;
    return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message: `ProtocolMessageCommand refers to unknown message ${id}.` };
  }
  const handler = commandHandlerFor(command.commandType);
  if (!handler)
    return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: `Command type ${command.commandType} is not supported by temporal-lite.` };
  const problem = handler.validate(command, batch);
  return problem ? { cause: handler.causeFor?.(problem) ?? handler.cause, message: problem } : undefined;
}

/** Whether the completion closes the workflow. */
export function closesWorkflow(commands: Command[]): boolean {
  return commands.some((command) => commandHandlerFor(command.commandType)?.closes);
}
