// Builds grpc-js services from the protobufjs reflection of Temporal's service definitions.
// Every method of a service is registered: methods temporal-lite does not serve (schedules,
// Nexus, ...) answer with gRPC's UNIMPLEMENTED status, which the SDKs treat as "feature absent".
import * as grpc from '@grpc/grpc-js';
import { CallContext } from './call-context.js';
import { invokeHandler, type CallError, type DecodedMessage, type HandlersByName, type ServiceOptions } from './dispatch.js';
import { messageCodec, root, TO_OBJECT, type ProtoMethod } from './proto.js';
import { serializeWithRawHistory } from './raw-history.js';

export type { DecodedMessage, HandlersByName, ServiceOptions } from './dispatch.js';

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
      method.requestStream || method.responseStream ? streamingUnimplemented(fullName, method) : unaryHandler(fullName, method, handlers, opts);
  }
  return { definition, implementation };
}

/** Marks a request whose bytes do not decode: grpc-js would answer INTERNAL for a throwing deserializer. */
const UNDECODABLE = Symbol('undecodable request');

function decodeRequest(type: ProtoMethod['resolvedRequestType'], bytes: Buffer): object {
  try {
    return type.toObject(type.decode(bytes), TO_OBJECT);
  } catch (err) {
    return { [UNDECODABLE]: err instanceof Error ? err.message : String(err) };
  }
}

function methodDefinition(fullName: string, method: ProtoMethod): grpc.MethodDefinition<object, object> {
  const req = method.resolvedRequestType;
  const res = method.resolvedResponseType;
  return {
    path: `/${fullName}/${method.name}`,
    requestStream: !!method.requestStream,
    responseStream: !!method.responseStream,
    requestSerialize: (message: object) => Buffer.from(req.encode(req.fromObject(message)).finish()),
    requestDeserialize: (bytes: Buffer) => decodeRequest(req, bytes),
    responseSerialize: (message: object) => serializeWithRawHistory(res, message),
    responseDeserialize: (bytes: Buffer) => res.toObject(res.decode(bytes), TO_OBJECT),
    originalName: method.name,
  };
}

/** Streaming methods (only Health.Watch) are not served. */
function streamingUnimplemented(fullName: string, method: ProtoMethod) {
  return (call: grpc.ServerWritableStream<object, object>) => {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `Method ${fullName.split('.').pop()}/${method.name} is not supported by temporal-lite` });
  };
}

function unaryHandler(fullName: string, method: ProtoMethod, handlers: HandlersByName, opts: ServiceOptions) {
  return (call: grpc.ServerUnaryCall<DecodedMessage, object>, callback: grpc.sendUnaryData<object>) => {
    const undecodable = (call.request as { [UNDECODABLE]?: string })[UNDECODABLE];
    if (undecodable !== undefined) {
      // A malformed message is the client's mistake (the proto wire format: protobuf.dev/programming-guides/encoding).
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `The ${method.name} request could not be decoded: ${undecodable}` });
      return;
    }
    void invokeHandler(fullName, method.name, handlers[method.name], call.request, new CallContext(call), opts).then((outcome) => {
      if ('response' in outcome) callback(null, outcome.response);
      else callback({ code: outcome.error.code, details: outcome.error.message, metadata: statusDetailsMetadata(outcome.error) });
    });
  };
}

/** The error's details as gRPC's rich status (grpc-status-details-bin: a google.rpc.Status), where the SDKs read them. */
function statusDetailsMetadata(error: CallError): grpc.Metadata | undefined {
  if (!error.details?.length) return undefined;
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', messageCodec('google.rpc.Status').encode({ code: error.code, message: error.message, details: error.details }));
  return metadata;
}
