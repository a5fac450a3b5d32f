// Builds grpc-js services from the protobufjs reflection of Temporal's service definitions.
// Every method of a service is registered: methods temporal-lite does not serve (schedules,
// Nexus, ...) answer with gRPC's UNIMPLEMENTED status, which the SDKs treat as "feature absent".
import * as grpc from '@grpc/grpc-js';
import { CallContext } from './call-context.js';
import { RpcError } from './errors.js';
import type { Handler } from './handlers.js';
import { root, TO_OBJECT, type ProtoMethod } from './proto.js';
import { serializeWithRawHistory } from './raw-history.js';
import type { Logger } from '../logger.js';

/** A message as the reflection decodes it, before a handler takes it in its method's Plain shape. */
export type DecodedMessage = Readonly<Record<string, unknown>>;

/** Any service's handlers by method name (ServiceHandlers of handlers.ts, seen from the reflection). */
export type HandlersByName = Readonly<Record<string, Handler<never, object> | undefined>>;

export interface ServiceOptions {
  logger: Logger;
  /** Awaited before every response: the group commit of all state changes made so far. */
  beforeRespond: () => Promise<void>;
  /** Checked before each call; a returned error is sent instead of running the handler. */
  gate?: () => RpcError | undefined;
  /** Runs before the handler of `method`; throws an RpcError to answer with it instead. */
  checkRequest?: (method: string, request: DecodedMessage) => void;
}

export function buildService(
  fullName: string,
  handlers: HandlersByName,
  opts: ServiceOptions,
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const service = root.lookupService(fullName).resolveAll();
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.values(service.methods)) {
    definition[method.name] = methodDefinition(fullName, method);
    implementation[method.name] =
      method.requestStream || method.responseStream ? streamingUnimplemented(fullName, method) : unaryHandler(fullName, method, handlers[method.name], opts);
  }
  return { definition, implementation };
}

function methodDefinition(fullName: string, method: ProtoMethod): grpc.MethodDefinition<object, object> {
  const req = method.resolvedRequestType;
  const res = method.resolvedResponseType;
  return {
    path: `/${fullName}/${method.name}`,
    requestStream: !!method.requestStream,
    responseStream: !!method.responseStream,
    requestSerialize: (message: object) => Buffer.from(req.encode(req.fromObject(message)).finish()),
    requestDeserialize: (bytes: Buffer) => req.toObject(req.decode(bytes), TO_OBJECT),
    responseSerialize: (message: object) => serializeWithRawHistory(res, message),
    responseDeserialize: (bytes: Buffer) => res.toObject(res.decode(bytes), TO_OBJECT),
    originalName: method.name,
  };
}

const unimplementedMessage = (fullName: string, method: ProtoMethod) => `Method ${fullName.split('.').pop()}/${method.name} is not supported by temporal-lite`;

/** Streaming methods (only Health.Watch) are not served. */
function streamingUnimplemented(fullName: string, method: ProtoMethod) {
  return (call: grpc.ServerWritableStream<object, object>) => {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: unimplementedMessage(fullName, method) });
  };
}

function unaryHandler(fullName: string, method: ProtoMethod, handler: Handler<never, object> | undefined, opts: ServiceOptions) {
  return (call: grpc.ServerUnaryCall<DecodedMessage, object>, callback: grpc.sendUnaryData<object>) => {
    if (!handler) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: unimplementedMessage(fullName, method) });
      return;
    }
    const gateError = opts.gate?.();
    if (gateError) {
      callback({ code: gateError.code, details: gateError.message });
      return;
    }
    const ctx = new CallContext(call);
    Promise.resolve()
      .then(() => {
        opts.checkRequest?.(method.name, call.request);
        // The reflection decoded this method's request type with TO_OBJECT: the Plain shape the
        // handler of this method name declares (handlers.ts), which the compiler cannot follow.
        return handler(call.request as never, ctx);
      })
      .then(
        async (result) => {
          await opts.beforeRespond();
          callback(null, result);
        },
        async (err: unknown) => {
          await opts.beforeRespond().catch(() => undefined);
          callback(errorStatus(fullName, method, err, opts.logger));
        },
      )
      .catch((err: unknown) => {
        // beforeRespond failed (storage error): the state change is not durable, say so.
        const message = err instanceof Error ? err.message : String(err);
        callback({ code: grpc.status.UNAVAILABLE, details: `temporal-lite storage failure: ${message}` });
      });
  };
}

/** A handler's error as a gRPC status: an RpcError as it says, anything else INTERNAL (and logged: a bug). */
function errorStatus(fullName: string, method: ProtoMethod, err: unknown, logger: Logger): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  logger.error(`${fullName.split('.').pop()}/${method.name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
  return { code: grpc.status.INTERNAL, details: `${method.name}: ${message}` };
}
