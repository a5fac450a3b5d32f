// RespondWorkflowTaskCompleted / RespondWorkflowTaskFailed: applying the worker's commands and
// protocol messages, answering attached queries, and what follows (buffered events, the next
// task, eagerly started activities).
import { durationMs } from '../clock/time.js';
import type { ActivityTask, ProtocolMessage, WorkflowQueryResult } from '../grpc/api.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceRequest, WorkflowServiceResponse } from '../grpc/handlers.js';
import { claimEagerActivity } from './activity-tasks.js';
import { completedTaskVersioning, recordWorkerBuild } from './build-ids.js';
import { commandHandlerFor } from './commands/index.js';
import type { CommandContext } from './commands/command.js';
import { closesWorkflow, validateCompletion, type Rejection } from './completion-validation.js';
import type { Engine } from './engine.js';
import { appendEvent, flushBuffered } from './history.js';
import { DEFAULT_STICKY_SCHEDULE_TO_START_MS } from './limits.js';
import { attachWaitingQueries, dispatchLegacyQuery, settleQuery } from './query-tasks.js';
import type { Run } from './run.js';
import type { StartedWorkflowTask } from './types.js';
import { applyUpdateMessage, hasUndeliveredUpdates } from './updates.js';
import { scheduleWorkflowTask } from './workflow-task-dispatch.js';
import { failWorkflowTask, materializeTransient, startedWorkflowTask } from './workflow-tasks.js';

type CompletedRequest = WorkflowServiceRequest<'RespondWorkflowTaskCompleted'>;
type CompletedResponse = WorkflowServiceResponse<'RespondWorkflowTaskCompleted'>;

function answerQueries(engine: Engine, run: Run, results: Record<string, WorkflowQueryResult> | undefined): void {
  for (const query of run.wftQueries) {
    const result = results?.[query.id];
    if (result) settleQuery(query, result.resultType, result.answer, result.errorMessage);
    else dispatchLegacyQuery(engine, run.core, query);
  }
  run.wftQueries = [];
}

export function completeWorkflowTask(engine: Engine, req: CompletedRequest): CompletedResponse {
  const { run, wft } = startedWorkflowTask(engine, req.taskToken);
  const commands = req.commands ?? [];
  const messages = req.messages ?? [];
  answerQueries(engine, run, req.queryResults);

  if (closesWorkflow(commands) && (run.buffered.length > 0 || hasUndeliveredUpdates(run))) {
    // New events arrived while the task ran: the workflow must see them before it may close. As
    // Temporal's history service does, the task fails and the worker hears INVALID_ARGUMENT
    // "UnhandledCommand": its SDK then drops the run's state and replays it with the new events,
    // instead of taking its close command (a continue-as-new's input, say) as recorded.
    rejectCompletion(engine, run, wft, req, { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: 'Workflow has unhandled events.' });
    throw invalidArgument('UnhandledCommand');
  }
  const rejection = validateCompletion(engine, run, commands, messages);
  if (rejection) {
    rejectCompletion(engine, run, wft, req, rejection);
    throw invalidArgument(rejection.message);
  }
  const completedEventId = recordCompletion(engine, run, wft, req);
  const ctx: CommandContext = { engine, run, completedEventId, identity: req.identity, needsTask: false, after: [], eagerActivities: [] };
  applyCommands(ctx, req);
  if (!run.open) return {};
  const newEvents = flushBuffered(engine, run);
  if (newEvents || ctx.needsTask || run.core.wftNeeded || req.forceCreateNewWorkflowTask || hasUndeliveredUpdates(run)) scheduleWorkflowTask(engine, run);
  for (const action of ctx.after) action();
  attachWaitingQueries(engine, run);
  return { activityTasks: eagerActivityTasks(engine, run, ctx.eagerActivities, req.identity ?? '') };
}

/** The WorkflowTaskCompleted event and the run's state after the task (sticky queue, no task in flight). */
function recordCompletion(engine: Engine, run: Run, wft: StartedWorkflowTask, req: CompletedRequest): number {
  materializeTransient(engine, run, wft);
  const completedEventId = appendEvent(engine, run, 'WORKFLOW_TASK_COMPLETED', {
    scheduledEventId: wft.scheduledEventId,
    startedEventId: wft.startedEventId,
    identity: req.identity,
    sdkMetadata: req.sdkMetadata,
    meteringMetadata: req.meteringMetadata,
    ...completedTaskVersioning(req),
  });
  const core = run.core;
  if (recordWorkerBuild(run, req)) engine.visibility.record(core);
  core.previousStartedEventId = wft.startedEventId;
  core.wft = undefined;
  core.stateTransitions++;
  engine.clearTimer(run, 'wft');
  const sticky = req.stickyAttributes?.workerTaskQueue?.name;
  core.stickyQueue = sticky || undefined;
  core.stickyTimeoutMs = sticky ? durationMs(req.stickyAttributes?.scheduleToStartTimeout) || DEFAULT_STICKY_SCHEDULE_TO_START_MS : undefined;
  run.touch();
  return completedEventId;
}

/** Commands in order; a protocol message command applies its message there, the other messages follow. */
function applyCommands(ctx: CommandContext, req: CompletedRequest): void {
  const { engine, run, completedEventId } = ctx;
  const messages = req.messages ?? [];
  const applied = new Set<string | undefined>();
  const byId = new Map<string | undefined, ProtocolMessage>(messages.map((message) => [message.id, message]));
  for (const command of req.commands ?? []) {
    if (!run.open) break;
    if (command.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
      const id = command.protocolMessageCommandAttributes?.messageId;
      const message = byId.get(id);
      if (message) applyUpdateMessage(engine, run, message, completedEventId);
      applied.add(id);
      continue;
    }
    ctx.userMetadata = command.userMetadata;
    commandHandlerFor(command.commandType)?.apply(ctx, command);
  }
  for (const message of messages) if (!applied.has(message.id) && run.open) applyUpdateMessage(engine, run, message, completedEventId);
}

function eagerActivityTasks(engine: Engine, run: Run, scheduledEventIds: number[], identity: string): ActivityTask[] {
  const tasks: ActivityTask[] = [];
  for (const id of scheduledEventIds) {
    const task = run.open ? claimEagerActivity(engine, run, id, identity) : undefined;
    if (task) tasks.push(task);
  }
  return tasks;
}

/** The completion cannot be applied: fail the task so the worker retries with what it missed. */
function rejectCompletion(engine: Engine, run: Run, wft: StartedWorkflowTask, req: CompletedRequest, rejection: Rejection): void {
  engine.logger.debug(`workflow task of ${run.core.workflowId}/${run.core.runId} rejected: ${rejection.message}`);
  materializeTransient(engine, run, wft);
  failWorkflowTask(engine, run, wft, {
    type: 'WORKFLOW_TASK_FAILED',
    attrs: { cause: rejection.cause, failure: { message: rejection.message }, identity: req.identity },
  });
}

export function failWorkflowTaskRpc(
  engine: Engine,
  req: WorkflowServiceRequest<'RespondWorkflowTaskFailed'>,
): WorkflowServiceResponse<'RespondWorkflowTaskFailed'> {
  const { run, wft } = startedWorkflowTask(engine, req.taskToken);
  failWorkflowTask(engine, run, wft, {
    type: 'WORKFLOW_TASK_FAILED',
    attrs: { cause: req.cause, failure: req.failure, identity: req.identity, binaryChecksum: req.binaryChecksum },
  });
  return {};
}
