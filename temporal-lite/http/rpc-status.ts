// A gRPC status as the HTTP API answers it: google.rpc.Status JSON, with the HTTP status that
// grpc-gateway gives each gRPC code (runtime.HTTPStatusFromCode).
import { status } from '@grpc/grpc-js';
import type { JsonObject } from './json-output.js';

const HTTP_STATUS: Record<status, number> = {
  [status.OK]: 200,
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 500,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 500,
  [status.UNAVAILABLE]: 503,
  [status.DATA_LOSS]: 500,
  [status.UNAUTHENTICATED]: 401,
};

export const httpStatusOf = (code: status): number => HTTP_STATUS[code] ?? 500;

/** The google.rpc.Status JSON of an error. */
export function statusJson(code: status, message: string): JsonObject {
  return { code, message, details: [] };
}
