import { status } from '@grpc/grpc-js';
import { errorMessage } from '../../workflows/errors.js';
import { HubError, isHubError } from '../errors/hub-error.js';

/** The gRPC status of a Temporal client error (the client wraps them in ServiceError). */
export function grpcCodeOf(err: unknown): number | undefined {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

const UNREACHABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED]);

/** Temporal out of reach is the hub's 503 (clients may retry), not an internal error. */
export async function withTemporal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isHubError(err)) throw err;
    const code = grpcCodeOf(err);
    if (code !== undefined && UNREACHABLE.has(code)) {
      throw new HubError('ServiceUnavailable', `The job engine is not reachable, try again: ${errorMessage(err)}`, { cause: err });
    }
    throw err;
  }
}
