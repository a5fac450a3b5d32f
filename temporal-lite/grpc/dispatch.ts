// One call of a handler, whatever carried it (gRPC, or the HTTP API): the storage gate, the
// request check, the handler, the group commit before answering, and the error as a status.
import { status } from '@grpc/grpc-js';
import type { AnyMessage } from './api.js';
import type { CallContext } from './call-context.js';
import { RpcError } from './errors.js';
import type { Handler } from './handlers.js';
import type { Logger } from '../logger.js';

/** A message as the reflection decodes it, before a handler takes it in its method's Plain shape. */
export type DecodedMessage = Readonly<Record<string, unknown>>;

export interface ServiceOptions {
  logger: Logger;
  /** Awaited before every response: the group commit of all state changes made so far. */
  beforeRespond: () => Promise<void>;
  /** Checked before each call; a returned error is sent instead of running the handler. */
  gate?: () => RpcError | undefined;
  /** Runs before the handler of `method`; throws an RpcError to answer with it instead. */
  checkRequest?: (method: string, request: DecodedMessage) => void;
  /** Told of every call answered (metrics): `Service/Method`, the status code (OK for a response), its duration. */
  answered?: (method: string, code: status, seconds: number) => void;
}

/** Any service's handlers by method name (ServiceHandlers of handlers.ts, seen from the reflection). */
export type HandlersByName = Readonly<Record<string, Handler<never, object> | undefined>>;

export interface CallError {
  code: status;
  message: string;
  /** google.rpc.Status details (an RpcError's). */
  details?: AnyMessage[];
}

export type CallOutcome = { response: object } | { error: CallError };

/** 'temporal.api.workflowservice.v1.WorkflowService', 'Start' → 'WorkflowService/Start'. */
const shortName = (serviceName: string, methodName: string) => `${serviceName.split('.').pop()}/${methodName}`;

export async function invokeHandler(
  serviceName: string,
  methodName: string,
  handler: Handler<never, object> | undefined,
  request: DecodedMessage,
  ctx: CallContext,
  opts: ServiceOptions,
): Promise<CallOutcome> {
  const start = performance.now();
  const outcome = await outcomeOf(serviceName, methodName, handler, request, ctx, opts);
  opts.answered?.(shortName(serviceName, methodName), 'error' in outcome ? outcome.error.code : status.OK, (performance.now() - start) / 1000);
  return outcome;
}

async function outcomeOf(
  serviceName: string,
  methodName: string,
  handler: Handler<never, object> | undefined,
  request: DecodedMessage,
  ctx: CallContext,
  opts: ServiceOptions,
): Promise<CallOutcome> {
  if (!handler) return { error: { code: status.UNIMPLEMENTED, message: `Method ${shortName(serviceName, methodName)} is not supported by temporal-lite` } };
  const gateError = opts.gate?.();
  if (gateError) return { error: { code: gateError.code, message: gateError.message } };
  let response: object;
  try {
    opts.checkRequest?.(methodName, request);
    // The request was decoded by the reflection with TO_OBJECT: the Plain shape the handler of
    // this method name declares (handlers.ts), which the compiler cannot follow.
    response = await handler(request as never, ctx);
  } catch (err) {
    await opts.beforeRespond().catch(() => undefined);
    return { error: errorStatus(serviceName, methodName, err, opts.logger) };
  }
  try {
    await opts.beforeRespond();
  } catch (err) {
    // The state change is not durable: say so.
    const message = err instanceof Error ? err.message : String(err);
    return { error: { code: status.UNAVAILABLE, message: `temporal-lite storage failure: ${message}` } };
  }
  return { response };
}

/** A handler's error as a gRPC status: an RpcError as it says, anything else INTERNAL (and logged: a bug). */
function errorStatus(serviceName: string, methodName: string, err: unknown, logger: Logger): CallError {
  if (err instanceof RpcError) return { code: err.code, message: err.message, details: err.details };
  const message = err instanceof Error ? err.message : String(err);
  logger.error(`${shortName(serviceName, methodName)} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
  return { code: status.INTERNAL, message: `${methodName}: ${message}` };
}
