// Temporal's HTTP API writes payloads in a shorthand by default: a Payload holding plain JSON
// (metadata only `encoding: json/plain`) is that JSON value; `binary/null` is null; protobuf
// JSON (`json/protobuf` with a `messageType`) is the object with a `_protoMessageType` key; and
// Payloads whose payloads all have a shorthand are a JSON array. Other payloads keep the proto3
// JSON form ({"metadata": {...base64}, "data": base64}). Input accepts either form per payload.
// A client opts out with `?noPayloadShorthand` or `Accept: application/json+no-payload-shorthand`.
import type { Json, JsonObject } from './json-output.js';

const BINARY_NULL = 'binary/null';
const JSON_PLAIN = 'json/plain';
const JSON_PROTOBUF = 'json/protobuf';
const MESSAGE_TYPE_KEY = '_protoMessageType';

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isJsonObject = (value: Json): value is JsonObject => isRecord(value);

const fromBase64 = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : '', 'base64');

/** The shorthand of a Payload in toObject form (bytes as base64 strings), if it has one. */
export function payloadShorthand(payload: Record<string, unknown>): { value: Json } | undefined {
  const metadata = isRecord(payload.metadata) ? payload.metadata : {};
  const keys = Object.keys(metadata);
  const encoding = fromBase64(metadata.encoding).toString('utf8');
  const data = fromBase64(payload.data).toString('utf8');
  try {
    if (encoding === BINARY_NULL) return { value: null };
    if (encoding === JSON_PLAIN && keys.length === 1) return { value: parseJson(data) };
    if (encoding === JSON_PROTOBUF && keys.length === 2 && metadata.messageType) {
      const value = parseJson(data);
      if (isJsonObject(value)) return { value: { ...value, [MESSAGE_TYPE_KEY]: fromBase64(metadata.messageType).toString('utf8') } };
    }
  } catch {
    // Data that does not parse as its encoding says keeps the full form.
  }
  return undefined;
}

function parseJson(text: string): Json {
  return JSON.parse(text);
}

/** The shorthand of Payloads: an array, when every payload has one. */
export function payloadsShorthand(payloads: Record<string, unknown>): Json[] | undefined {
  const items = Array.isArray(payloads.payloads) ? payloads.payloads : [];
  const values: Json[] = [];
  for (const item of items) {
    const shorthand = isRecord(item) ? payloadShorthand(item) : undefined;
    if (!shorthand) return undefined;
    values.push(shorthand.value);
  }
  return values;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A Payload as the input gave it, full form (metadata and data, or binary/null) or shorthand, in the full form. */
export function payloadFromJson(json: Json): { metadata: Record<string, string>; data?: string } | undefined {
  if (isFullPayload(json)) return undefined;
  if (json === null) return { metadata: { encoding: base64(BINARY_NULL) } };
  if (isJsonObject(json) && typeof json[MESSAGE_TYPE_KEY] === 'string') {
    const { [MESSAGE_TYPE_KEY]: messageType, ...message } = json;
    return { metadata: { encoding: base64(JSON_PROTOBUF), messageType: base64(String(messageType)) }, data: base64(JSON.stringify(message)) };
  }
  return { metadata: { encoding: base64(JSON_PLAIN) }, data: base64(JSON.stringify(json)) };
}

/** A payload in the full form: metadata of base64 strings, and data (unless binary/null). */
function isFullPayload(json: Json): boolean {
  if (!isJsonObject(json) || Object.keys(json).some((key) => key !== 'metadata' && key !== 'data')) return false;
  const { metadata, data } = json;
  if (!isRecord(metadata) || Object.keys(metadata).length === 0 || !Object.values(metadata).every(isBase64)) return false;
  if (data !== undefined && !isBase64(data)) return false;
  return (typeof data === 'string' && data.length > 0) || fromBase64(metadata.encoding).toString('utf8') === BINARY_NULL;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const isBase64 = (value: unknown): boolean => typeof value === 'string' && BASE64.test(value);
