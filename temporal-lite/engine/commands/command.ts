import type { Msg } from '../../grpc/proto.js';
import type { Engine } from '../engine.js';
import type { Run } from '../run.js';

/** What command handlers share while one workflow task completion is applied. */
export interface CommandContext {
  e: Engine;
  run: Run;
  completedEventId: number;
  identity?: string;
  /** Set when a command produced an event the workflow has to see in a new task. */
  needsTask: boolean;
  /** Work done after all commands (child starts, external signals/cancels). */
  after: Array<() => void>;
  /** Activities the worker asked to receive in the completion's response (eager execution). */
  eagerActivities: number[];
}

/** Names that must stay unique among the run's pending items, including this batch's. */
export interface BatchState {
  e: Engine;
  run: Run;
  activityIds: Set<string>;
  timerIds: Set<string>;
}

export interface CommandHandler {
  /** Name of the attributes field on the Command message. */
  attributes: string;
  /** WorkflowTaskFailedCause used when validation fails. */
  cause: string;
  /** Returns a message describing what is wrong, or undefined. May record names in `batch`. */
  validate(attrs: Msg, batch: BatchState): string | undefined;
  apply(ctx: CommandContext, attrs: Msg): void;
  /** Closes the workflow (complete, fail, cancel, continue-as-new). */
  closes?: boolean;
  /** Overrides `cause` for specific validation errors (e.g. duplicate ids). */
  causeFor?(message: string): string | undefined;
}
