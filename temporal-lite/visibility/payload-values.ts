// Search attribute values in and out of Temporal payloads. Decoding follows the server: the
// registered type decides (payload metadata 'type' is only a hint the SDK adds), the encoding
// is json/plain, a one-element list stands for its element, and null / [] / no data unsets.
import { formatRfc3339Nano, parseRfc3339 } from './datetime.js';
import type { Payload } from '../grpc/api.js';
import type { ValueType } from './value-types.js';

export type { Payload } from '../grpc/api.js';

export type SaValue =
  | { type: 'Keyword' | 'Text'; value: string }
  | { type: 'Int'; value: bigint }
  | { type: 'Double'; value: number }
  | { type: 'Bool'; value: boolean }
  | { type: 'Datetime'; value: bigint } // epoch nanoseconds
  | { type: 'KeywordList'; value: string[] };

/** The value could not be read as the attribute's type; `shown` is the value for messages. */
export class BadValueError extends Error {
  constructor(readonly shown: string) {
    super(`bad search attribute value ${shown}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const JSON_INTEGER = /^-?(0|[1-9]\d*)$/;

/** Text of payload bytes (base64 if given as a string); BadValueError if not UTF-8. */
export function bytesToText(bytes: Uint8Array | string | null | undefined): string {
  if (bytes == null) return '';
  try {
    return utf8.decode(typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes);
  } catch {
    throw new BadValueError('<invalid UTF-8>');
  }
}

function shown(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** Reads the JSON of a payload; undefined when the payload means "no value" (unset). */
function payloadJson(payload: Payload): { json: unknown; text: string } | undefined {
  const encoding = bytesToText(payload.metadata?.encoding);
  if (encoding === 'binary/null') return undefined;
  const text = bytesToText(payload.data).trim();
  if (text === '') return undefined;
  if (encoding !== 'json/plain') throw new BadValueError(`<payload with encoding '${encoding}'>`);
  try {
    return { json: JSON.parse(text), text };
  } catch {
    throw new BadValueError(shown(text));
  }
}

function scalar(type: Exclude<ValueType, 'KeywordList'>, json: unknown, text: string): SaValue {
  const bad = () => new BadValueError(shown(text));
  switch (type) {
    case 'Keyword':
    case 'Text':
      if (typeof json !== 'string') throw bad();
      return { type, value: json };
    case 'Int': {
      // The JSON text, not the parsed double, so that int64 values beyond 2^53 stay exact.
      const digits = text.replace(/[\s[\]]/g, '');
      if (typeof json !== 'number' || !JSON_INTEGER.test(digits)) throw bad();
      const value = BigInt(digits);
      if (value < INT64_MIN || value > INT64_MAX) throw bad();
      return { type, value };
    }
    case 'Double':
      if (typeof json !== 'number') throw bad();
      return { type, value: json };
    case 'Bool':
      if (typeof json !== 'boolean') throw bad();
      return { type, value: json };
    case 'Datetime': {
      const nanos = typeof json === 'string' ? parseRfc3339(json) : undefined;
      if (nanos === undefined) throw bad();
      return { type, value: nanos };
    }
  }
}

/** Decodes a payload as `type`; null means the payload unsets the attribute. Throws BadValueError. */
export function decodeSearchAttributeValue(type: ValueType, payload: Payload): SaValue | null {
  const parsed = payloadJson(payload);
  if (!parsed || parsed.json === null) return null;
  const { json, text } = parsed;
  if (Array.isArray(json) && json.length === 0) return null;
  if (type === 'KeywordList') {
    if (!Array.isArray(json) || !json.every((element) => typeof element === 'string')) throw new BadValueError(shown(text));
    return { type, value: json };
  }
  if (Array.isArray(json)) {
    if (json.length !== 1) throw new BadValueError(shown(text));
    return scalar(type, json[0], text);
  }
  return scalar(type, json, text);
}

/** Whether a payload unsets an attribute (upsert with null, [], or no data). */
export function isUnsetPayload(payload: Payload): boolean {
  try {
    const parsed = payloadJson(payload);
    return !parsed || parsed.json === null || (Array.isArray(parsed.json) && parsed.json.length === 0);
  } catch {
    return false;
  }
}

function jsonText(value: SaValue): string {
  switch (value.type) {
    case 'Int':
      return value.value.toString();
    case 'Datetime':
      return JSON.stringify(formatRfc3339Nano(value.value));
    default:
      return JSON.stringify(value.value);
  }
}

/** The payload the server returns for a value: json/plain with its type in metadata. */
export function encodeSearchAttributeValue(value: SaValue): Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(value.type) },
    data: Buffer.from(jsonText(value)),
  };
}
