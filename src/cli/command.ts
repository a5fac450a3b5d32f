import type { HubClient } from './hub-client.js';
import type { HubTarget } from './hub-target.js';
import type { Output } from './output.js';

/** Exit codes of `iothub-jobs`: 0 done, 1 the hub (or the job) said no, 2 wrong usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Wrong usage (unknown command or flag, missing argument, bad value): printed with a hint, exit 2. */
export class UsageError extends Error {}

/** A failure to report as one line, exit 1 (the hub's error, an unreachable hub, a missing file). */
export class CliError extends Error {
  /** The HTTP status when the hub answered with an error. */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A command-line option: a flag, or one taking a value (named in help as `--name <value>`). */
export type OptionSpec = { type: 'boolean'; description: string } | { type: 'string'; value: string; description: string };

export interface CommandContext {
  /** Option values by name (strings for string options, booleans for flags). */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  out: Output;
  env: NodeJS.ProcessEnv;
  /** The hub this invocation talks to (resolved on first use, so usage errors come first). */
  target(): HubTarget;
  client(): HubClient;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM), for long-running commands. */
  stopped: Promise<void>;
}

export interface Command {
  /** e.g. `devices create`, `query`. */
  name: string;
  summary: string;
  /** Positional arguments, e.g. `<deviceId> <methodName>`; `[x]` marks an optional one. */
  args: string;
  options: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<number | void>;
}

/** The positional argument at `index`, or a UsageError naming it. */
export function requiredArg(context: CommandContext, index: number, name: string): string {
  const value = context.positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${name}`);
  return value;
}

/** A string option's value (undefined when not given). */
export const stringOption = (context: CommandContext, name: string): string | undefined => {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
};
