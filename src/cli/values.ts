import { stringOption, UsageError, type CommandContext } from './command.js';

/** Option values that must parse: JSON documents and whole numbers, each with a usage error naming the flag. */

export function jsonOption(context: CommandContext, name: string): unknown {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${name} is not valid JSON (${(err as Error).message}): ${text}`);
  }
}

/** A JSON object option (tags, desired properties, patches). */
export function objectOption(context: CommandContext, name: string): Record<string, unknown> | undefined {
  const value = jsonOption(context, name);
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--${name} must be a JSON object, e.g. '{"interval":30}'`);
  return value as Record<string, unknown>;
}

export function integerOption(context: CommandContext, name: string, range: { min: number; max: number }): number | undefined {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, not '${text}'`);
  }
  return value;
}
