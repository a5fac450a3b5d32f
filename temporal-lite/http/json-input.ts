// Proto3 JSON to messages (https://protobuf.dev/programming-guides/json/): the inverse of
// json-output.ts, checking each value against its field's kind so that a wrong value is an
// INVALID_ARGUMENT naming the field, never a silent zero. Names are accepted in lowerCamelCase or
// as in the .proto (snake_case). The result is what the reflection's fromObject takes.
import { invalidArgument } from '../grpc/errors.js';
import { jsonName, type Json } from './json-output.js';
import { isJsonObject, payloadFromJson } from './payload-shorthand.js';
import { isEnum, isMessage, reflectedType, type ReflectedEnum, type ReflectedField, type ReflectedType } from './reflection.js';
import { parseDuration, parseTimestamp } from './well-known-time.js';

export interface JsonInputOptions {
  payloadShorthand: boolean;
}

/** A fromObject input: plain values keyed by the reflection's field names. */
export type MessageObject = Record<string, unknown>;

const wrongValue = (path: string, expected: string, value: unknown) =>
  invalidArgument(`invalid value for field '${path}': expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);

/** The field a JSON key names: by its JSON (lowerCamelCase) name or its .proto name. */
export function fieldNamed(type: ReflectedType, key: string): ReflectedField | undefined {
  return type.fields[key] ?? type.fields[jsonName(key)] ?? type.fieldsArray.find((field) => jsonName(field.name) === key);
}

/** A JSON object as a message of `type`. */
export function messageFromJson(type: ReflectedType, json: Json, options: JsonInputOptions, path = ''): MessageObject {
  if (!isJsonObject(json)) throw wrongValue(path || 'body', 'a JSON object', json);
  const message: MessageObject = {};
  for (const [key, value] of Object.entries(json)) {
    const fieldPath = path ? `${path}.${key}` : key;
    const field = fieldNamed(type, key);
    if (!field) throw invalidArgument(`unknown field '${fieldPath}' in ${type.fullName.slice(1)}`);
    if (value === null) continue;
    message[field.name] = fieldFromJson(field, value, options, fieldPath);
  }
  return message;
}

function fieldFromJson(field: ReflectedField, value: Json, options: JsonInputOptions, path: string): unknown {
  if (field.map) {
    if (!isJsonObject(value)) throw wrongValue(path, 'a JSON object (map)', value);
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [mapKey(field, key, path), singleFromJson(field, entry, options, `${path}[${key}]`)]),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw wrongValue(path, 'a JSON array', value);
    return value.map((item, index) => singleFromJson(field, item, options, `${path}[${index}]`));
  }
  return singleFromJson(field, value, options, path);
}

function mapKey(field: ReflectedField, key: string, path: string): string {
  if (field.keyType === 'string') return key;
  if (field.keyType === 'bool') {
    if (key !== 'true' && key !== 'false') throw wrongValue(path, 'map keys true or false', key);
    return key;
  }
  if (!/^-?\d+$/.test(key)) throw wrongValue(path, 'integer map keys', key);
  return key;
}

/** One value of a field (an element, for repeated and map fields). */
export function singleFromJson(field: ReflectedField, value: Json, options: JsonInputOptions, path: string): unknown {
  const type = field.resolvedType;
  if (isMessage(type)) return messageValueFromJson(type, value, options, path);
  if (isEnum(type)) return enumFromJson(type, value, path);
  return scalarFromJson(field.type, value, path);
}

const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32_TYPES = new Set(['uint32', 'fixed32']);
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const INTEGER = /^-?\d+$/;

function scalarFromJson(scalar: string, value: Json, path: string): unknown {
  if (scalar === 'string') {
    if (typeof value !== 'string') throw wrongValue(path, 'a string', value);
    return value;
  }
  if (scalar === 'bool') {
    if (typeof value !== 'boolean') throw wrongValue(path, 'true or false', value);
    return value;
  }
  if (scalar === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw wrongValue(path, 'base64 bytes', value);
    return Buffer.from(value, 'base64');
  }
  if (scalar === 'double' || scalar === 'float') return floatFromJson(value, path);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !INTEGER.test(text)) throw wrongValue(path, 'an integer', value);
  const unsigned = UINT32_TYPES.has(scalar) || scalar === 'uint64' || scalar === 'fixed64';
  if (unsigned && text.startsWith('-')) throw wrongValue(path, 'an unsigned integer', value);
  if (INT64_TYPES.has(scalar)) {
    const big = BigInt(text);
    const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (big < min || big > max) throw wrongValue(path, `a ${scalar}`, value);
    return text;
  }
  const number = Number(text);
  const [min, max] = INT32_TYPES.has(scalar) ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
  if (number < min || number > max) throw wrongValue(path, `a ${scalar}`, value);
  return number;
}

function floatFromJson(value: Json, path: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw wrongValue(path, 'a number', value);
}

/**
 * A member's name in Temporal's shorthand, which its HTTP API also reads: without the prefix the
 * enum's type name gives, in PascalCase (SCHEDULE_OVERLAP_POLICY_ALLOW_ALL of ScheduleOverlapPolicy: AllowAll).
 */
function shorthandMember(type: ReflectedEnum, shorthand: string): string | undefined {
  const typeName = type.fullName.slice(type.fullName.lastIndexOf('.') + 1);
  const prefix = `${typeName.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toUpperCase()}_`;
  const member = prefix + shorthand.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toUpperCase();
  return member in type.values && /^[A-Z][A-Za-z0-9]*$/.test(shorthand) ? member : undefined;
}

function enumFromJson(type: ReflectedEnum, value: Json, path: string): string | number {
  if (typeof value === 'string' && value in type.values) return value;
  const member = typeof value === 'string' ? shorthandMember(type, value) : undefined;
  if (member) return member;
  if (typeof value === 'number' && Number.isInteger(value)) return type.valuesById[value] ?? value;
  const names = Object.keys(type.values);
  throw wrongValue(path, `one of ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''} (or its number)`, value);
}

const WRAPPERS = new Set(
  ['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map(
    (name) => `.google.protobuf.${name}`,
  ),
);

function messageValueFromJson(type: ReflectedType, value: Json, options: JsonInputOptions, path: string): unknown {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp': {
      const parsed = typeof value === 'string' ? parseTimestamp(value) : undefined;
      if (!parsed) throw wrongValue(path, 'an RFC 3339 timestamp like "2024-05-01T10:00:00Z"', value);
      return parsed;
    }
    case '.google.protobuf.Duration': {
      const parsed = typeof value === 'string' ? parseDuration(value) : undefined;
      if (!parsed) throw wrongValue(path, 'a duration like "1.5s"', value);
      return parsed;
    }
    case '.google.protobuf.FieldMask':
      if (typeof value !== 'string') throw wrongValue(path, 'a comma-separated field mask', value);
      return { paths: value === '' ? [] : value.split(',').map((mask) => mask.split('.').map(snakeCase).join('.')) };
    case '.google.protobuf.Any':
      return anyFromJson(value, options, path);
    case '.temporal.api.common.v1.Payload':
      if (options.payloadShorthand) {
        const payload = payloadFromJson(value);
        if (payload) return payload;
      }
      break;
    case '.temporal.api.common.v1.Payloads':
      if (options.payloadShorthand && Array.isArray(value))
        return { payloads: value.map((item, index) => singleFromJson(type.fields.payloads, item, options, `${path}[${index}]`)) };
      break;
  }
  if (WRAPPERS.has(type.fullName)) return { value: singleFromJson(type.fields.value, value, options, path) };
  return messageFromJson(type, value, options, path);
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

function anyFromJson(value: Json, options: JsonInputOptions, path: string): { type_url: string; value: Buffer } {
  if (!isJsonObject(value) || typeof value['@type'] !== 'string') throw wrongValue(path, 'an object with "@type"', value);
  const { '@type': url, ...fields } = value;
  let type: ReflectedType;
  try {
    type = reflectedType(String(url).replace(/^.*\//, ''));
  } catch {
    throw invalidArgument(`field '${path}': unknown message type '${String(url)}'`);
  }
  const content = type.fullName.startsWith('.google.protobuf.')
    ? messageValueFromJson(type, fields.value ?? null, options, `${path}.value`)
    : messageFromJson(type, fields, options, path);
  return { type_url: String(url), value: Buffer.from(type.encode(type.fromObject(content)).finish()) };
}
