import type { Request } from 'express';
import { z } from 'zod';
import { HubError } from '../errors/hub-error.js';
import { validateDeviceId } from '../registry/device/device-id.js';
import { isJsonObject, type JsonObject } from '../registry/json.js';

/** Parses with a zod schema; the first problem becomes a 400 ArgumentInvalid naming the field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  throw new HubError('ArgumentInvalid', `Invalid ${where}: ${issue.message}`);
}

/** A JSON object kept by reference (twin content is validated by the twin model, keys and all). */
/** `?top=N` of a list route: 1 to 1000 items per page. */
export const topParam = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .refine((top) => top >= 1 && top <= 1000, 'expected 1 to 1000')
  .optional();

export const jsonObject = z.custom<JsonObject>(isJsonObject, { message: 'expected a JSON object' });

/** The request body, which must be a JSON object. */
export const requestBody = <T>(req: Request, schema: z.ZodType<T>): T => parseInput(schema, req.body ?? {}, 'body');

/** The `:id` path parameter (already percent-decoded by the router), checked against the device id rules. */
export function deviceIdParam(req: Request): string {
  const deviceId = parseInput(z.string(), req.params.id, 'path parameter id');
  validateDeviceId(deviceId);
  return deviceId;
}
