import type { Command, EventAttributes, EventType, UserMetadata, WorkflowTaskFailedCause } from '../../grpc/api.js';
import type { Engine } from '../engine.js';
import { appendEvent } from '../history.js';
import type { Run } from '../run.js';

/** What command handlers share while one workflow task completion is applied. */
export interface CommandContext {
  engine: Engine;
  run: Run;
  completedEventId: number;
  identity?: string;
  /** Set when a command produced an event the workflow has to see in a new task. */
  needsTask: boolean;
  /** Work done after all commands (child starts, external signals/cancels). */
  after: Array<() => void>;
  /** Activities the worker asked to receive in the completion's response (eager execution). */
  eagerActivities: number[];
  /** The user metadata (static summary and details) of the command being applied. */
  userMetadata?: UserMetadata;
}

/** Appends the event a command creates, carrying the command's user metadata as Temporal's events do. */
export function appendCommandEvent<T extends EventType>(ctx: CommandContext, type: T, attrs: EventAttributes<T>): number {
  return appendEvent(ctx.engine, ctx.run, type, attrs, ctx.engine.clock.now(), ctx.userMetadata);
}

/** Names that must stay unique among the run's pending items, including this batch's. */
export interface BatchState {
  engine: Engine;
  run: Run;
  activityIds: Set<string | undefined>;
  timerIds: Set<string | undefined>;
}

/** A command type's checks and effects. */
export interface CommandHandler {
  /** WorkflowTaskFailedCause used when validation fails. */
  cause: WorkflowTaskFailedCause;
  /** Returns a message describing what is wrong, or undefined. May record names in `batch`. */
  validate(command: Command, batch: BatchState): string | undefined;
  apply(ctx: CommandContext, command: Command): void;
  /** Closes the workflow (complete, fail, cancel, continue-as-new). */
  closes?: boolean;
  /** Overrides `cause` for specific validation errors (e.g. duplicate ids). */
  causeFor?(message: string): WorkflowTaskFailedCause | undefined;
}

/** The fields of Command that hold a command type's attributes. */
export type AttributesField = Exclude<keyof Command, 'commandType' | 'userMetadata'>;
/** A command's attributes; empty when the command carries none. */
export type AttributesOf<F extends AttributesField> = Partial<NonNullable<Command[F]>>;

interface HandlerSpec<F extends AttributesField> extends Omit<CommandHandler, 'validate' | 'apply'> {
  /** Name of the attributes field on the Command message. */
  attributes: F;
  validate(attrs: AttributesOf<F>, batch: BatchState): string | undefined;
  apply(ctx: CommandContext, attrs: AttributesOf<F>): void;
}

/** A handler that works on the attributes field `spec.attributes` of its commands. */
export function commandHandler<F extends AttributesField>(spec: HandlerSpec<F>): CommandHandler {
  const attributesOf = (command: Command): AttributesOf<F> => command[spec.attributes] ?? {};
  return {
    cause: spec.cause,
    closes: spec.closes,
    causeFor: spec.causeFor,
    validate: (command, batch) => spec.validate(attributesOf(command), batch),
    apply: (ctx, command) => spec.apply(ctx, attributesOf(command)),
  };
}
