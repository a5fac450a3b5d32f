// Access to Temporal's protobuf types through the protobufjs JSON module shipped by
// @temporalio/proto. That (unpatched) root keeps the service definitions, which the
// package's main (patched) root drops.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A decoded protobuf message as a plain camelCase object (enums as names, int64 as numbers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

export interface ProtoType {
  name: string;
  fields: Record<string, { id: number; resolvedType?: unknown }>;
  fromObject(o: Msg): unknown;
  toObject(m: unknown, opts: object): Msg;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
}

export interface ProtoMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ProtoType;
  resolvedResponseType: ProtoType;
}

export interface ProtoService {
  methods: Record<string, ProtoMethod>;
  resolveAll(): ProtoService;
}

interface ProtoRoot {
  lookupType(name: string): ProtoType;
  lookupService(name: string): ProtoService;
  lookupEnum(name: string): { values: Record<string, number>; valuesById: Record<number, string> };
}

export const root: ProtoRoot = require('@temporalio/proto/protos/json-module.js');

export const TO_OBJECT = { longs: Number, enums: String, bytes: Buffer, defaults: false, oneofs: false };

const typeCache = new Map<string, ProtoType>();
export function protoType(fullName: string): ProtoType {
  let t = typeCache.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

export function encodeMessage(fullName: string, obj: Msg): Buffer {
  const t = protoType(fullName);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
}

export function decodeMessage(fullName: string, bytes: Uint8Array): Msg {
  const t = protoType(fullName);
  return t.toObject(t.decode(bytes), TO_OBJECT);
}

const ANY_PREFIX = 'type.googleapis.com/';

/** Packs a message into google.protobuf.Any. The JSON module keeps the snake_case `type_url` name. */
export function packAny(fullName: string, obj: Msg): Msg {
  return { type_url: ANY_PREFIX + fullName, value: encodeMessage(fullName, obj) };
}

export function unpackAny(any: Msg | undefined): { typeName: string; message: Msg } | undefined {
  const url: string | undefined = any?.type_url ?? any?.typeUrl;
  if (!url || !any?.value) return undefined;
  const typeName = url.startsWith(ANY_PREFIX) ? url.slice(ANY_PREFIX.length) : url;
  try {
    return { typeName, message: decodeMessage(typeName, any.value) };
  } catch {
    return undefined;
  }
}
