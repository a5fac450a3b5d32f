// RespondWorkflowTaskCompleted / RespondWorkflowTaskFailed: validating and applying the
// worker's commands and protocol messages, answering attached queries, buffered events.
import { durationMs } from '../clock/time.js';
import { invalidArgument } from '../grpc/errors.js';
import type { Msg } from '../grpc/proto.js';
import { claimEagerActivity } from './activities.js';
import { COMMAND_HANDLERS } from './commands/index.js';
import type { BatchState, CommandContext } from './commands/command.js';
import type { Engine } from './engine.js';
import { appendEvent, flushBuffered } from './history.js';
import { DEFAULT_STICKY_SCHEDULE_TO_START_MS } from './limits.js';
import { dispatchLegacyQuery, settleQuery } from './queries.js';
import type { Run } from './run.js';
import type { WorkflowTaskState } from './types.js';
import { applyUpdateMessage, hasUndeliveredUpdates, validateUpdateMessage } from './updates.js';
import { attachWaitingQueries, failWorkflowTask, materializeTransient, scheduleWorkflowTask, startedWorkflowTask } from './workflow-tasks.js';

interface Rejection {
  cause: string;
  message: string;
}

function answerQueries(e: Engine, run: Run, results: Record<string, Msg> | undefined): void {
  for (const q of run.wftQueries) {
    const r = results?.[q.id];
    if (r) settleQuery(q, r.resultType, r.answer, r.errorMessage);
    else dispatchLegacyQuery(e, run.core, q);
  }
  run.wftQueries = [];
}

function validate(e: Engine, run: Run, commands: Msg[], messages: Msg[]): Rejection | undefined {
  const batch: BatchState = {
    e,
    run,
    activityIds: new Set([...run.activities.values()].map((a) => a.attrs.activityId)),
    timerIds: new Set(run.timers.keys()),
  };
  const messageIds = new Set(messages.map((m) => m.id));
  let closed = false;
  for (const c of commands) {
    if (closed) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: `Command ${c.commandType} follows a command that closed the workflow.` };
    if (c.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
      const id = c.protocolMessageCommandAttributes?.messageId;
      if (!messageIds.has(id)) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message: `ProtocolMessageCommand refers to unknown message ${id}.` };
      continue;
    }
    const h = COMMAND_HANDLERS[c.commandType];
    if (!h) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: `Command type ${c.commandType} is not supported by temporal-lite.` };
    const problem = h.validate(c[h.attributes] ?? {}, batch);
    if (problem) return { cause: h.causeFor?.(problem) ?? h.cause, message: problem };
    closed = !!h.closes;
  }
  for (const m of messages) {
    const problem = validateUpdateMessage(run, m);
    if (problem) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message: problem };
  }
  return undefined;
}

function closes(commands: Msg[]): boolean {
  return commands.some((c) => COMMAND_HANDLERS[c.commandType]?.closes);
}

export function completeWorkflowTask(e: Engine, req: Msg): Msg {
  const { run, wft } = startedWorkflowTask(e, req.taskToken);
  const commands: Msg[] = req.commands ?? [];
  const messages: Msg[] = req.messages ?? [];
  answerQueries(e, run, req.queryResults);

  if (closes(commands) && (run.buffered.length > 0 || hasUndeliveredUpdates(run))) {
    // New events arrived while the task ran: the workflow must see them before it may close.
    rejectCompletion(e, run, wft, req, { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: 'Workflow has unhandled events.' });
    return {};
  }
  const rejection = validate(e, run, commands, messages);
  if (rejection) {
    rejectCompletion(e, run, wft, req, rejection);
    throw invalidArgument(rejection.message);
  }

  materializeTransient(e, run, wft);
  const completedEventId = appendEvent(e, run, 'WORKFLOW_TASK_COMPLETED', {
    scheduledEventId: wft.scheduledEventId,
    startedEventId: wft.startedEventId,
    identity: req.identity,
    binaryChecksum: req.binaryChecksum,
    workerVersion: req.workerVersionStamp,
    sdkMetadata: req.sdkMetadata,
    meteringMetadata: req.meteringMetadata,
    deployment: req.deployment,
    versioningBehavior: req.versioningBehavior,
  });
  const core = run.core;
  core.previousStartedEventId = wft.startedEventId!;
  core.wft = undefined;
  core.stateTransitions++;
  e.clearTimer(run, 'wft');
  const sticky = req.stickyAttributes?.workerTaskQueue?.name;
  core.stickyQueue = sticky || undefined;
  core.stickyTimeoutMs = sticky ? durationMs(req.stickyAttributes.scheduleToStartTimeout) || DEFAULT_STICKY_SCHEDULE_TO_START_MS : undefined;
  run.touch();

  const ctx: CommandContext = { e, run, completedEventId, identity: req.identity, needsTask: false, after: [], eagerActivities: [] };
  const applied = new Set<string>();
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const c of commands) {
    if (!run.open) break;
    if (c.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
      const id = c.protocolMessageCommandAttributes.messageId;
      applyUpdateMessage(e, run, byId.get(id)!, completedEventId);
      applied.add(id);
      continue;
    }
    const h = COMMAND_HANDLERS[c.commandType];
    h.apply(ctx, c[h.attributes] ?? {});
  }
  for (const m of messages) if (!applied.has(m.id) && run.open) applyUpdateMessage(e, run, m, completedEventId);

  if (!run.open) return {};
  const newEvents = flushBuffered(e, run);
  if (newEvents || ctx.needsTask || core.wftNeeded || req.forceCreateNewWorkflowTask || hasUndeliveredUpdates(run)) scheduleWorkflowTask(e, run);
  for (const action of ctx.after) action();
  attachWaitingQueries(e, run);
  const activityTasks: Msg[] = [];
  for (const id of ctx.eagerActivities) {
    const task = run.open && claimEagerActivity(e, run, id, req.identity ?? '');
    if (task) activityTasks.push(task);
  }
  return { activityTasks };
}

/** The completion cannot be applied: fail the task so the worker retries with what it missed. */
function rejectCompletion(e: Engine, run: Run, wft: WorkflowTaskState, req: Msg, r: Rejection): void {
  e.logger.debug(`workflow task of ${run.core.workflowId}/${run.core.runId} rejected: ${r.message}`);
  materializeTransient(e, run, wft);
  failWorkflowTask(e, run, wft, 'WORKFLOW_TASK_FAILED', { cause: r.cause, failure: { message: r.message }, identity: req.identity });
}

export function failWorkflowTaskRpc(e: Engine, req: Msg): Msg {
  const { run, wft } = startedWorkflowTask(e, req.taskToken);
  failWorkflowTask(e, run, wft, 'WORKFLOW_TASK_FAILED', {
    cause: req.cause,
    failure: req.failure,
    identity: req.identity,
    binaryChecksum: req.binaryChecksum,
  });
  return {};
}
