// Builds grpc-js services from the protobufjs reflection of Temporal's service definitions.
// Every method of a service is registered: methods temporal-lite does not serve (schedules,
// Nexus, ...) answer with gRPC's UNIMPLEMENTED status, which the SDKs treat as "feature absent".
import * as grpc from '@grpc/grpc-js';
import { CallContext } from './call-context.js';
import { RpcError } from './errors.js';
import { root, TO_OBJECT, type Msg, type ProtoMethod } from './proto.js';
import { serializeWithRawHistory } from './raw-history.js';
import type { Logger } from '../logger.js';

export type Handler = (req: Msg, ctx: CallContext) => Msg | Promise<Msg>;
export type Handlers = Record<string, Handler>;

export interface ServiceOptions {
  logger: Logger;
  /** Awaited before every response: the group commit of all state changes made so far. */
  beforeRespond: () => Promise<void>;
  /** Checked before each call; a returned error is sent instead of running the handler. */
  gate?: () => RpcError | undefined;
}

export function buildService(
  fullName: string,
  handlers: Handlers,
  opts: ServiceOptions,
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const service = root.lookupService(fullName).resolveAll();
  const definition: Record<string, grpc.MethodDefinition<Msg, Msg>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.values(service.methods)) {
    definition[method.name] = methodDefinition(fullName, method);
    implementation[method.name] =
      method.requestStream || method.responseStream ? streamingUnimplemented(fullName, method) : unaryHandler(fullName, method, handlers[method.name], opts);
  }
  return { definition, implementation };
}

function methodDefinition(fullName: string, m: ProtoMethod): grpc.MethodDefinition<Msg, Msg> {
  const req = m.resolvedRequestType;
  const res = m.resolvedResponseType;
  return {
    path: `/${fullName}/${m.name}`,
    requestStream: !!m.requestStream,
    responseStream: !!m.responseStream,
    requestSerialize: (o: Msg) => Buffer.from(req.encode(req.fromObject(o)).finish()),
    requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
    responseSerialize: (o: Msg) => serializeWithRawHistory(res, o),
    responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), TO_OBJECT),
    originalName: m.name,
  };
}

const unimplementedMessage = (fullName: string, m: ProtoMethod) => `Method ${fullName.split('.').pop()}/${m.name} is not supported by temporal-lite`;

/** Streaming methods (only Health.Watch) are not served. */
function streamingUnimplemented(fullName: string, m: ProtoMethod) {
  return (call: grpc.ServerWritableStream<Msg, Msg>) => {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: unimplementedMessage(fullName, m) });
  };
}

function unaryHandler(fullName: string, m: ProtoMethod, handler: Handler | undefined, opts: ServiceOptions) {
  const shortService = fullName.split('.').pop();
  return (call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) => {
    if (!handler) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: unimplementedMessage(fullName, m) });
      return;
    }
    const gateError = opts.gate?.();
    if (gateError) {
      callback({ code: gateError.code, details: gateError.message });
      return;
    }
    const ctx = new CallContext(call);
    Promise.resolve()
      .then(() => handler(call.request, ctx))
      .then(
        async (result) => {
          await opts.beforeRespond();
          callback(null, result ?? {});
        },
        async (err: unknown) => {
          await opts.beforeRespond().catch(() => undefined);
          if (err instanceof RpcError) {
            callback({ code: err.code, details: err.message });
            return;
          }
          const message = err instanceof Error ? err.message : String(err);
          opts.logger.error(`${shortService}/${m.name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
          callback({ code: grpc.status.INTERNAL, details: `${m.name}: ${message}` });
        },
      )
      .catch((err: unknown) => {
        // beforeRespond failed (storage error): the state change is not durable, say so.
        const message = err instanceof Error ? err.message : String(err);
        callback({ code: grpc.status.UNAVAILABLE, details: `temporal-lite storage failure: ${message}` });
      });
  };
}
