import { z } from 'zod';
import { parseInput } from '../../api/validate.js';
import { HubError } from '../../errors/hub-error.js';

/** Direct-method payloads (and answers) are limited to 128 KB by IoT Hub (Azure docs, "Understand and invoke direct methods from IoT Hub"). */
export const MAX_METHOD_PAYLOAD_BYTES = 128 * 1024;

/**
 * The CloudToDeviceMethod body of `POST /twins/{id}/methods` (also what a method job carries). A
 * method name becomes a topic level (`$iothub/methods/POST/{name}/?$rid=`), hence the characters
 * refused; null timeouts mean the defaults, as absent ones do.
 */
export const methodRequestSchema = z.object({
  methodName: z
    .string({ error: 'methodName is required' })
    .min(1, 'methodName must not be empty')
    .max(100, 'methodName must be at most 100 characters')
    .regex(/^[^/?#+\s]+$/, 'methodName must not contain /, ?, #, + or whitespace'),
  payload: z.unknown().optional(),
  responseTimeoutInSeconds: z
    .number()
    .int()
    .min(5, 'responseTimeoutInSeconds must be between 5 and 300')
    .max(300, 'responseTimeoutInSeconds must be between 5 and 300')
    .nullish()
    .transform((v) => v ?? 30),
  connectTimeoutInSeconds: z
    .number()
    .int()
    .min(0, 'connectTimeoutInSeconds must be between 0 and 300')
    .max(300, 'connectTimeoutInSeconds must be between 0 and 300')
    .nullish()
    .transform((v) => v ?? 0),
});

export interface MethodRequest {
  methodName: string;
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

/**
 * Validates a method request (`what` names it in messages, e.g. `body` or `cloudToDeviceMethod`);
 * throws HubError 400 ArgumentInvalid, a payload over 128 KB included.
 */
export function parseMethodRequest(body: unknown, what = 'body'): MethodRequest {
  const parsed = parseInput(methodRequestSchema, body ?? {}, what);
  const request = { ...parsed, payload: parsed.payload ?? null };
  const size = Buffer.byteLength(JSON.stringify(request.payload));
  if (size > MAX_METHOD_PAYLOAD_BYTES) {
    throw new HubError('ArgumentInvalid', `Invalid ${what}.payload: ${size} bytes, the maximum is ${MAX_METHOD_PAYLOAD_BYTES} bytes`);
  }
  return request;
}
