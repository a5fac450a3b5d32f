// Messages to JSON, by the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/):
// lowerCamelCase names, 64-bit integers as strings, enums by name, bytes in base64, Timestamps in
// RFC 3339, Durations as "1.5s", Any with "@type", wrappers as their value, FieldMasks as one
// string; fields at their default value are left out. With payload shorthand (Temporal's HTTP
// API default), a Payload that is plain JSON is written as that JSON (see payload-shorthand.ts).
import { isRecord, payloadsShorthand, payloadShorthand } from './payload-shorthand.js';
import { isEnum, isMessage, reflectedType, type ReflectedField, type ReflectedType } from './reflection.js';
import { formatDuration, formatTimestamp } from './well-known-time.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface JsonOutputOptions {
  payloadShorthand: boolean;
}

/** How the reflection's toObject gives a decoded message to the walk below. */
const JSON_READY = { longs: String, enums: String, bytes: String, defaults: false, oneofs: false };

/** An encoded message of `type` as proto3 JSON. */
export function encodedMessageToJson(type: ReflectedType, bytes: Uint8Array, options: JsonOutputOptions): Json {
  return messageValueToJson(type, type.toObject(type.decode(bytes), JSON_READY), options);
}

/** A message in the reflection's toObject form with JSON_READY options, as proto3 JSON. */
function messageToJson(type: ReflectedType, object: Record<string, unknown>, options: JsonOutputOptions): JsonObject {
  const json: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    const converted = fieldToJson(field, value, options);
    if (converted !== undefined) json[jsonName(field.name)] = converted;
  }
  return json;
}

/** The proto3 JSON name: the reflection's name, camel-cased where it kept snake_case. */
export const jsonName = (name: string): string => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

function fieldToJson(field: ReflectedField, value: unknown, options: JsonOutputOptions): Json | undefined {
  if (field.map) {
    const entries = isRecord(value) ? Object.entries(value) : [];
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([key, entry]) => [key, singleToJson(field, entry, options)]));
  }
  if (field.repeated) {
    const items: unknown[] = Array.isArray(value) ? value : [];
    return items.length === 0 ? undefined : items.map((item) => singleToJson(field, item, options));
  }
  if (!isMessage(field.resolvedType) && isDefault(field, value)) return undefined;
  return singleToJson(field, value, options);
}

/** Whether a singular scalar or enum holds its default (proto3 fields have no presence). */
function isDefault(field: ReflectedField, value: unknown): boolean {
  if (isEnum(field.resolvedType)) return value === field.resolvedType.valuesById[0] || value === 0;
  return value === '' || value === 0 || value === '0' || value === false;
}

function singleToJson(field: ReflectedField, value: unknown, options: JsonOutputOptions): Json {
  const type = field.resolvedType;
  if (isMessage(type)) return messageValueToJson(type, isRecord(value) ? value : {}, options);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return field.type === 'float' ? shortestFloat32(value) : value;
  }
  // Scalars and enums are JSON-ready: toObject gave 64-bit integers and bytes as strings, enums as names.
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  throw new TypeError(`field ${field.name}: unexpected ${typeof value} value`);
}

/** A float field's value as written: the shortest decimal that is the same 32-bit float (0.1, not 0.10000000149011612). */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

const WRAPPERS = new Set(
  ['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map(
    (name) => `.google.protobuf.${name}`,
  ),
);

function messageValueToJson(type: ReflectedType, object: Record<string, unknown>, options: JsonOutputOptions): Json {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return formatTimestamp(secondsNanos(object));
    case '.google.protobuf.Duration':
      return formatDuration(secondsNanos(object));
    case '.google.protobuf.FieldMask':
      return (Array.isArray(object.paths) ? object.paths : []).map((path) => String(path).split('.').map(jsonName).join('.')).join(',');
    case '.google.protobuf.Any':
      return anyToJson(object, options);
    case '.temporal.api.common.v1.Payload':
      if (options.payloadShorthand) {
        const shorthand = payloadShorthand(object);
        if (shorthand) return shorthand.value;
      }
      break;
    case '.temporal.api.common.v1.Payloads':
      if (options.payloadShorthand) {
        const shorthand = payloadsShorthand(object);
        if (shorthand) return shorthand;
      }
      break;
  }
  if (WRAPPERS.has(type.fullName)) return singleToJson(type.fields.value, object.value ?? (type.fullName.endsWith('StringValue') ? '' : 0), options);
  return messageToJson(type, object, options);
}

function secondsNanos(object: Record<string, unknown>): { seconds: number; nanos: number } {
  return { seconds: Number(object.seconds ?? 0), nanos: Number(object.nanos ?? 0) };
}

const TYPE_URL_PREFIX = /^.*\//;

/** An Any as {"@type": url, ...the message's fields}, or {"@type", "value"} for a well-known type. */
function anyToJson(object: Record<string, unknown>, options: JsonOutputOptions): Json {
  const url = String(object.type_url ?? '');
  const bytes = Buffer.from(String(object.value ?? ''), 'base64');
  let type: ReflectedType;
  try {
    type = reflectedType(url.replace(TYPE_URL_PREFIX, ''));
  } catch {
    // A type this server does not know: its bytes as they are.
    return { '@type': url, value: bytes.toString('base64') };
  }
  const content = messageValueToJson(type, type.toObject(type.decode(bytes), JSON_READY), options);
  const wellKnown = type.fullName.startsWith('.google.protobuf.');
  return wellKnown || content === null || typeof content !== 'object' || Array.isArray(content)
    ? { '@type': url, value: content }
    : { '@type': url, ...content };
}
