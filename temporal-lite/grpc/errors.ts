import { status } from '@grpc/grpc-js';

/** An error that reaches the client as a gRPC status with this message. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalidArgument = (msg: string) => new RpcError(status.INVALID_ARGUMENT, msg);
export const notFound = (msg: string) => new RpcError(status.NOT_FOUND, msg);
export const alreadyExists = (msg: string) => new RpcError(status.ALREADY_EXISTS, msg);
export const failedPrecondition = (msg: string) => new RpcError(status.FAILED_PRECONDITION, msg);
export const deadlineExceeded = (msg: string) => new RpcError(status.DEADLINE_EXCEEDED, msg);
export const unavailable = (msg: string) => new RpcError(status.UNAVAILABLE, msg);
