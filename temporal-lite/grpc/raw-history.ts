// History events are kept protobuf-encoded (in memory and in SQLite). Responses that carry a
// history attach the encoded events under RAW_HISTORY and the serializer splices them into the
// wire bytes, so events are never decoded and re-encoded per workflow task or history read.
// A response that embeds such a message (the eager workflow task of a start) lists it under
// RAW_NESTED, by field name, and the serializer encodes it the same way.
import { encodeHistory, lengthDelimitedTag, varint } from './history-bytes.js';
import type { ProtoType } from './proto.js';

export const RAW_HISTORY = Symbol('rawHistory');
export const RAW_NESTED = Symbol('rawNested');

/** A message whose `history` field is given as encoded events, and whose fields may hold such messages. */
export interface WithRawHistory<T extends object = object> {
  [RAW_HISTORY]?: Buffer[];
  [RAW_NESTED]?: { [K in keyof T]?: NonNullable<T[K]> & WithRawHistory };
}

/** What the serializer reads of any message. */
interface RawParts {
  [RAW_HISTORY]?: Buffer[];
  [RAW_NESTED]?: Partial<Record<string, object & RawParts>>;
}

/** Serializes `message` with type `t`, appending its RAW_HISTORY as `history` and its RAW_NESTED messages. */
export function serializeWithRawHistory(type: ProtoType, message: object & RawParts): Buffer {
  const head = Buffer.from(type.encode(type.fromObject(message)).finish());
  const raw = message[RAW_HISTORY];
  const nested = message[RAW_NESTED];
  if (!raw && !nested) return head;
  const parts: Buffer[] = [head];
  const append = (fieldId: number, body: Buffer) => parts.push(lengthDelimitedTag(fieldId), varint(body.length), body);
  if (raw && type.fields.history) append(type.fields.history.id, encodeHistory(raw));
  for (const [name, nestedMessage] of Object.entries(nested ?? {})) {
    const field = type.fields[name];
    // fromObject above has resolved the field's type.
    if (nestedMessage && field.resolvedType) append(field.id, serializeWithRawHistory(field.resolvedType, nestedMessage));
  }
  return Buffer.concat(parts);
}
