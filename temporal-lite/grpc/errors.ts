import { status } from '@grpc/grpc-js';
import type { AnyMessage } from './api.js';

/**
 * An error that reaches the client as a gRPC status with this message, and with `details` (the
 * google.rpc.Status details Temporal's servers attach, such as NamespaceNotFoundFailure) when set.
 */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly details: AnyMessage[] = [],
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalidArgument = (msg: string) => new RpcError(status.INVALID_ARGUMENT, msg);
export const notFound = (msg: string, details?: AnyMessage[]) => new RpcError(status.NOT_FOUND, msg, details);
export const alreadyExists = (msg: string, details?: AnyMessage[]) => new RpcError(status.ALREADY_EXISTS, msg, details);
export const failedPrecondition = (msg: string) => new RpcError(status.FAILED_PRECONDITION, msg);
export const deadlineExceeded = (msg: string) => new RpcError(status.DEADLINE_EXCEEDED, msg);
export const unavailable = (msg: string) => new RpcError(status.UNAVAILABLE, msg);
