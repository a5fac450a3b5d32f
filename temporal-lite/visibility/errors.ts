/** The gRPC status a visibility error maps to; the core turns it into the status of the RPC. */
export type VisibilityErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS';

/**
 * Every client mistake the visibility module detects (bad query, bad search attribute, bad
 * request) is thrown as this error; anything else escaping the module is a server bug.
 */
export class VisibilityError extends Error {
  constructor(
    readonly grpcCode: VisibilityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VisibilityError';
  }
}

export const invalidArgument = (message: string) => new VisibilityError('INVALID_ARGUMENT', message);

/** A list-filter error, worded like Temporal's query converter ("invalid query: …"). */
export const invalidQuery = (message: string) => invalidArgument(`invalid query: ${message}`);
