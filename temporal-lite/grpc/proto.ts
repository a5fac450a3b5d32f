// Access to Temporal's protobuf types through the protobufjs JSON module shipped by
// @temporalio/proto. That (unpatched) root keeps the service definitions, which the
// package's main (patched) root drops.
import { createRequire } from 'node:module';
import type { AnyMessage } from './api.js';
import type { PlainMessage } from './plain.js';

const require = createRequire(import.meta.url);

/** The reflection of one message type: protobufjs's Type, as far as temporal-lite uses it. */
export interface ProtoType {
  name: string;
  fields: Record<string, { id: number; resolvedType?: ProtoType | null }>;
  /** The fields' reflections (absent on an enum's); their resolvedType once resolveAll ran. */
  fieldsArray?: Array<{ resolvedType?: ProtoType | null }>;
  resolveAll(): unknown;
  /** Generates the type's encode, decode, verify, fromObject and toObject. */
  setup(): unknown;
  fromObject(object: unknown): object;
  toObject(message: object, options: typeof TO_OBJECT): Record<string, unknown>;
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
}

export interface ProtoMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ProtoType;
  resolvedResponseType: ProtoType;
}

interface ProtoService {
  methods: Record<string, ProtoMethod>;
  resolveAll(): ProtoService;
}

interface ProtoRoot {
  lookupType(name: string): ProtoType;
  lookupService(name: string): ProtoService;
}

export const root: ProtoRoot = require('@temporalio/proto/protos/json-module.js');

/** How messages are decoded: the Plain shape (plain.ts) of their interfaces. */
export const TO_OBJECT = { longs: Number, enums: String, bytes: Buffer, defaults: false, oneofs: false };

const typeCache = new Map<string, ProtoType>();
function protoType(fullName: string): ProtoType {
  let type = typeCache.get(fullName);
  if (!type) {
    type = root.lookupType(fullName);
    typeCache.set(fullName, type);
  }
  return type;
}

/** The types whose codecs are generated already (by prepareCodecs). */
const prepared = new WeakSet<ProtoType>();

/**
 * Generates now the codecs of the messages `fullNames` and of every message they hold. protobufjs
 * generates a type's code on its first use, and a workflow's first task uses about a hundred types:
 * a process that prepares them at start serves its first workflow as fast as the next ones
 * (protobufjs API: Type#setup). The root is the one the SDK's own codecs use in this process too.
 */
export function prepareCodecs(fullNames: readonly string[]): void {
  const prepare = (type: ProtoType) => {
    if (prepared.has(type) || !type.fieldsArray) return; // prepared, or an enum
    prepared.add(type);
    type.resolveAll();
    type.setup();
    for (const field of type.fieldsArray) if (field.resolvedType) prepare(field.resolvedType);
  };
  for (const fullName of fullNames) prepare(protoType(fullName));
}

/** prepareCodecs for the requests and responses of these WorkflowService calls. */
export function prepareWorkflowServiceCodecs(calls: readonly string[]): void {
  prepareCodecs(calls.flatMap((call) => [`temporal.api.workflowservice.v1.${call}Request`, `temporal.api.workflowservice.v1.${call}Response`]));
}

/** Encodes and decodes one message type in its Plain shape. */
export interface MessageCodec<T> {
  encode(message: T): Buffer;
  decode(bytes: Uint8Array): T;
}

/**
 * The codec of the message named `fullName`. The reflection is untyped: this is where a decoded
 * object is declared to have the Plain shape of that message's @temporalio/proto interface.
 */
export function messageCodec<N extends string>(fullName: N): MessageCodec<PlainMessage<N>> {
  const type = protoType(fullName);
  return {
    encode: (message) => Buffer.from(type.encode(type.fromObject(message)).finish()),
    decode: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT) as PlainMessage<N>,
  };
}

const ANY_PREFIX = 'type.googleapis.com/';

/** Packs a message into google.protobuf.Any (the JSON module keeps the snake_case `type_url`). */
export function packAny<N extends string>(fullName: N, message: PlainMessage<N>): AnyMessage {
  return { type_url: ANY_PREFIX + fullName, value: messageCodec(fullName).encode(message) };
}

/** One of the message types an Any was expected to hold, with its decoded content. */
export type Unpacked<N extends string> = N extends unknown ? { typeName: N; message: PlainMessage<N> } : never;

/**
 * The content of an Any: decoded if it is one of `expected`, else just the name of another
 * message type it validly holds. Undefined if it is empty or does not decode.
 */
export function unpackAny<N extends string>(packed: AnyMessage | undefined, expected: readonly N[]): Unpacked<N> | { otherType: string } | undefined {
  const url = packed?.type_url;
  if (!url || !packed?.value) return undefined;
  const fullName = url.startsWith(ANY_PREFIX) ? url.slice(ANY_PREFIX.length) : url;
  try {
    const typeName = expected.find((name) => name === fullName);
    if (!typeName) {
      protoType(fullName).decode(packed.value);
      return { otherType: fullName };
    }
    // The union of N's members is not tied to one `typeName` value the compiler can follow.
    return { typeName, message: messageCodec(typeName).decode(packed.value) } as Unpacked<N>;
  } catch {
    return undefined;
  }
}
