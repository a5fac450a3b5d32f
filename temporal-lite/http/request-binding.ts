// An HTTP request as its method's request message: the JSON body (all of it, or one field, as the
// rule says), query parameters typed by the field they name (when the body is not the whole
// request), and the path's variables over both, as grpc-gateway binds them.
import { invalidArgument } from '../grpc/errors.js';
import { fieldNamed, messageFromJson, singleFromJson, type JsonInputOptions, type MessageObject } from './json-input.js';
import type { Json } from './json-output.js';
import { isRecord } from './payload-shorthand.js';
import { isEnum, isMessage, type ReflectedField, type ReflectedType } from './reflection.js';
import type { RouteMatch } from './routes.js';

/** Query parameters that choose the response's form, not request fields. */
export const FORM_PARAMETERS = new Set(['pretty', 'noPayloadShorthand']);

export function bindRequest(match: RouteMatch, query: URLSearchParams, body: Json | undefined, options: JsonInputOptions): MessageObject {
  const { route, params } = match;
  const type = route.method.resolvedRequestType;
  let message: MessageObject = {};
  if (route.body === '*') {
    message = messageFromJson(type, body ?? {}, options);
  } else {
    if (route.body) {
      const field = fieldNamed(type, route.body);
      if (field && body !== undefined && body !== null) message[field.name] = singleFromJson(field, body, options, route.body);
    }
    for (const key of new Set(query.keys())) {
      if (!FORM_PARAMETERS.has(key)) setParameter(type, message, key.split('.'), query.getAll(key), options);
    }
  }
  for (const { fieldPath, value } of params) setParameter(type, message, fieldPath, [value], options);
  return message;
}

/**
 * Sets the field at `fieldPath` from text values. Names that are no field are ignored (as
 * grpc-gateway does with query parameters); a value that does not fit its field is not.
 */
function setParameter(type: ReflectedType, message: MessageObject, fieldPath: string[], values: string[], options: JsonInputOptions): void {
  const name = fieldPath.join('.');
  let target = message;
  let targetType = type;
  for (const [index, segment] of fieldPath.entries()) {
    const field = fieldNamed(targetType, segment);
    if (!field) return;
    const last = index === fieldPath.length - 1;
    if (last || field.repeated || field.map || !isMessage(field.resolvedType) || isTextForm(field)) {
      if (!last) throw invalidArgument(`parameter '${name}': '${segment}' has no fields to set`);
      if (field.map) throw invalidArgument(`parameter '${name}': map fields are set in the body`);
      const parsed = values.map((text) => singleFromJson(field, textAsJson(field, text), options, name));
      if (!field.repeated && parsed.length > 1) throw invalidArgument(`parameter '${name}' is given ${parsed.length} times; it takes one value`);
      const earlier = target[field.name];
      target[field.name] = field.repeated ? [...(Array.isArray(earlier) ? earlier : []), ...parsed] : parsed[0];
      return;
    }
    const nested = target[field.name];
    const next: MessageObject = isRecord(nested) ? nested : {};
    target[field.name] = next;
    target = next;
    targetType = field.resolvedType;
  }
}

/** Message types that a query parameter sets whole, in their JSON text form. */
const TEXT_FORM_TYPES = new Set(
  [
    'Timestamp',
    'Duration',
    'FieldMask',
    'DoubleValue',
    'FloatValue',
    'Int64Value',
    'UInt64Value',
    'Int32Value',
    'UInt32Value',
    'BoolValue',
    'StringValue',
    'BytesValue',
  ].map((name) => `.google.protobuf.${name}`),
);

const isTextForm = (field: ReflectedField) => isMessage(field.resolvedType) && TEXT_FORM_TYPES.has(field.resolvedType.fullName);

const TRUE_TEXTS = new Set(['true', 'True', 'TRUE', 't', 'T', '1']);
const FALSE_TEXTS = new Set(['false', 'False', 'FALSE', 'f', 'F', '0']);

/** A query or path value as the JSON value its field takes: booleans and enum numbers from their text. */
function textAsJson(field: ReflectedField, text: string): Json {
  const type = field.resolvedType;
  const scalar = isMessage(type) ? type.fields.value?.type : field.type;
  if (scalar === 'bool') return TRUE_TEXTS.has(text) ? true : FALSE_TEXTS.has(text) ? false : text;
  if (isEnum(type) && /^-?\d+$/.test(text)) return Number(text);
  return text;
}
